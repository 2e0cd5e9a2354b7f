// `pgmig.engine.commit`: current.sql becomes the next committed migration.
import type { Handler } from './host';

export const commit: Handler = async (host, args) => {
  host.refuseUntrusted();
  const { slot } = await host.slotFor(args);
  return host.enqueue(slot, async () => {
    const r = await slot.engine.commit({ message: args.message || undefined });
    slot.failures.clear();
    return r;
  });
};
