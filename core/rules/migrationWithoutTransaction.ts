// A numbered migration is run by more than pgmig (psql -f, the team's own runner, a DBA at the console): one that
// does not wrap itself in BEGIN; ... COMMIT; leaves the database half-migrated when a statement fails there.
// Files that cannot run in a transaction (CREATE INDEX CONCURRENTLY, ...) are left alone.
import { isNoTransaction } from '../engine/sourceText';
import type { Statement } from '../sql/parser';
import { lineBreakOf, type Rule, type Violation } from '../rule';
import { locate } from '../script';

const isBegin = (s: Statement) => s.type === 'TransactionStmt' && (s.node.kind === 'TRANS_STMT_BEGIN' || s.node.kind === 'TRANS_STMT_START');
const isCommit = (s: Statement) => s.type === 'TransactionStmt' && s.node.kind === 'TRANS_STMT_COMMIT';
/** Statements PostgreSQL refuses inside a transaction block. */
const outsideTransactionOnly = (s: Statement) =>
  (s.type === 'IndexStmt' && s.node.concurrent) ||
  (s.type === 'DropStmt' && s.node.concurrent) ||
  (s.type === 'ReindexStmt' && (s.node.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently')) ||
  (s.type === 'VacuumStmt' && s.node.is_vacuumcmd) ||
  ['CreatedbStmt', 'DropdbStmt', 'AlterSystemStmt'].includes(s.type);

export const migrationWithoutTransaction: Rule = {
  id: 'migration-without-transaction',
  defaultSeverity: 'warning',
  layouts: ['numbered'],
  summary: 'A numbered migration that does not wrap itself in BEGIN; ... COMMIT;.',
  check(ctx) {
    const out: Violation[] = [];
    for (const script of ctx.scripts) {
      if (script.role !== 'committed') continue;
      const text = script.expansion.text;
      // From the parsed statements (cached with the script), not the text: this runs over the history on every edit.
      const statements = script.parsed.statements.filter((s) => !s.parent);
      if (!statements.length || isNoTransaction(text) || statements.some(outsideTransactionOnly)) continue;
      if (statements.length >= 2 && isBegin(statements[0]) && isCommit(statements[statements.length - 1])) continue;
      const first = statements[0];
      const last = statements[statements.length - 1];
      const nl = lineBreakOf(text);
      const end = text[last.end] === ';' ? last.end + 1 : last.end;
      const start = locate(script, first.start, first.start);
      const stop = locate(script, end, end);
      out.push({
        location: locate(script, first.start, first.end),
        message: 'this migration does not run in a transaction of its own (no BEGIN; ... COMMIT; around it): if a statement fails when another tool runs the file, the statements before it stay applied',
        fixes: [
          {
            title: 'Wrap the migration in BEGIN; ... COMMIT;',
            safe: true,
            edits: [
              { file: start.file, start: start.start, end: start.start, newText: `BEGIN;${nl}${nl}` },
              { file: stop.file, start: stop.start, end: stop.start, newText: `${text[last.end] === ';' ? '' : ';'}${nl}${nl}COMMIT;` },
            ],
          },
        ],
      });
    }
    return out;
  },
};
