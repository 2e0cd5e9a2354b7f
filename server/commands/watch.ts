// `pgmig.engine.watchStart` / `watchStop`: current.sql applied whenever it or a fixture changes; its errors are
// published as diagnostics until the next run.
import type { CurrentRunResult } from '../../core/engine';
import type { EngineError } from '../../core/engine/errors';
import { oneLine, type EngineHost, type Handler, type Slot, type Watch } from './host';

export function startWatch(host: EngineHost, slot: Slot): Watch {
  const abort = new AbortController();
  const watch: Watch = { abort, done: Promise.resolve(), state: 'running' };
  const onRun = (r: CurrentRunResult | EngineError | Error) => {
    watch.at = new Date();
    if (r instanceof Error) {
      watch.state = 'error';
      watch.message = oneLine(r).replace(/^.*?:\d+:\d+: /, '');
      try {
        watch.errorText = slot.engine.compileCurrent().text;
      } catch {
        watch.errorText = undefined;
      }
      host.ctx.log(`${slot.target ? `[${slot.target}] ` : ''}watch: current migration failed: ${oneLine(r)}`);
      host.setDiagnostics(`watch:${slot.key}`, host.errorDiagnostics(r));
    } else {
      watch.state = r.unchanged ? 'unchanged' : 'applied';
      watch.message = r.unchanged ? 'unchanged' : `applied in ${r.ms.toFixed(0)} ms`;
      watch.errorText = undefined;
      host.ctx.log(`${slot.target ? `[${slot.target}] ` : ''}watch: current migration ${watch.message}`);
      host.setDiagnostics(`watch:${slot.key}`, new Map());
      if (watch.state === 'applied') watch.state = 'applied';
    }
    host.changed(slot);
  };
  watch.done = slot.engine
    .watch({ signal: abort.signal, onRun, pollMs: 1000 })
    .then(() => undefined)
    .catch((e) => {
      watch.state = 'error';
      watch.message = oneLine(e);
      host.ctx.log(`watch stopped: ${oneLine(e)}`);
      host.setDiagnostics(`watch:${slot.key}`, host.errorDiagnostics(e));
      if (slot.watch === watch) slot.watch = undefined;
      host.changed(slot);
    });
  slot.watch = watch;
  return watch;
}

export async function stopWatch(host: EngineHost, slot: Slot): Promise<void> {
  const w = slot.watch;
  if (!w) return;
  slot.watch = undefined;
  w.abort.abort();
  await w.done;
  host.setDiagnostics(`watch:${slot.key}`, new Map());
}

export const watchStart: Handler = async (host, args) => {
  host.refuseUntrusted();
  const { slot } = await host.slotFor(args);
  await host.enqueue(slot, async () => {
    if (!slot.watch) startWatch(host, slot);
  });
  return { watching: true };
};

export const watchStop: Handler = async (host, args) => {
  const { slot } = await host.slotFor(args);
  await stopWatch(host, slot);
  return { watching: false };
};
