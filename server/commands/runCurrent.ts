// `pgmig.engine.runCurrent` (the "Run" lens): pending migrations, then current.sql, even when unchanged.
import { abortOnCancel, type Handler } from './host';

export const runCurrent: Handler = async (host, args, token) => {
  host.refuseUntrusted();
  const { slot } = await host.slotFor(args);
  const abort = abortOnCancel(token, host.ctx.log);
  return host.enqueue(slot, async () => {
    await slot.engine.migrate({ signal: abort.signal });
    return slot.engine.runCurrent({ force: true, signal: abort.signal });
  });
};
