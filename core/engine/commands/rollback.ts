// `rollback`: down scripts of the latest applied migrations (a pgmig addition to graphile-migrate's workflow).
import fs from 'node:fs';
import path from 'node:path';
import { transaction } from '../../db/types';
import { downPathFor, readCommitted, type CommittedMigration } from '../committed';
import { EngineError } from '../errors';
import { isNoTransaction, substitutePlaceholders, type RunnableText } from '../sourceText';
import type { EngineContext } from '../context';

/**
 * `rollback`: runs the down scripts of the latest applied migrations, newest first, each in a transaction with
 * its tracking row removed. `to` = the number of the last migration to keep (default: undo one).
 */
export async function rollback(engine: EngineContext, opts: { to?: number; signal?: AbortSignal } = {}): Promise<{ rolledBack: string[] }> {
  const committed = readCommitted(engine.settings.migrationsFolder);
  const byFilename = new Map(committed.map((m) => [m.filename, m]));
  return engine.db('main').withSession((s) =>
    engine.withLock(s, 'main', async () => {
      if (!(await engine.schemaExists(s))) return { rolledBack: [] };
      const rows = await engine.appliedRows(s);
      const targets = (opts.to === undefined ? rows.slice(-1) : rows.filter((r) => parseInt(r.filename, 10) > opts.to!)).reverse();
      const plan: { row: (typeof rows)[0]; m: CommittedMigration; down: string }[] = [];
      const missing: string[] = [];
      for (const row of targets) {
        const m = byFilename.get(row.filename);
        const down = m ? downPathFor(m.fullPath) : undefined;
        if (!m || !down || !fs.existsSync(down)) missing.push(m ? path.basename(downPathFor(m.fullPath)) : `${row.filename} (no committed file)`);
        else plan.push({ row, m, down });
      }
      if (missing.length) {
        throw new EngineError('refused', `cannot roll back: no down script for ${missing.join(', ')} (write it beside the committed file, e.g. current.down.sql before committing)`);
      }
      const done: string[] = [];
      for (const { row, m, down } of plan) {
        if (opts.signal?.aborted) break;
        const text = fs.readFileSync(down, 'utf8');
        const sub = substitutePlaceholders(text, engine.placeholders('main'));
        const runnable: RunnableText = { text: sub.text, label: path.basename(down), toSource: (o) => ({ file: down, offset: sub.toInput(o) }) };
        const undo = async () => {
          await engine.execMapped(s, runnable);
          await s.query('delete from graphile_migrate.migrations where hash = $1', [row.hash]);
        };
        await engine.located(s, () => (isNoTransaction(sub.text) ? undo() : transaction(s, undo)), opts.signal);
        done.push(m.realFilename);
      }
      return { rolledBack: done };
    }, opts.signal),
  );
}
