import { out, parse, runForTargets } from './engineCli';
import { UsageError } from '../usage';

export const summary = 'schema dump: write a deterministic schema.sql of the database [--file PATH]';
const HELP = `pgmig schema dump [--file PATH] [--root DIR] [--target NAME]

Writes the database's schema (pg_dump --schema-only where available, otherwise rebuilt from the catalog) to
schema.sql (or engine.schemaFile in pgmig.json). With engine.dumpSchemaOnCommit it is refreshed on each commit.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { file: { type: 'string' } }, true);
  if (values.help) return out(HELP), 0;
  if (positionals[0] !== 'dump' || positionals.length > 1) throw new UsageError("usage: pgmig schema dump [--file PATH]");
  if (values['all-targets']) throw new UsageError('schema dump runs for one database, not --all-targets');
  return runForTargets(values, async (engine, prefix) => {
    const r = await engine.schemaDump({ file: values.file });
    out(`${prefix}wrote ${r.file} (${r.via})`);
    return 0;
  });
}
