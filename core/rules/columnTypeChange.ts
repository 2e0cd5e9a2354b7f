// Review point: ALTER COLUMN ... TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock unless the
// change is binary-coercible, and fails or truncates when existing values do not convert.
import type { Rule, Violation } from '../rule';
import { typeNameText } from '../schema/replay';
import { locate } from '../script';
import { reviewedStatements, tableKeyOf, tableText } from './reviewScope';

export const columnTypeChange: Rule = {
  id: 'column-type-change',
  defaultSeverity: 'warning',
  summary: "A migration changes a column's type: existing values must convert, and the table may be rewritten under an exclusive lock.",
  check(ctx) {
    const out: Violation[] = [];
    for (const { script, statement: s, isNew } of reviewedStatements(ctx)) {
      if (s.type !== 'AlterTableStmt' || s.node.objtype !== 'OBJECT_TABLE' || isNew(tableKeyOf(s.node.relation))) continue;
      for (const c of s.node.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (cmd?.subtype !== 'AT_AlterColumnType') continue;
        const def = cmd.def?.ColumnDef;
        const type = def?.typeName ? typeNameText(def.typeName) : 'another type';
        const using = def?.raw_default ? '' : ' (no USING clause: PostgreSQL must cast the values implicitly)';
        out.push({
          location: locate(script, s.start, s.end),
          message: `changes the type of ${tableText(s.node.relation)}.${cmd.name} to ${type}${using}: existing values must convert, and the table may be rewritten under an exclusive lock; check the data first`,
        });
      }
    }
    return out;
  },
};
