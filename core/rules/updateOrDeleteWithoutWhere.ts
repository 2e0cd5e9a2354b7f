// An UPDATE or DELETE without WHERE touches every row of a table that may hold millions: it locks each row until
// the migration commits (writes of the application wait), and an UPDATE writes a new version of every row.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { tableKeyOf, tableText } from './reviewScope';
import { safetyStatements } from './safetyScope';

export const updateOrDeleteWithoutWhere: Rule = {
  id: 'update-or-delete-without-where',
  defaultSeverity: 'warning',
  summary: 'UPDATE or DELETE without WHERE on a table earlier migrations created: every row is locked and written.',
  check(ctx) {
    const out: Violation[] = [];
    for (const { script, statement: s, isNew } of safetyStatements(ctx)) {
      // `in`, not a read: a long WHERE of an UPDATE is parsed only when read (parser.ts, ParseOptions.deferUnread),
      // and its presence is all this rule needs (libpg-query leaves out absent fields).
      if ((s.type !== 'UpdateStmt' && s.type !== 'DeleteStmt') || 'whereClause' in s.node || !s.node.relation || isNew(tableKeyOf(s.node.relation))) continue;
      const verb = s.type === 'UpdateStmt' ? 'updates' : 'deletes';
      out.push({
        location: locate(script, s.start, s.end),
        message: `${verb} every row of ${tableText(s.node.relation)} (no WHERE): each row stays locked until the migration commits, so the application's writes wait; add a WHERE, or do it in batches outside the migration`,
      });
    }
    return out;
  },
};
