// PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY and DETACH PARTITION ... CONCURRENTLY
// inside a transaction block: the migration fails at deploy. A block is the runner's transaction (graphile-migrate
// without `--! no-transaction`, drizzle-kit, pgmig's numbered runner for a file without BEGIN), an explicit BEGIN,
// or the implicit block of a file of several statements sent as one query. (REFRESH MATERIALIZED VIEW CONCURRENTLY
// is allowed in a transaction: not reported.)
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { isConcurrently, safetyStatements } from './safetyScope';

export const concurrentlyInTransaction: Rule = {
  id: 'concurrently-in-transaction',
  defaultSeverity: 'error',
  summary: 'A CONCURRENTLY statement inside a transaction block: PostgreSQL refuses it at deploy time.',
  check(ctx) {
    const out: Violation[] = [];
    const layout = ctx.project?.layout;
    for (const st of safetyStatements(ctx)) {
      const { script, statement: s } = st;
      if (!st.inTransaction || !isConcurrently(s)) continue;
      const why = st.explicitTransaction
        ? 'it is inside BEGIN ... COMMIT'
        : st.runnerTransaction
          ? layout === 'drizzle'
            ? 'drizzle-kit runs every migration in a transaction'
            : layout === 'graphile'
              ? 'graphile-migrate runs the migration in a transaction (add --! no-transaction as its first line, and keep the statement alone in it)'
              : 'the runner wraps this file in a transaction'
          : 'the file has other statements, and a file sent as one query runs in an implicit transaction block (keep the statement alone in its migration)';
      out.push({
        location: locate(script, s.start, s.end),
        message: `PostgreSQL refuses CONCURRENTLY inside a transaction block ("cannot run inside a transaction block"), and ${why}`,
      });
    }
    return out;
  },
};
