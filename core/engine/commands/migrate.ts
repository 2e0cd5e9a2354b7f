// `migrate`: pending committed migrations applied in order under the advisory lock, consecutive transactional ones
// sent in batches (each still its own transaction).
import { isConnectionLoss } from '../../db/pg';
import { transaction, type DbSession } from '../../db/types';
import { executeActions } from '../actions';
import { committedRunnable, readCommitted, verifyHash, type CommittedMigration } from '../committed';
import { EngineError } from '../errors';
import { splitStatements } from '../../sql/splitter';
import { skipTrivia } from '../../text';
import { isNoTransaction, substitutePlaceholders } from '../sourceText';
import type { EngineContext, Which } from '../context';
import type { MigrateResult } from '../types';
import { recoverInterruptedCommit, unfinishedCommitOfAnotherTarget } from './commit';

export async function runCommitted(engine: EngineContext, s: DbSession, which: Which, m: CommittedMigration): Promise<void> {
  const { invalidButAllowed } = verifyHash(m);
  const sub = substitutePlaceholders(m.body, engine.placeholders(which));
  const runnable = committedRunnable(m, sub.text, sub.toInput);
  const record = () =>
    s.query('insert into graphile_migrate.migrations(hash, previous_hash, filename) values ($1, $2, $3)', [m.hash, m.previousHash, m.filename]);
  const t0 = performance.now();
  await engine.located(s, async () => {
    if (isNoTransaction(sub.text)) {
      await engine.execMapped(s, runnable);
      await record();
    } else {
      await transaction(s, async () => {
        await engine.execMapped(s, runnable);
        await record();
      });
    }
  });
  engine.emit({ type: 'migration-applied', filename: m.realFilename, shadow: which === 'shadow', ms: performance.now() - t0, invalidHashAllowed: invalidButAllowed });
}

/**
 * True when `sql` ends at the top level: no open string, quoted identifier, dollar quote, comment or parenthesis
 * that would swallow what a batch appends after it. Such a text runs alone, as graphile-migrate would run it.
 */
function endsCleanly(sql: string): boolean {
  const probe = sql + '\n;\nselect 1';
  const pieces = splitStatements(probe);
  const last = pieces[pieces.length - 1];
  return !!last && skipTrivia(probe, last.start, last.end) === probe.length - 'select 1'.length;
}

/**
 * Several committed migrations in one script: `begin; body; insert tracking row; commit;` for each, so that 200
 * migrations cost a few round trips instead of 800. Batching must not change what the user sees: after an error
 * the tracking table says how far the batch got (earlier migrations stay committed, as graphile-migrate leaves
 * them), and the rest of the batch runs one migration at a time, so the failing one reports its own error in its
 * own file (a syntax error anywhere in a script stops PostgreSQL before it runs any of it). Each migration's
 * tracking date is its own start (clock_timestamp(), as now() is in graphile-migrate's own transaction), and its
 * time is read back from those dates.
 */
export async function runCommittedBatch(engine: EngineContext, s: DbSession, which: Which, batch: CommittedMigration[]): Promise<void> {
  const lit = (v: string | null) => (v === null ? 'null' : `'${v.replace(/'/g, "''")}'`);
  let text = '';
  const invalid = new Map<CommittedMigration, boolean>();
  for (const [k, m] of batch.entries()) {
    invalid.set(m, verifyHash(m).invalidButAllowed);
    const sub = substitutePlaceholders(m.body, engine.placeholders(which));
    // Every commit but the batch's last skips the wait for its WAL flush; the last one waits, and its flush writes
    // all the earlier commit records with it (the WAL is one sequence). So when the batch returns, every migration
    // in it is as durable as graphile-migrate's, one fsync instead of one per migration; a server crash in the
    // middle loses at most a suffix of whole migrations with their tracking rows, which the next migrate applies.
    const asyncCommit = k < batch.length - 1 ? 'set local synchronous_commit = off;\n' : '';
    // The tracking row first, dated by the clock (now() is the same for every statement of one script): the
    // migration's own start, as now() in graphile-migrate's transaction. It commits or rolls back with the body.
    text +=
      `begin;\n${asyncCommit}insert into graphile_migrate.migrations(hash, previous_hash, filename, date) values (${lit(m.hash)}, ${lit(m.previousHash)}, ${lit(m.filename)}, clock_timestamp());\n` +
      sub.text +
      '\n;\ncommit;\n' +
      // Outside the transaction, so that it survives a later failure: when the last applied migration ended.
      `select set_config('pgmig.ended', extract(epoch from clock_timestamp())::text, false);\n`;
  }
  let failure: unknown;
  try {
    await s.exec(text);
  } catch (e) {
    if (isConnectionLoss(e)) throw e;
    await s.exec('rollback').catch(() => undefined);
    failure = e;
  }
  const rows = await s.query<{ filename: string; started: number; ended: number }>(
    `select filename, extract(epoch from date)::float8 * 1000 as started,
            nullif(current_setting('pgmig.ended', true), '')::float8 * 1000 as ended
       from graphile_migrate.migrations where filename = any($1::text[]) order by filename`,
    [batch.map((m) => m.filename)],
  );
  const applied = new Map(rows.map((r, i) => [r.filename, (i + 1 < rows.length ? rows[i + 1].started : r.ended ?? r.started) - r.started]));
  for (const m of batch) {
    const ms = applied.get(m.filename);
    if (ms === undefined) break;
    engine.emit({ type: 'migration-applied', filename: m.realFilename, shadow: which === 'shadow', ms: Math.max(0, ms), invalidHashAllowed: invalid.get(m)! });
  }
  if (failure === undefined) return;
  // The rest one by one: the failing migration raises its own error (or, if the failure does not recur, runs).
  for (const m of batch.filter((b) => !applied.has(b.filename))) await runCommitted(engine, s, which, m);
}

