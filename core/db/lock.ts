// graphile-migrate's advisory lock, so that pgmig and graphile-migrate never migrate the same database at once.
// graphile-migrate uses pg_try_advisory_lock and fails at once when the lock is taken; pgmig waits (bounded), so two
// pgmig processes started together both succeed and each migration is applied exactly once.
import { EngineError } from '../engine/errors';
import type { DbSession } from './types';

export const ADVISORY_LOCK_KEY = '4727445306447283'; // `GRAPHILE MIGRATE` on a phone keypad

export interface LockOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called once when the lock is busy and we start waiting. */
  onWait?: () => void;
}

export async function withMigrationLock<T>(s: DbSession, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  for (;;) {
    const [{ locked }] = await s.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [ADVISORY_LOCK_KEY]);
    if (locked) break;
    if (!waited) {
      waited = true;
      opts.onWait?.();
    }
    if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled while waiting for the migration lock');
    if (Date.now() > deadline) {
      throw new EngineError('lock', `another process has held the migration lock (advisory lock ${ADVISORY_LOCK_KEY}) for ${Math.round(timeoutMs / 1000)} s; giving up`);
    }
    await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
  }
  try {
    return await fn();
  } finally {
    try {
      await s.query('select pg_advisory_unlock($1::bigint)', [ADVISORY_LOCK_KEY]);
    } catch {
      /* a dropped connection releases the lock by itself */
    }
  }
}
