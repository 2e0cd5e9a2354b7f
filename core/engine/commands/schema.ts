// `schema dump`: a deterministic schema.sql of the main database.
import path from 'node:path';
import { writeFileAtomic } from '../current';
import { dumpSchema } from '../schemaDump';
import type { EngineContext } from '../context';

/** `schema dump`: a deterministic schema.sql of the main database, for git. */
export async function schemaDump(engine: EngineContext, opts: { file?: string } = {}): Promise<{ file: string; text: string; via: string }> {
  const loc = engine.settings.main;
  const { text, via } = await engine.db('main').withSession((s) => dumpSchema(s, loc.kind === 'pg' ? loc.url : undefined));
  const file = path.resolve(engine.settings.root, opts.file ?? engine.settings.engine.schemaFile);
  writeFileAtomic(file, text);
  return { file, text, via };
}