/** Applies pending migrations on an open session (lock already held). `extra` are migrations not yet on disk. */
export async function migrateSession(
  engine: EngineContext,
  s: DbSession,
  which: Which,
  opts: { forceActions?: boolean; extra?: CommittedMigration[]; signal?: AbortSignal; holdBack?: { file: string; reason: string } } = {},
): Promise<MigrateResult> {
  await engine.ensureSchema(s);
  const [last] = await s.query<{ filename: string }>('select filename from graphile_migrate.migrations order by filename desc limit 1');
  const all = [...readCommitted(engine.settings.migrationsFolder), ...(opts.extra ?? [])];
  let remaining = all.filter((m) => !last || m.filename > last.filename);
  const held = opts.holdBack ? remaining.findIndex((m) => m.realFilename === opts.holdBack!.file) : -1;
  if (held >= 0) {
    engine.emit({ type: 'info', message: `${opts.holdBack!.file} not applied: ${opts.holdBack!.reason}` });
    remaining = remaining.slice(0, held);
  }
  const act = remaining.length > 0 || !!opts.forceActions;
  const ctx = engine.actionContext(s, which);
  if (act) await executeActions(s, ctx, engine.settings.actions.beforeAllMigrations);
  let i = 0;
  while (i < remaining.length) {
    if (opts.signal?.aborted) throw new EngineError('cancelled', `cancelled before ${remaining[i].realFilename}`);
    engine.emit({ type: 'progress', message: `${which === 'shadow' ? '[shadow] ' : ''}applying ${remaining[i].realFilename}`, done: i, total: remaining.length });
    // Consecutive transactional migrations go to the server in one round trip (each still its own transaction).
    const batch: CommittedMigration[] = [];
    let bytes = 0;
    while (i < remaining.length && batch.length < 50 && bytes < 1_000_000) {
      const m = remaining[i];
      const sql = substitutePlaceholders(m.body, engine.placeholders(which)).text;
      if (isNoTransaction(sql) || !endsCleanly(sql)) break;
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
    else await runCommitted(engine, s, which, remaining[i++]); // no-transaction, not ending cleanly, or refused for its hash
  }
  if (act) await executeActions(s, ctx, engine.settings.actions.afterAllMigrations);
  return { applied: remaining.map((m) => m.realFilename), upToDate: remaining.length === 0 && held < 0, heldBack: held >= 0 ? opts.holdBack : undefined };
}

/** `migrate`: applies pending committed migrations, each in its own transaction, under the advisory lock. */
export async function migrate(engine: EngineContext, opts: { shadow?: boolean; forceActions?: boolean; signal?: AbortSignal; skipRecovery?: boolean } = {}): Promise<MigrateResult> {
  const which: Which = opts.shadow ? 'shadow' : 'main';
  if (!opts.skipRecovery) await recoverInterruptedCommit(engine);
  const holdBack = unfinishedCommitOfAnotherTarget(engine);
  return engine.db(which).withSession((s) => engine.withLock(s, which, () => migrateSession(engine, s, which, { ...opts, holdBack }), opts.signal), opts.signal);
}
