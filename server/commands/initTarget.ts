// `pgmig.engine.initTarget`: migrates a new target database, stores the target's settings on it and runs its seed files.
import type { Handler } from './host';

export const initTarget: Handler = async (host, args) => {
  host.refuseUntrusted();
  const { slot } = await host.slotFor(args);
  return host.enqueue(slot, () => slot.engine.targetInit());
};
