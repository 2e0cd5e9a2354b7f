// `reset --erase`: drop and recreate a database, then migrate it.
import { PgProvider } from '../../db/pg';
import { PgliteProvider } from '../../db/pglite';
import { executeActions } from '../actions';
import { EngineError } from '../errors';
import type { EngineContext, Which } from '../context';
import type { MigrateResult } from '../types';
import { migrate } from './migrate';

export async function dropAndCreate(engine: EngineContext, which: Which): Promise<void> {
  const loc = engine.location(which);
  const old = engine.providers.get(which);
  engine.providers.delete(which);
  if (which === 'shadow' && loc.kind === 'pg') {
    // The shadow check's connections to the same database would block DROP DATABASE.
    const check = engine.providers.get('check');
    engine.providers.delete('check');
    engine.checkShadowHistory = undefined;
    await check?.close();
  }
  if (loc.kind === 'pglite-memory') {
    await old?.close();
    return;
  }
  if (loc.kind === 'pglite') {
    const p = (old as PgliteProvider | undefined) ?? new PgliteProvider({ dataDir: loc.dataDir });
    await p.erase();
    return;
  }
  await old?.close();
  if (!engine.settings.rootConnectionString) throw new EngineError('config', 'reset needs rootConnectionString or ROOT_DATABASE_URL');
  const name = new PgProvider(loc.url).databaseName;
  const root = new PgProvider(engine.settings.rootConnectionString);
  const ident = (x: string) => '"' + x.replace(/"/g, '""') + '"';
  try {
    await root.withSession(async (s) => {
      await s.exec(`DROP DATABASE IF EXISTS ${ident(name)};`);
      try {
        await s.exec(`CREATE DATABASE ${ident(name)} OWNER ${ident(engine.settings.databaseOwner)};`);
      } catch (e: any) {
        throw new EngineError('sql', `Failed to create database '${name}' with owner '${engine.settings.databaseOwner}': ${e?.message ?? e}`);
      }
      await s.exec(`REVOKE ALL ON DATABASE ${ident(name)} FROM PUBLIC;`);
    });
  } finally {
    await root.close();
  }
}

/** `reset --erase`: drops and recreates the database (root connection), then migrates. */
export async function reset(engine: EngineContext, opts: { shadow?: boolean; erase: boolean }): Promise<MigrateResult> {
  if (!opts.erase) throw new EngineError('refused', 'reset drops the whole database: add --erase to confirm');
  const which: Which = opts.shadow ? 'shadow' : 'main';
  const actionsOn = async (specs: typeof engine.settings.actions.beforeReset) => {
    if (!specs.length) return;
    await engine.db(which).withSession((s) => executeActions(s, engine.actionContext(s, which), specs));
  };
  if (engine.location(which).kind === 'pg') await actionsOn(engine.settings.actions.beforeReset);
  await dropAndCreate(engine, which);
  await actionsOn(engine.settings.actions.afterReset);
  return migrate(engine, { shadow: opts.shadow });
}
