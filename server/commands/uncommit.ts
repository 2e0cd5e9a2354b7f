// `pgmig.engine.uncommit`: the latest committed migration goes back to current.sql.
import type { Handler } from './host';

export const uncommit: Handler = async (host, args) => {
  host.refuseUntrusted();
  const { slot } = await host.slotFor(args);
  return host.enqueue(slot, () => slot.engine.uncommit());
};
