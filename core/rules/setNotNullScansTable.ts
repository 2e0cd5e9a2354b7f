// SET NOT NULL holds ACCESS EXCLUSIVE while it scans the whole table for NULLs. Since PostgreSQL 12 it skips the
// scan when a valid CHECK (col IS NOT NULL) already proves it: add that check NOT VALID, VALIDATE it in a later
// migration (SHARE UPDATE EXCLUSIVE: reads and writes go on), then SET NOT NULL and drop the check.
import type { Rule, RuleContext, Violation } from '../rule';
import { locate } from '../script';
import type { Statement } from '../sql/parser';
import { tableKeyOf, tableText } from './reviewScope';
import { safetyStatements } from './safetyScope';

const str = (n: any): string => n?.String?.sval ?? '';

/** The column a `col IS NOT NULL` check is about, if that is all it says. */
function notNullColumn(expr: any): string | undefined {
  const t = expr?.NullTest;
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = t.arg?.ColumnRef?.fields ?? [];
  return fields.length === 1 ? str(fields[0]) : undefined;
}

/** Per statement, `table.column`s proven not null by a valid check before it. */
const proofs = new WeakMap<RuleContext, Map<Statement, Set<string>>>();
function provenBefore(ctx: RuleContext, statement: Statement): Set<string> {
  let byStatement = proofs.get(ctx);
  if (!byStatement) {
    byStatement = new Map();
    const valid = new Set<string>();
    const pending = new Map<string, string>(); // table/conname -> table.column
    for (const script of ctx.scripts) {
      if (script.role !== 'committed' && script.role !== 'current') continue;
      for (const s of script.parsed.statements) {
        if (s.parent) continue;
        if (s.type === 'AlterTableStmt' && (s.node.cmds ?? []).some((c: any) => c.AlterTableCmd?.subtype === 'AT_SetNotNull')) byStatement.set(s, new Set(valid));
        if (s.type !== 'AlterTableStmt') continue;
        const table = tableKeyOf(s.node.relation);
        for (const c of s.node.cmds ?? []) {
          const cmd = c.AlterTableCmd;
          const con = cmd?.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
          const col = con?.contype === 'CONSTR_CHECK' ? notNullColumn(con.raw_expr) : undefined;
          if (col && !con.skip_validation) valid.add(`${table}.${col}`);
          else if (col && con.conname) pending.set(`${table}/${con.conname}`, `${table}.${col}`);
          if (cmd?.subtype === 'AT_ValidateConstraint') {
            const proven = pending.get(`${table}/${cmd.name}`);
            if (proven) valid.add(proven);
          }
        }
      }
    }
    proofs.set(ctx, byStatement);
  }
  return byStatement.get(statement) ?? new Set();
}

export const setNotNullScansTable: Rule = {
  id: 'set-not-null-scans-table',
  defaultSeverity: 'warning',
  summary: 'SET NOT NULL on a table earlier migrations created, without a validated CHECK (col IS NOT NULL): the whole table is scanned under ACCESS EXCLUSIVE.',
  check(ctx) {
    const out: Violation[] = [];
    for (const { script, statement: s, isNew } of safetyStatements(ctx)) {
      if (s.type !== 'AlterTableStmt' || s.node.objtype !== 'OBJECT_TABLE') continue;
      const table = tableKeyOf(s.node.relation);
      if (isNew(table)) continue;
      for (const c of s.node.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (cmd?.subtype !== 'AT_SetNotNull' || provenBefore(ctx, s).has(`${table}.${cmd.name}`)) continue;
        out.push({
          location: locate(script, s.start, s.end),
          message: `sets ${tableText(s.node.relation)}.${cmd.name} NOT NULL: PostgreSQL scans the whole table for NULLs under an ACCESS EXCLUSIVE lock (no query runs meanwhile); first ADD CONSTRAINT ... CHECK (${cmd.name} IS NOT NULL) NOT VALID and VALIDATE it in an earlier migration, then SET NOT NULL skips the scan`,
        });
      }
    }
    return out;
  },
};
