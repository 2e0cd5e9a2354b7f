// Runs current.sql once (watch's step), with graphile_migrate.current's skip-if-unchanged bookkeeping.
import path from 'node:path';
import { transaction } from '../../db/types';
import { executeActions } from '../actions';
import { invalidUtf8Error, type CompiledCurrent } from '../current';
import { isBlankSql, isNoTransaction, sqlFingerprint, substitutePlaceholders, type RunnableText } from '../sourceText';
import type { EngineContext, Which } from '../context';
import type { CurrentRunResult } from '../types';

export function currentRunnable(engine: EngineContext, cur: CompiledCurrent, which: Which): RunnableText {
  const sub = substitutePlaceholders(cur.text, engine.placeholders(which));
  return { text: sub.text, label: path.basename(cur.location.path), toSource: (o) => cur.toSource(sub.toInput(o)) };
}

/**
 * Runs current.sql once (watch's step): skipped when its compiled text equals what last ran, as graphile-migrate
 * does with graphile_migrate.current. Otherwise it runs in one transaction with the bookkeeping, so a failed run
 * leaves the database exactly as it was.
 */
export async function runCurrent(engine: EngineContext, opts: { shadow?: boolean; force?: boolean; signal?: AbortSignal } = {}): Promise<CurrentRunResult> {
  const which: Which = opts.shadow ? 'shadow' : 'main';
  const t0 = performance.now();
  const cur = engine.compileCurrent();
  const badBytes = invalidUtf8Error(cur);
  if (badBytes) throw badBytes;
  const runnable = currentRunnable(engine, cur, which);
  const fingerprint = sqlFingerprint(runnable.text);
  const blank = isBlankSql(runnable.text);
  const noTx = isNoTransaction(runnable.text);
  const upsert = `insert into graphile_migrate.current(content) values ($1)
    on conflict (filename) do update set content = excluded.content, date = excluded.date`;
  return engine.db(which).withSession(
    (s) =>
      engine.withLock(s, which, async () => {
        const ctx = engine.actionContext(s, which);
        await engine.ensureSchema(s);
        let unchanged = false;
        // An error without a position is pinned to its statement by a replay (the transaction is rolled back first).
        await engine.located(
          s,
          async () => {
            if (!noTx) {
              await transaction(s, async () => {
                await s.exec('lock graphile_migrate.current in exclusive mode');
                const [prev] = await s.query<{ content: string }>(`select content from graphile_migrate.current where filename = 'current.sql'`);
                unchanged = !opts.force && prev !== undefined && sqlFingerprint(prev.content) === fingerprint;
                if (!unchanged) {
                  await executeActions(s, ctx, engine.settings.actions.beforeCurrent);
                  if (!blank) await engine.execMapped(s, runnable);
                }
                await s.query(upsert, [runnable.text]);
              });
            } else {
              const [prev] = await s.query<{ content: string }>(`select content from graphile_migrate.current where filename = 'current.sql'`);
              unchanged = !opts.force && prev !== undefined && sqlFingerprint(prev.content) === fingerprint;
              if (!unchanged) {
                await executeActions(s, ctx, engine.settings.actions.beforeCurrent);
                await s.exec(`delete from graphile_migrate.current where filename = 'current.sql'`);
                await engine.execMapped(s, runnable);
              }
              await s.query(upsert, [runnable.text]);
            }
          },
          opts.signal,
        );
        if (!unchanged) await executeActions(s, ctx, engine.settings.actions.afterCurrent);
        return { ran: !unchanged && !blank, unchanged, ms: performance.now() - t0 };
      }, opts.signal),
    opts.signal,
  );
}
