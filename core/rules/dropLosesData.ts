// Review point: a DROP TABLE, DROP COLUMN, DROP SCHEMA ... CASCADE or TRUNCATE deletes data that no down script
// brings back. Generated migrations (drizzle-kit) emit them for a rename it did not recognise, too.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { droppedTables, reviewedStatements, tableKeyOf, tableText } from './reviewScope';

const str = (n: any): string => n?.String?.sval ?? '';

export const dropLosesData: Rule = {
  id: 'drop-loses-data',
  defaultSeverity: 'warning',
  summary: 'A migration drops a table, a column or a schema with its tables, or truncates a table: the data is gone for good.',
  check(ctx) {
    const out: Violation[] = [];
    for (const { script, statement: s, isNew, hasTablesIn } of reviewedStatements(ctx)) {
      const location = locate(script, s.start, s.end);
      const report = (message: string) => out.push({ location, message });
      if (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_TABLE') {
        for (const t of droppedTables(s)) {
          if (!isNew(t)) report(`drops table ${t.replace(/^public\./, '')} and every row in it: make sure its data is migrated or backed up first (a rollback cannot bring it back)`);
        }
      } else if (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_SCHEMA' && s.node.behavior === 'DROP_CASCADE') {
        // Only schemas that hold tables of earlier migrations.
        for (const name of (s.node.objects ?? []).map(str)) {
          if (!hasTablesIn(name)) continue;
          report(`drops schema ${name} with CASCADE: every table in it goes too, with its data`);
        }
      } else if (s.type === 'TruncateStmt') {
        for (const r of s.node.relations ?? []) {
          if (!isNew(tableKeyOf(r.RangeVar))) report(`truncates ${tableText(r.RangeVar)}: every row is deleted`);
        }
      } else if (s.type === 'AlterTableStmt' && s.node.objtype === 'OBJECT_TABLE' && !isNew(tableKeyOf(s.node.relation))) {
        for (const c of s.node.cmds ?? []) {
          const cmd = c.AlterTableCmd;
          if (cmd?.subtype === 'AT_DropColumn') {
            report(`drops column ${cmd.name} of ${tableText(s.node.relation)} and its data: if the column was renamed, use RENAME COLUMN instead`);
          }
        }
      }
    }
    return out;
  },
};
