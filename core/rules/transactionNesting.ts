// graphile-migrate (without `--! no-transaction`), drizzle-kit and pgmig's numbered runner (for a file that does
// not wrap itself) run a migration inside their own transaction. A COMMIT in the file ends that transaction early:
// when a later statement fails, what came before the COMMIT stays applied and the migration is not recorded. A
// BEGIN there only warns; a ROLLBACK silently discards the statements before it.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { safetyStatements } from './safetyScope';

const KINDS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
};

export const transactionNesting: Rule = {
  id: 'transaction-nesting',
  defaultSeverity: 'warning',
  summary: 'BEGIN, COMMIT or ROLLBACK in a migration the runner already runs in a transaction.',
  check(ctx) {
    const out: Violation[] = [];
    const layout = ctx.project?.layout;
    const runner = layout === 'drizzle' ? 'drizzle-kit' : layout === 'graphile' ? 'graphile-migrate' : 'the runner';
    for (const { script, statement: s, runnerTransaction } of safetyStatements(ctx)) {
      if (!runnerTransaction || s.type !== 'TransactionStmt' || !KINDS[s.node.kind]) continue;
      const what = KINDS[s.node.kind];
      const text = script.expansion.text;
      // Remove the statement with its semicolon and line break.
      let end = s.end;
      while (end < text.length && /[ \t]/.test(text[end])) end++;
      if (text[end] === ';') end++;
      if (text[end] === '\r') end++;
      if (text[end] === '\n') end++;
      const range = locate(script, s.start, end);
      out.push({
        location: locate(script, s.start, s.end),
        message: `${what} in a migration that ${runner} already runs in a transaction: ${what === 'COMMIT' ? 'it commits that transaction early, so a failure after it leaves the migration half applied' : what === 'ROLLBACK' ? 'it discards the statements before it and ends the transaction early' : 'the runner\'s transaction is already open (PostgreSQL warns and ignores it), and the matching COMMIT ends it early'}; remove it`,
        fixes: [{ title: `Remove ${what}`, safe: true, edits: [{ file: range.file, start: range.start, end: range.end, newText: '' }] }],
      });
    }
    return out;
  },
};
