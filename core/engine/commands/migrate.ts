// `migrate`: pending committed migrations applied in order under the advisory lock, consecutive transactional ones
// sent in batches (each still its own transaction).
import { isConnectionLoss } from '../../db/pg';
import { transaction, type DbSession } from '../../db/types';
import { executeActions } from '../actions';
import { committedRunnable, readCommitted, verifyHash, type CommittedMigration } from '../committed';
import { EngineError } from '../errors';
import { isNoTransaction, sqlError, substitutePlaceholders, type RunnableText } from '../sourceText';
import type { EngineContext, Which } from '../context';
import type { MigrateResult } from '../types';
import { recoverInterruptedCommit } from './commit';

export async function runCommitted(engine: EngineContext, s: DbSession, which: Which, m: CommittedMigration): Promise<void> {
  const { invalidButAllowed } = verifyHash(m);
  const sub = substitutePlaceholders(m.body, engine.placeholders(which));
  const runnable = committedRunnable(m, sub.text, sub.toInput);
  const record = () =>
    s.query('insert into graphile_migrate.migrations(hash, previous_hash, filename) values ($1, $2, $3)', [m.hash, m.previousHash, m.filename]);
  const t0 = performance.now();
  if (isNoTransaction(sub.text)) {
    await engine.execMapped(s, runnable);
    await record();
  } else {
    await transaction(s, async () => {
      await engine.execMapped(s, runnable);
      await record();
    });
  }
  engine.emit({ type: 'migration-applied', filename: m.realFilename, shadow: which === 'shadow', ms: performance.now() - t0, invalidHashAllowed: invalidButAllowed });
}

/**
 * Several committed migrations in one script: `begin; body; insert tracking row; commit;` for each. The server
 * stops at the first error (earlier migrations stay committed, the failing one is rolled back, later ones never
 * start); the tracking table then says which one failed, and the error position maps into its file.
 */
export async function runCommittedBatch(engine: EngineContext, s: DbSession, which: Which, batch: CommittedMigration[]): Promise<void> {
  const lit = (v: string | null) => (v === null ? 'null' : `'${v.replace(/'/g, "''")}'`);
  const segments: { m: CommittedMigration; start: number; runnable: RunnableText }[] = [];
  let text = '';
  const invalid = new Map<CommittedMigration, boolean>();
  for (const m of batch) {
    invalid.set(m, verifyHash(m).invalidButAllowed);
    const sub = substitutePlaceholders(m.body, engine.placeholders(which));
    text += 'begin;\n';
    segments.push({ m, start: text.length, runnable: committedRunnable(m, sub.text, sub.toInput) });
    text += sub.text + '\n;\n';
    text += `insert into graphile_migrate.migrations(hash, previous_hash, filename) values (${lit(m.hash)}, ${lit(m.previousHash)}, ${lit(m.filename)});\ncommit;\n`;
  }
  const t0 = performance.now();
  try {
    await s.exec(text);
  } catch (e) {
    if (isConnectionLoss(e)) throw e;
    await s.exec('rollback').catch(() => undefined);
    const [last] = await s.query<{ filename: string }>('select filename from graphile_migrate.migrations order by filename desc limit 1');
    const failedAt = segments.findIndex((g) => !last || g.m.filename > last.filename);
    const ms = (performance.now() - t0) / Math.max(1, batch.length);
    for (const g of segments.slice(0, Math.max(0, failedAt))) {
      engine.emit({ type: 'migration-applied', filename: g.m.realFilename, shadow: which === 'shadow', ms, invalidHashAllowed: invalid.get(g.m)! });
    }
    const seg = segments[failedAt];
    if (!seg) throw e;
    const batchRunnable: RunnableText = {
      text,
      label: seg.m.realFilename,
      toSource: (o) => seg.runnable.toSource(Math.max(0, Math.min(o - seg.start, seg.runnable.text.length))),
    };
    throw sqlError(e, batchRunnable, engine.readFile);
  }
  const ms = (performance.now() - t0) / batch.length;
  for (const g of segments) engine.emit({ type: 'migration-applied', filename: g.m.realFilename, shadow: which === 'shadow', ms, invalidHashAllowed: invalid.get(g.m)! });
}

/** Applies pending migrations on an open session (lock already held). `extra` are migrations not yet on disk. */
export async function migrateSession(
  engine: EngineContext,
  s: DbSession,
  which: Which,
  opts: { forceActions?: boolean; extra?: CommittedMigration[]; signal?: AbortSignal } = {},
): Promise<MigrateResult> {
  await engine.ensureSchema(s);
  const [last] = await s.query<{ filename: string }>('select filename from graphile_migrate.migrations order by filename desc limit 1');
  const all = [...readCommitted(engine.settings.migrationsFolder), ...(opts.extra ?? [])];
  const remaining = all.filter((m) => !last || m.filename > last.filename);
  const act = remaining.length > 0 || !!opts.forceActions;
  const ctx = engine.actionContext(s, which);
  if (act) await executeActions(s, ctx, engine.settings.actions.beforeAllMigrations);
  let i = 0;
  while (i < remaining.length) {
    if (opts.signal?.aborted) throw new EngineError('cancelled', `cancelled before ${remaining[i].realFilename}`);
    // Consecutive transactional migrations go to the server in one round trip (each still its own transaction).
    const batch: CommittedMigration[] = [];
    let bytes = 0;
    while (i < remaining.length && batch.length < 50 && bytes < 1_000_000) {
      const m = remaining[i];
      if (isNoTransaction(substitutePlaceholders(m.body, engine.placeholders(which)).text)) break;
      // A tampered file ends the batch: the migrations before it are applied, as graphile-migrate would.
      try {
        verifyHash(m);
      } catch {
        break;
      }
      batch.push(m);
      bytes += m.body.length;
      i++;
    }
    if (batch.length > 1) await runCommittedBatch(engine, s, which, batch);
    else if (batch.length === 1) await runCommitted(engine, s, which, batch[0]);
    else await runCommitted(engine, s, which, remaining[i++]); // no-transaction, or refused for its hash
  }
  if (act) await executeActions(s, ctx, engine.settings.actions.afterAllMigrations);
  return { applied: remaining.map((m) => m.realFilename), upToDate: remaining.length === 0 };
}

/** `migrate`: applies pending committed migrations, each in its own transaction, under the advisory lock. */
export async function migrate(engine: EngineContext, opts: { shadow?: boolean; forceActions?: boolean; signal?: AbortSignal; skipRecovery?: boolean } = {}): Promise<MigrateResult> {
  const which: Which = opts.shadow ? 'shadow' : 'main';
  if (!opts.skipRecovery) recoverInterruptedCommit(engine);
  return engine.db(which).withSession((s) => engine.withLock(s, which, () => migrateSession(engine, s, which, opts), opts.signal), opts.signal);
}
