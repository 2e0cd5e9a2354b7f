// `pgmig.engine.rollback`: runs down scripts back to a migration number.
import { abortOnCancel, type Handler } from './host';

export const rollback: Handler = async (host, args, token) => {
  host.refuseUntrusted();
  const { slot } = await host.slotFor(args);
  const abort = abortOnCancel(token, host.ctx.log);
  return host.enqueue(slot, () => slot.engine.rollback({ to: args.to, signal: abort.signal }));
};
