// CREATE INDEX takes a SHARE lock on its table for the whole build (writes wait); DROP INDEX and REINDEX take
// ACCESS EXCLUSIVE on the index and block the table (reads through the index, and writes) until they finish. With
// CONCURRENTLY they take SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes, but cannot run in a
// transaction block. Tables this migration created are empty: building their indexes is instant.
import type { Rule, Violation } from '../rule';
import type { Fix } from '../types';
import { locate } from '../script';
import type { Statement } from '../sql/parser';
import { tableText } from './reviewScope';
import { findWord, qualifiedName, relationHistory, safetyStatements, type SafetyStatement } from './safetyScope';

const plain = (key: string) => key.replace(/^public\./, '');

/** The table a CREATE/DROP INDEX or REINDEX works on, and what it does. */
function target(ctx: Parameters<Rule['check']>[0], st: SafetyStatement): { table: string; what: string; lock: string } | undefined {
  const s = st.statement;
  const n = s.node;
  if (s.type === 'IndexStmt' && !n.concurrent) {
    return { table: `${n.relation?.schemaname || 'public'}.${n.relation?.relname}`, what: `CREATE INDEX on ${tableText(n.relation)}`, lock: 'a SHARE lock: every INSERT, UPDATE and DELETE waits until the index is built' };
  }
  if (s.type === 'DropStmt' && n.removeType === 'OBJECT_INDEX' && !n.concurrent) {
    for (const o of n.objects ?? []) {
      const table = relationHistory(ctx).indexTable(qualifiedName(o), s);
      if (table && !st.isNew(table)) return { table, what: `DROP INDEX ${plain(qualifiedName(o))}`, lock: `an ACCESS EXCLUSIVE lock on ${plain(table)}: every query of the table waits` };
    }
    return undefined;
  }
  if (s.type === 'ReindexStmt' && !(n.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently')) {
    if (n.kind === 'REINDEX_OBJECT_TABLE') return { table: `${n.relation?.schemaname || 'public'}.${n.relation?.relname}`, what: `REINDEX TABLE ${tableText(n.relation)}`, lock: 'a SHARE lock on the table (writes wait) and ACCESS EXCLUSIVE on each index (queries using it wait)' };
    if (n.kind === 'REINDEX_OBJECT_INDEX') {
      const table = relationHistory(ctx).indexTable(`${n.relation?.schemaname || 'public'}.${n.relation?.relname}`, s);
      if (table) return { table, what: `REINDEX INDEX ${tableText(n.relation)}`, lock: `a SHARE lock on ${plain(table)} (writes wait) and ACCESS EXCLUSIVE on the index (queries using it wait)` };
    }
  }
  return undefined;
}

/** The keyword CONCURRENTLY follows: INDEX in CREATE/DROP INDEX, TABLE/INDEX in REINDEX. */
function concurrentlyAt(text: string, s: Statement): number {
  const kw = s.type === 'ReindexStmt' ? (s.node.kind === 'REINDEX_OBJECT_TABLE' ? 'table' : 'index') : 'index';
  const at = findWord(text, kw, s.start, s.end);
  return at < 0 ? -1 : at + kw.length;
}

export const nonConcurrentIndex: Rule = {
  id: 'non-concurrent-index',
  defaultSeverity: 'warning',
  summary: 'CREATE INDEX, DROP INDEX or REINDEX without CONCURRENTLY on a table earlier migrations created: writes (or all queries) wait for the whole build.',
  check(ctx) {
    const out: Violation[] = [];
    const layout = ctx.project?.layout;
    for (const st of safetyStatements(ctx)) {
      const { script, statement: s } = st;
      if (s.type !== 'IndexStmt' && s.type !== 'DropStmt' && s.type !== 'ReindexStmt') continue;
      const t = target(ctx, st);
      if (!t || st.isNew(t.table)) continue;
      const text = script.expansion.text;
      const fixes: Fix[] = [];
      // Mechanical only where the statement can then run outside a transaction: alone in its file (a file of several
      // statements sent as one query is an implicit transaction), and not in a drizzle-kit migration (always wrapped).
      const at = concurrentlyAt(text, s);
      const alone = st.count === 1;
      const here = locate(script, at, at);
      if (at >= 0 && alone && here.file === script.file && layout !== 'drizzle') {
        const edits = [{ file: here.file, start: here.start, end: here.end, newText: ' CONCURRENTLY' }];
        if (layout === 'graphile' && st.runnerTransaction) {
          if (script.file.endsWith('current.sql')) edits.unshift({ file: script.file, start: 0, end: 0, newText: '--! no-transaction' + (text.includes('\r\n') ? '\r\n' : '\n') });
          else edits.length = 0; // current/ directory files cannot use --! no-transaction
        }
        if (edits.length) fixes.push({ title: edits.length > 1 ? 'Add CONCURRENTLY and --! no-transaction' : 'Add CONCURRENTLY', safe: true, edits });
      }
      const recipe =
        layout === 'drizzle'
          ? 'drizzle-kit runs migrations in a transaction, where CONCURRENTLY is refused: run this one outside drizzle-kit migrate'
          : layout === 'graphile'
            ? 'use CONCURRENTLY, alone in a migration that starts with --! no-transaction'
            : 'use CONCURRENTLY, alone in a migration file outside BEGIN ... COMMIT';
      out.push({
        location: locate(script, s.start, s.end),
        message: `${t.what} without CONCURRENTLY takes ${t.lock}; ${plain(t.table)} was created by an earlier migration and may hold many rows: ${recipe}`,
        fixes,
      });
    }
    return out;
  },
};
