// `pgmig.engine.reset`: drops and re-creates the database, after the user typed its name; refused on protected targets.
import { describeConnection } from '../../core/db/connection';
import { EngineError } from '../../core/engine/errors';
import { EMBEDDED_TARGET, type Handler } from './host';
import { stopWatch } from './watch';

export const reset: Handler = async (host, args) => {
  host.refuseUntrusted();
  const { slot, settings, protected: isProtected } = await host.slotFor(args);
  const name = settings.main.kind === 'pg' ? slot.engine.db('main').databaseName : EMBEDDED_TARGET;
  if (isProtected) throw new EngineError('refused', `target '${slot.target || 'default'}' is protected: reset is refused (pgmig.targets.${slot.target || 'default'}.protected)`);
  if (args.confirm !== name) throw new EngineError('refused', `reset drops the whole database: type its name '${name}' to confirm`);
  // Other engines connected to the same database (other targets naming it) would block DROP DATABASE.
  const here = settings.main.kind === 'pg' ? describeConnection(settings.main.url) : undefined;
  for (const other of host.slots.values()) {
    if (other === slot || !here) continue;
    const loc = other.engine.settings.main;
    if (loc.kind === 'pg' && describeConnection(loc.url) === here) {
      host.ctx.log(`reset: closing the connections of target '${other.target || 'default'}' to the same database`);
      await stopWatch(host, other);
      await host.enqueue(other, () => other.engine.close());
    }
  }
  return host.enqueue(slot, async () => {
    await stopWatch(host, slot);
    host.ctx.log(`reset: dropping and re-creating ${settings.main.kind === 'pg' ? describeConnection(settings.main.url) : 'the embedded database'}`);
    const r = await slot.engine.reset({ erase: true });
    slot.failures.clear();
    return r;
  });
};
