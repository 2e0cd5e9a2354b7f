// A rename is instant in the database, but the application that is running while the migration deploys still
// queries the old name and fails until the new code is out. Expand and contract instead: add the new name (a
// column, or a view over the table), move the code, drop the old name later.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { tableKeyOf, tableText } from './reviewScope';
import { relationHistory, safetyStatements } from './safetyScope';

export const renameBreaksClients: Rule = {
  id: 'rename-breaks-clients',
  defaultSeverity: 'warning',
  summary: 'RENAME of a table, view or column earlier migrations created: application code still running uses the old name.',
  check(ctx) {
    const out: Violation[] = [];
    for (const { script, statement: s, isNew } of safetyStatements(ctx)) {
      if (s.type !== 'RenameStmt' || !s.node.relation) continue;
      const n = s.node;
      const key = tableKeyOf(n.relation);
      const name = tableText(n.relation);
      let what: string | undefined;
      if (n.renameType === 'OBJECT_TABLE' && !isNew(key)) what = `table ${name}`;
      else if (n.renameType === 'OBJECT_COLUMN' && n.relationType === 'OBJECT_TABLE' && !isNew(key)) what = `column ${name}.${n.subname}`;
      else if ((n.renameType === 'OBJECT_VIEW' || n.renameType === 'OBJECT_MATVIEW') && relationHistory(ctx).viewExists(key, s, script)) what = `view ${name}`;
      else if (n.renameType === 'OBJECT_COLUMN' && (n.relationType === 'OBJECT_VIEW' || n.relationType === 'OBJECT_MATVIEW') && relationHistory(ctx).viewExists(key, s, script)) what = `column ${name}.${n.subname}`;
      if (!what) continue;
      out.push({
        location: locate(script, s.start, s.end),
        message: `renames ${what} to ${n.newname}: application code that is running during the deploy still uses the old name and fails; add the new name beside the old one (a new column, or a view), switch the code, then drop the old name in a later migration`,
      });
    }
    return out;
  },
};
