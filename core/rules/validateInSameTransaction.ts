// NOT VALID exists to keep the lock of ADD CONSTRAINT short. VALIDATE CONSTRAINT only takes SHARE UPDATE EXCLUSIVE,
// but in the transaction that added the constraint the ADD's stronger lock is still held: the scan runs under it,
// and nothing was gained.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { tableKeyOf, tableText } from './reviewScope';
import { safetyStatements } from './safetyScope';

export const validateInSameTransaction: Rule = {
  id: 'validate-in-same-transaction',
  defaultSeverity: 'warning',
  summary: 'VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID: the scan runs under the lock of the ADD.',
  check(ctx) {
    const out: Violation[] = [];
    // Constraints added NOT VALID, by script and transaction: `table/constraint`.
    const added = new Map<unknown, Map<number, Set<string>>>();
    for (const st of safetyStatements(ctx)) {
      const { script, statement: s } = st;
      if (s.type !== 'AlterTableStmt' || s.node.objtype !== 'OBJECT_TABLE') continue;
      const table = tableKeyOf(s.node.relation);
      let byTx = added.get(script);
      if (!byTx) added.set(script, (byTx = new Map()));
      let names = byTx.get(st.transaction);
      if (!names) byTx.set(st.transaction, (names = new Set()));
      for (const c of s.node.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        const con = cmd?.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
        if (con?.skip_validation && con.conname) names.add(`${table}/${con.conname}`);
        if (cmd?.subtype === 'AT_ValidateConstraint' && names.has(`${table}/${cmd.name}`) && !st.isNew(table)) {
          out.push({
            location: locate(script, s.start, s.end),
            message: `validates ${cmd.name} of ${tableText(s.node.relation)} in the same transaction that added it NOT VALID: the lock of ADD CONSTRAINT is still held during the scan; validate it in a later migration`,
          });
        }
      }
    }
    return out;
  },
};
