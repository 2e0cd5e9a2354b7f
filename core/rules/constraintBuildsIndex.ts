// ADD PRIMARY KEY, UNIQUE or EXCLUDE builds its index while holding ACCESS EXCLUSIVE on the table: no query runs
// until the build ends. Built first with CREATE UNIQUE INDEX CONCURRENTLY, the index becomes the constraint with
// ADD CONSTRAINT ... USING INDEX, which takes the lock only for a moment.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { tableText } from './reviewScope';
import { existingTableCommands } from './safetyScope';

const KINDS: Record<string, string> = { CONSTR_PRIMARY: 'PRIMARY KEY', CONSTR_UNIQUE: 'UNIQUE', CONSTR_EXCLUSION: 'EXCLUDE' };

export const constraintBuildsIndex: Rule = {
  id: 'constraint-builds-index',
  defaultSeverity: 'warning',
  summary: 'ADD PRIMARY KEY, UNIQUE or EXCLUDE on a table earlier migrations created, without USING INDEX: the index is built under an ACCESS EXCLUSIVE lock.',
  check(ctx) {
    const out: Violation[] = [];
    for (const { st, cmd } of existingTableCommands(ctx)) {
      const { script, statement: s } = st;
      // ADD CONSTRAINT, or a column added with an inline PRIMARY KEY / UNIQUE (its index is built the same way).
      const inline = cmd.subtype === 'AT_AddColumn' ? (cmd.def?.ColumnDef?.constraints ?? []).map((k: any) => k.Constraint).find((k: any) => KINDS[k?.contype]) : undefined;
      const con = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : inline;
      if (!con || !KINDS[con.contype] || con.indexname) continue;
      const kind = KINDS[con.contype];
      const recipe =
        con.contype === 'CONSTR_EXCLUSION'
          ? 'an exclusion constraint cannot use an existing index: add it while the table is small, or in a maintenance window'
          : `CREATE UNIQUE INDEX CONCURRENTLY first (in its own migration), then ADD CONSTRAINT ... ${kind} USING INDEX`;
      out.push({
        location: locate(script, s.start, s.end),
        message: `adds ${kind} to ${tableText(s.node.relation)}, which builds its index under an ACCESS EXCLUSIVE lock: no read or write of the table runs until it is built; ${recipe}`,
      });
    }
    return out;
  },
};
