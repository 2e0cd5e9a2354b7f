// `pgmig.engine.dumpSchema`: a deterministic schema.sql of the main database, for git.
import type { Handler } from './host';

export const dumpSchema: Handler = async (host, args) => {
  host.refuseUntrusted();
  const { slot } = await host.slotFor(args);
  return host.enqueue(slot, async () => {
    const r = await slot.engine.schemaDump();
    return { file: r.file, via: r.via };
  });
};
