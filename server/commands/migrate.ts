// `pgmig.engine.migrate`: every pending migration, or up to one (the "Apply" lens); a failure is remembered for the
// tree and the lenses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCommitted } from '../../core/engine/committed';
import { EngineError } from '../../core/engine/errors';
import { abortOnCancel, oneLine, type Handler, type Slot } from './host';

/**
 * The engine applies every pending migration; applying up to one is done by pointing it at a folder that holds
 * only the migrations up to that number (symlinks), for the duration of one queued operation.
 * TODO(engine): replace with `engine.migrate({ to })` once the engine offers it.
 */
async function migrateUpTo(slot: Slot, to: number, signal: AbortSignal) {
  const settings = slot.engine.settings as { migrationsFolder: string };
  const folder = settings.migrationsFolder;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgmig-upto-'));
  try {
    for (const entry of fs.readdirSync(folder)) if (entry !== 'committed') fs.symlinkSync(path.join(folder, entry), path.join(tmp, entry));
    fs.mkdirSync(path.join(tmp, 'committed'));
    for (const m of readCommitted(folder)) {
      if (parseInt(m.filename, 10) > to) continue;
      fs.symlinkSync(m.fullPath, path.join(tmp, 'committed', m.realFilename));
    }
    settings.migrationsFolder = tmp;
    try {
      return await slot.engine.migrate({ signal });
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      const back = (s: string) => s.split(tmp).join(folder);
      throw new EngineError(e.code, back(e.message), {
        sqlstate: e.sqlstate,
        detail: e.detail,
        hint: e.hint,
        cause: e,
        location: e.location ? { ...e.location, file: back(e.location.file) } : undefined,
      });
    } finally {
      settings.migrationsFolder = folder;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** After a failed migrate: the first migration still pending is the one that failed. */
async function recordFailure(slot: Slot, e: unknown): Promise<void> {
  if (e instanceof EngineError && e.code === 'cancelled') return; // stopped, not failed
  try {
    const report = await slot.engine.status();
    const first = report.pending[0];
    if (first) slot.failures.set(first, oneLine(e));
  } catch {
    /* unreachable database: nothing to record */
  }
}

export const migrate: Handler = async (host, args, token) => {
  host.refuseUntrusted();
  const { slot } = await host.slotFor(args);
  const abort = abortOnCancel(token, host.ctx.log);
  return host.enqueue(slot, async () => {
    try {
      const r = args.to === undefined ? await slot.engine.migrate({ signal: abort.signal }) : await migrateUpTo(slot, args.to, abort.signal);
      for (const f of r.applied) slot.failures.delete(f);
      return r;
    } catch (e) {
      await recordFailure(slot, e);
      throw e;
    }
  });
};
