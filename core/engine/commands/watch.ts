// `watch`: migrate, then run current.sql whenever it or a fixture changes.
import fs from 'node:fs';
import path from 'node:path';
import { writeCurrent } from '../current';
import { EngineError } from '../errors';
import type { EngineContext } from '../context';
import type { CurrentRunResult } from '../types';
import { runCurrent } from './current';
import { migrate } from './migrate';

/**
 * `watch`: migrates, then runs current.sql now and whenever it or a fixture changes, until `signal` aborts.
 * Each run's outcome goes to `onRun` (an EngineError for a failed run). With `once`, runs once and returns.
 */
export interface WatchOptions {
  once?: boolean;
  shadow?: boolean;
  signal?: AbortSignal;
  onRun?: (result: CurrentRunResult | EngineError | Error) => void;
  /** Safety net for missed file events (e.g. git stash): poll every N ms. */
  pollMs?: number;
}

export async function watch(engine: EngineContext, opts: WatchOptions = {}): Promise<CurrentRunResult | void> {
  await migrate(engine, { shadow: opts.shadow, signal: opts.signal });
  const loc = engine.compileCurrentLocation();
  if (!loc.exists) writeCurrent(loc, engine.settings.blankMigrationContent.trim() + '\n', engine.settings.blankMigrationContent);
  if (opts.once) return runCurrent(engine, { shadow: opts.shadow, signal: opts.signal });

  let running = false;
  let again = false;
  let lastSnapshot = '';
  const snapshot = () => {
    // The inputs: the compiled text and the files it was read from (current, its folder, every fixture reached),
    // with their modification times: a save without an edit runs current again (graphile-migrate does on a save),
    // nothing else does. Cheap for a few small files.
    try {
      const cur = engine.compileCurrent();
      const stamps = [cur.location.path, ...cur.files].map((f) => {
        const st = fs.statSync(f, { throwIfNoEntry: false });
        return `${f}:${st?.mtimeMs ?? '-'}:${st?.size ?? '-'}`;
      });
      return stamps.join('\n') + '\n' + cur.text;
    } catch (e: any) {
      return 'error:' + e?.message;
    }
  };
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const snap = snapshot();
        if (snap === lastSnapshot) continue;
        lastSnapshot = snap;
        try {
          const r = await runCurrent(engine, { shadow: opts.shadow, signal: opts.signal });
          opts.onRun?.(r);
        } catch (e: any) {
          // A failed script runs again only when a watched file changes (the poll must not re-run it every second);
          // a database that could not be reached or locked is tried again on the next poll.
          if (e instanceof EngineError && (e.code === 'connect' || e.code === 'lock')) lastSnapshot = '';
          opts.onRun?.(e);
        }
      } while (again && !opts.signal?.aborted);
    } finally {
      running = false;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const trigger = () => {
    if (timer) clearTimeout(timer);
    // Editors write a file in one or two syscalls; a few ms of quiet is enough (graphile-migrate waits 200 ms).
    timer = setTimeout(() => void run(), 8);
  };
  const watchers: fs.FSWatcher[] = [];
  const watchDir = (dir: string, recursive: boolean) => {
    try {
      watchers.push(fs.watch(dir, { recursive }, () => trigger()));
    } catch {
      /* missing folder: the poll still sees it appear */
    }
  };
  watchDir(engine.settings.migrationsFolder, false);
  if (!loc.isFile) watchDir(loc.path, false);
  watchDir(path.join(engine.settings.migrationsFolder, 'fixtures'), true);
  const poll = setInterval(() => trigger(), opts.pollMs ?? 1000);
  await run();
  await new Promise<void>((resolve) => {
    if (opts.signal?.aborted) return resolve();
    opts.signal?.addEventListener('abort', () => resolve(), { once: true });
    if (!opts.signal) {
      /* runs until the process ends */
    }
  });
  clearInterval(poll);
  if (timer) clearTimeout(timer);
  for (const w of watchers) w.close();
  while (running) await new Promise((r) => setTimeout(r, 5));
}
