import path from 'node:path';
import { initProject, InitRefused } from '../../core/init';
import { out, parse } from './engineCli';

export const summary = 'create a graphile-migrate project: .gmrc and migrations/ [--root DIR]';
const HELP = `pgmig init [--root DIR]

Creates a graphile-migrate project in DIR (default: the current folder): .gmrc, migrations/current.sql,
migrations/committed/ and migrations/fixtures/, as graphile-migrate init does. Refuses a folder that already has a
.gmrc or a non-empty migrations/. Touches no database.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {});
  if (values.help) return out(HELP), 0;
  const root = path.resolve(values.root ?? '.');
  try {
    const r = initProject(root);
    out(`created a graphile-migrate project in ${r.root}:`);
    for (const c of r.created) out(`  ${c}`);
    out('next: write your first change in migrations/current.sql, then `pgmig watch` (or `pgmig migrate`) and `pgmig commit`.');
    return 0;
  } catch (e) {
    if (e instanceof InitRefused) {
      process.stderr.write(`pgmig init: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
