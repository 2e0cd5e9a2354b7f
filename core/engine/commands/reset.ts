// `reset --erase`: drop and recreate a database, then migrate it.
import { PgProvider } from '../../db/pg';
import { PgliteProvider } from '../../db/pglite';
import { executeActions } from '../actions';
import { EngineError } from '../errors';
import { DEFAULT_ROOT_URL, environmentOf } from '../settings';
import { parseConnectionString } from '../../db/connection';
import type { DbProvider } from '../../db/types';
import type { EngineContext, Which } from '../context';
import type { ActionSpec } from '../settings';
import type { MigrateResult } from '../types';
import { migrate } from './migrate';

/** The server and database a URL names, to compare two URLs (`localhost` and the default port spelled out). */
function databaseIdentity(url: string): string | undefined {
  try {
    const p = parseConnectionString(url);
    if (!p.database) return undefined;
    const host = !p.host || p.host === '127.0.0.1' || p.host === '::1' ? 'localhost' : p.host.toLowerCase();
    return `${host}:${p.port ?? 5432}/${p.database}`;
  } catch {
    return undefined;
  }
}

/**
 * A protected target's database is never dropped, however it is reached: as the default database, as another
 * target's, or as the shadow database a commit or a shadow reset would drop (SHADOW_DATABASE_URL pointing at it).
 */
function refuseProtected(engine: EngineContext, url: string): void {
  const id = databaseIdentity(url);
  if (!id) return;
  const env = environmentOf(engine.settings);
  for (const t of Object.values(engine.settings.targets)) {
    const targetUrl = t.protected ? env[t.urlEnv] : undefined;
    if (targetUrl && databaseIdentity(targetUrl) === id) {
      throw new EngineError('refused', `'${id.split('/').pop()}' is the database of target '${t.name}', which is protected (pgmig.json): pgmig will not drop it`);
    }
  }
}

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
  refuseProtected(engine, loc.url);
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
  } catch (e) {
    // graphile-migrate's default root URL is a guess the user never made: say so when it is the one that failed.
    if (e instanceof EngineError && e.code === 'connect' && engine.settings.rootConnectionString === DEFAULT_ROOT_URL) {
      throw new EngineError('connect', e.message, {
        cause: e,
        hint: `reset drops and recreates '${name}' through a root connection, and none is set: ROOT_DATABASE_URL (environment or .env) or rootConnectionString in .gmrc; ${DEFAULT_ROOT_URL}, graphile-migrate's default, was tried`,
      });
    }
    throw e;
  } finally {
    await root.close();
  }
}

/** Runs `specs` (beforeReset, afterReset, ...) on a database, in a session of its own, as graphile-migrate does. */
async function runActions(engine: EngineContext, which: Which, specs: ActionSpec[], provider: DbProvider = engine.db(which)): Promise<void> {
  if (!specs.length) return;
  await provider.withSession((s) => executeActions(s, engine.actionContext(s, which, provider), specs));
}

/**
 * graphile-migrate's reset of one database, for `reset` and every reset of the shadow (commit, uncommit, the shadow
 * check): beforeReset actions on the database about to go, drop and recreate, afterReset actions on the new one
 * (placeholders, pgSettings, root and shadow flags as graphile-migrate's). `fresh` replaces drop-and-create for an
 * in-memory database (a new one is a reset one) and returns its provider.
 */
export async function resetDatabase(engine: EngineContext, which: Which, fresh?: () => Promise<DbProvider>): Promise<DbProvider> {
  const { beforeReset, afterReset } = engine.settings.actions;
  const loc = engine.location(which);
  if (loc.kind === 'pg') {
    refuseProtected(engine, loc.url); // before its beforeReset actions too
    try {
      await runActions(engine, which, beforeReset);
    } catch (e) {
      // A database that does not exist yet has nothing to prepare (graphile-migrate would stop here).
      if (!(e instanceof EngineError && e.sqlstate === '3D000')) throw e;
    }
  }
  engine.emit({ type: 'progress', message: `recreating ${which === 'shadow' ? 'the shadow database' : engine.describe(which)}` });
  const provider = fresh ? await fresh() : (await dropAndCreate(engine, which), engine.db(which));
  if (afterReset.length) engine.emit({ type: 'progress', message: 'running afterReset actions' });
  await runActions(engine, which, afterReset, provider);
  return provider;
}

/** `reset --erase`: drops and recreates the database (root connection), then migrates. */
export async function reset(engine: EngineContext, opts: { shadow?: boolean; erase: boolean }): Promise<MigrateResult> {
  if (!opts.erase) throw new EngineError('refused', 'reset drops the whole database: add --erase to confirm');
  const which: Which = opts.shadow ? 'shadow' : 'main';
  const target = engine.settings.target;
  if (which === 'main' && target && engine.settings.targets[target]?.protected) {
    throw new EngineError('refused', `target '${target}' is protected (pgmig.json): reset --erase will not drop its database`);
  }
  await resetDatabase(engine, which);
  return migrate(engine, { shadow: opts.shadow });
}
