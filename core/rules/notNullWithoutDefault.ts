// Review point: NOT NULL on an existing table fails as soon as one row has no value: a new NOT NULL column needs a
// DEFAULT, and SET NOT NULL needs the NULLs backfilled first (an UPDATE earlier in the migration).
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { reviewedStatements, tableKeyOf, tableText } from './reviewScope';

export const notNullWithoutDefault: Rule = {
  id: 'not-null-without-default',
  defaultSeverity: 'warning',
  summary: 'A NOT NULL column added to an existing table without a DEFAULT, or SET NOT NULL without a backfill before it.',
  check(ctx) {
    const out: Violation[] = [];
    // Columns an UPDATE of the same script has set (a backfill), by script.
    const backfilled = new Map<unknown, Set<string>>();
    for (const { script, statement: s, isNew } of reviewedStatements(ctx)) {
      let filled = backfilled.get(script);
      if (!filled) backfilled.set(script, (filled = new Set()));
      if (s.type === 'UpdateStmt') {
        for (const t of s.node.targetList ?? []) if (t.ResTarget?.name) filled.add(`${tableKeyOf(s.node.relation)}.${t.ResTarget.name}`);
        continue;
      }
      if (s.type !== 'AlterTableStmt' || s.node.objtype !== 'OBJECT_TABLE') continue;
      const table = tableKeyOf(s.node.relation);
      if (isNew(table)) continue;
      const addedWithDefault = new Set<string>();
      for (const c of s.node.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (cmd?.subtype === 'AT_AddColumn') {
          const def = cmd.def?.ColumnDef;
          const cons: any[] = (def?.constraints ?? []).map((x: any) => x.Constraint);
          const filledBy = cons.some((k) => ['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED'].includes(k?.contype)) || def?.identity;
          if (filledBy) addedWithDefault.add(def.colname);
          const notNull = cons.some((k) => k?.contype === 'CONSTR_NOTNULL' || k?.contype === 'CONSTR_PRIMARY');
          const serial = /^(?:small|big)?serial[248]?$/.test(String(def?.typeName?.names?.map((n: any) => n.String?.sval).pop() ?? ''));
          if (notNull && !filledBy && !serial) {
            out.push({
              location: locate(script, s.start, s.end),
              message: `adds NOT NULL column ${def.colname} to ${tableText(s.node.relation)} without a DEFAULT: it fails if the table has rows; add a DEFAULT, or add it nullable, backfill, then SET NOT NULL`,
            });
          }
        } else if (cmd?.subtype === 'AT_SetNotNull' && !filled.has(`${table}.${cmd.name}`) && !addedWithDefault.has(cmd.name)) {
          out.push({
            location: locate(script, s.start, s.end),
            message: `sets ${tableText(s.node.relation)}.${cmd.name} NOT NULL with no backfill before it in this migration: it fails if a row has NULL there (UPDATE ... SET ${cmd.name} = ... WHERE ${cmd.name} IS NULL first)`,
          });
        }
      }
    }
    return out;
  },
};
