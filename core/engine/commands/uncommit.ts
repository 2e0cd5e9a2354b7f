// `uncommit`: the latest committed migration back into current.
import fs from 'node:fs';
import path from 'node:path';
import { parseMigrationText, readCommitted, serializeMigration } from '../committed';
import { writeCurrent, writeFileAtomic } from '../current';
import { EngineError } from '../errors';
import { isBlankSql } from '../sourceText';
import type { EngineContext } from '../context';
import { resetShadowAndMigrate } from './shadow';

/** `uncommit`: the latest committed migration back into current (includes restored), its tracking row removed. */
export async function uncommit(engine: EngineContext): Promise<{ file: string }> {
  const folder = engine.settings.migrationsFolder;
  const all = readCommitted(folder);
  const last = all[all.length - 1];
  if (!last) throw new EngineError('refused', "There's no committed migration to uncommit");
  const cur = engine.compileCurrent();
  if (!isBlankSql(cur.text)) throw new EngineError('refused', 'Cannot uncommit - current migration is not blank.');
  const contents = fs.readFileSync(last.fullPath, 'utf8');
  const { headers, headerOrder, body: committedBody } = parseMigrationText(last.fullPath, contents);
  const body = committedBody.replace(/^--! Included (?<filename>\S+)$[\s\S]*?^--! EndIncluded \k<filename>$/gm, (_m, filename) => `--!include ${filename}`);
  const other = headerOrder.filter((k) => !['Hash', 'Previous', 'AllowInvalidHash'].includes(k)).map((k): [string, string | null] => [k, headers[k]]);
  // The database first: if it cannot be reached nothing has changed; a row left behind for a file moved back
  // into current would make the next commit of the same number look applied already.
  await engine.db('main').withSession((s) =>
    engine.withLock(s, 'main', async () => {
      if (await engine.schemaExists(s)) await s.query('delete from graphile_migrate.migrations where hash = $1', [last.hash]);
    }),
  );
  writeCurrent(cur.location, serializeMigration(body, other), engine.settings.blankMigrationContent);
  if (last.downPath && cur.location.isFile) {
    writeFileAtomic(path.join(folder, 'current.down.sql'), fs.readFileSync(last.downPath, 'utf8'));
    fs.rmSync(last.downPath, { force: true });
  }
  fs.rmSync(last.fullPath, { force: true });
  if (engine.settings.shadow.kind === 'pg') await resetShadowAndMigrate(engine);
  return { file: last.fullPath };
}
