// ADD FOREIGN KEY and ADD CHECK validate every existing row while holding their lock (SHARE ROW EXCLUSIVE for a
// foreign key on both tables, ACCESS EXCLUSIVE for a check): writes wait for the whole scan. Added NOT VALID they
// only check new rows; VALIDATE CONSTRAINT in a later migration scans under SHARE UPDATE EXCLUSIVE, which blocks
// neither reads nor writes.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { tableKeyOf, tableText } from './reviewScope';
import { safetyStatements } from './safetyScope';

export const constraintWithoutNotValid: Rule = {
  id: 'constraint-without-not-valid',
  defaultSeverity: 'warning',
  summary: 'ADD FOREIGN KEY or CHECK on a table earlier migrations created, without NOT VALID: every row is checked while writes wait.',
  check(ctx) {
    const out: Violation[] = [];
    for (const { script, statement: s, isNew } of safetyStatements(ctx)) {
      if (s.type !== 'AlterTableStmt' || s.node.objtype !== 'OBJECT_TABLE' || isNew(tableKeyOf(s.node.relation))) continue;
      const cmds: any[] = s.node.cmds ?? [];
      for (const c of cmds) {
        const cmd = c.AlterTableCmd;
        // ADD CONSTRAINT, or a column added with an inline REFERENCES / CHECK (validated the same way; a column
        // constraint cannot be NOT VALID: add the column, then the constraint NOT VALID).
        const inline = cmd?.subtype === 'AT_AddColumn' ? (cmd.def?.ColumnDef?.constraints ?? []).map((k: any) => k.Constraint).find((k: any) => k?.contype === 'CONSTR_FOREIGN' || k?.contype === 'CONSTR_CHECK') : undefined;
        const con = cmd?.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : inline;
        if (!con || con.skip_validation || (con.contype !== 'CONSTR_FOREIGN' && con.contype !== 'CONSTR_CHECK')) continue;
        const kind = con.contype === 'CONSTR_FOREIGN' ? 'foreign key' : 'check constraint';
        const lock = con.contype === 'CONSTR_FOREIGN' ? 'SHARE ROW EXCLUSIVE on both tables' : 'ACCESS EXCLUSIVE';
        const name = con.conname ? ` ${con.conname}` : '';
        // The edit is mechanical when the constraint ends the statement.
        const text = script.expansion.text;
        const fixes = [];
        if (cmds.length === 1 && !inline && !/\bnot\s+valid\s*$/i.test(text.slice(s.start, s.end))) {
          const end = locate(script, s.end, s.end);
          fixes.push({
            title: 'Add NOT VALID (then VALIDATE CONSTRAINT in a later migration)',
            safe: true,
            edits: [{ file: end.file, start: end.start, end: end.end, newText: ' NOT VALID' }],
          });
        }
        out.push({
          location: locate(script, s.start, s.end),
          message: `adds ${kind}${name} to ${tableText(s.node.relation)} without NOT VALID: every existing row is checked under ${lock}, so writes wait for the whole scan; add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT${name} in a later migration`,
          fixes,
        });
      }
    }
    return out;
  },
};
