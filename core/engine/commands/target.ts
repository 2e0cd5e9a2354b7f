// `target init`: a new target's database created, migrated, configured and seeded.
import path from 'node:path';
import { PgProvider } from '../../db/pg';
import { transaction } from '../../db/types';
import { EngineError } from '../errors';
import { substitutePlaceholders, type RunnableText } from '../sourceText';
import { readFileOrUndefined, type EngineContext } from '../context';
import type { MigrateResult } from '../types';
import { migrate } from './migrate';

/** A new target's database may not exist yet: create it through the root connection (as reset does). */
export async function createIfMissing(engine: EngineContext): Promise<void> {
  const loc = engine.settings.main;
  if (loc.kind !== 'pg') return;
  try {
    await engine.db('main').withSession(async () => undefined);
    return;
  } catch (e) {
    if (!(e instanceof EngineError) || e.sqlstate !== '3D000' || !engine.settings.rootConnectionString) throw e;
  }
  const name = engine.db('main').databaseName;
  const root = new PgProvider(engine.settings.rootConnectionString);
  const ident = (x: string) => '"' + x.replace(/"/g, '""') + '"';
  try {
    await root.withSession((s) => s.exec(`CREATE DATABASE ${ident(name)} OWNER ${ident(engine.settings.databaseOwner)}`));
    engine.emit({ type: 'info', message: `created database ${engine.describe('main')}` });
  } finally {
    await root.close();
  }
}

/** `target init`: migrate a new database, persist the target's settings on it, run its seed files. */
export async function targetInit(engine: EngineContext): Promise<{ migrated: MigrateResult; seeds: string[] }> {
  const name = engine.settings.target;
  if (!name) throw new EngineError('config', 'target init needs a target (pgmig target init NAME)');
  const spec = engine.settings.targets[name];
  await createIfMissing(engine);
  const migrated = await migrate(engine);
  const seeds: string[] = [];
  await engine.db('main').withSession((s) => engine.withLock(s, 'main', async () => {
    const db = engine.db('main').databaseName;
    for (const [k, v] of Object.entries(spec.pgSettings)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_.]*$/.test(k)) throw new EngineError('config', `target '${name}': pgSettings key '${k}' is not a custom setting name (namespace.name)`);
      await s.exec(`alter database "${db.replace(/"/g, '""')}" set ${k} = '${v.replace(/'/g, "''")}'`);
    }
    for (const seed of spec.seeds) {
      const file = path.resolve(engine.settings.root, seed);
      const text = readFileOrUndefined(file);
      if (text === undefined) throw new EngineError('config', `target '${name}': seed file ${file} not found`);
      const sub = substitutePlaceholders(text, engine.placeholders('main'));
      const runnable: RunnableText = { text: sub.text, label: seed, toSource: (o) => ({ file, offset: sub.toInput(o) }) };
      await engine.located(s, () => transaction(s, () => engine.execMapped(s, runnable)));
      seeds.push(seed);
    }
  }));
  return { migrated, seeds };
}
