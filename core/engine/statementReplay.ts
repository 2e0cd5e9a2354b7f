// Runs a script statement by statement inside a transaction that is always rolled back, to find which statements
// fail: the shadow check reports each of them, and an error PostgreSQL gave without a position (42701 "column
// already exists", `role "x" does not exist`, an error inside a function body) is pinned to the statement that
// raised it. The statements go to the server in one round trip, each in a released savepoint, with a counter of
// completed statements in a transaction-local setting: after an error, rolling back to the savepoint keeps the
// earlier statements' effects, and the counter names the statement that failed.
import { isConnectionLoss } from '../db/pg';
import type { DbSession } from '../db/types';
import { splitStatements } from '../sql/splitter';
import { skipTrivia } from '../text';
import { EngineError } from './errors';
import { positionToOffset } from './sourceText';

export interface StatementFailure {
  /** The failing statement's range in the replayed text. */
  start: number;
  end: number;
  /** The error's position in the text when PostgreSQL gave one inside the statement, else the statement's start. */
  offset: number;
  /** True when `offset` is PostgreSQL's own position. */
  exact: boolean;
  error: any;
}

// Statements that would end or nest the replay's own transaction: never run during a replay.
const TRANSACTION_CONTROL = /^(begin|commit|end|rollback|abort|start\s+transaction|savepoint|release|prepare\s+transaction|commit\s+prepared|rollback\s+prepared)\b/i;

/** The top-level statements of `text` (ranges without leading comments and blanks). */
export function statementRanges(text: string): { start: number; end: number }[] {
  return splitStatements(text)
    .map((p) => ({ start: skipTrivia(text, p.start, p.end), end: p.end }))
    .filter((p) => p.start < p.end);
}

/** True when the text holds a statement a replay must not run (transaction control). */
export function hasTransactionControl(text: string): boolean {
  return statementRanges(text).some((p) => TRANSACTION_CONTROL.test(text.slice(p.start, p.end)));
}

/**
 * Replays `text` on an idle session in `begin ... rollback`. With `firstOnly` it stops at the first failure (the
 * locator's case), else it goes on after each failed statement (the shadow check's). Transaction-control statements
 * are skipped; statements that cannot run in a transaction block (25001) are not reported.
 */
export async function replayStatements(
  s: DbSession,
  text: string,
  opts: { firstOnly?: boolean; signal?: AbortSignal } = {},
): Promise<StatementFailure[]> {
  const pieces = statementRanges(text).filter((p) => !TRANSACTION_CONTROL.test(text.slice(p.start, p.end)));
  const failures: StatementFailure[] = [];
  await s.exec('begin');
  try {
    let from = 0;
    while (from < pieces.length) {
      if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled');
      let script = '';
      const starts: number[] = [];
      for (let k = from; k < pieces.length; k++) {
        script += 'savepoint pgmig_replay;\n';
        starts.push(script.length);
        script += text.slice(pieces[k].start, pieces[k].end) + `\n;\nrelease savepoint pgmig_replay;\nselect set_config('pgmig.done', '${k}', true);\n`;
      }
      try {
        await s.exec(script);
        break;
      } catch (e: any) {
        if (isConnectionLoss(e)) throw e;
        await s.exec('rollback to savepoint pgmig_replay; release savepoint pgmig_replay');
        const [{ done }] = await s.query<{ done: string | null }>(`select current_setting('pgmig.done', true) as done`);
        const k = done && Number(done) >= from ? Number(done) + 1 : from;
        if (k >= pieces.length) break;
        if (e?.code !== '25001') {
          const pos = Number(e?.position);
          const stmtStart = starts[k - from];
          const stmtLen = pieces[k].end - pieces[k].start;
          let offset = pieces[k].start;
          let exact = false;
          if (Number.isFinite(pos) && pos > 0) {
            const inScript = positionToOffset(script, pos);
            if (inScript >= stmtStart && inScript <= stmtStart + stmtLen) {
              offset = pieces[k].start + (inScript - stmtStart);
              exact = true;
            }
          }
          failures.push({ start: pieces[k].start, end: pieces[k].end, offset, exact, error: e });
          if (opts.firstOnly) break;
        }
        from = k + 1;
      }
    }
  } finally {
    await s.exec('rollback');
  }
  return failures;
}
