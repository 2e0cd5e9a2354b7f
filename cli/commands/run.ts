// `pgmig run FILE` (graphile-migrate's run): compiles FILE (includes, placeholders) and runs it on the database (or
// the shadow with --shadow); a single statement's rows are printed as a table (--json: as JSON).
import { runFile } from '../../core/layouts/graphileCompile';
import { UsageError } from '../usage';
import { out, parse, runForTargets } from './engineCli';
import type { Command } from './index';

export const runCommand: Command = {
  summary: 'compile an SQL file (includes, placeholders) and run it on the database <FILE> [--shadow]',
  async run(argv) {
    const { values, positionals } = parse(argv, { shadow: { type: 'boolean' }, json: { type: 'boolean' }, 'root-user': { type: 'boolean' }, 'root-database': { type: 'boolean' } }, true);
    if (values.help) return out('pgmig run FILE [--shadow] [--root-user | --root-database] [--json] [--root DIR] [--target NAME | --all-targets]\n\nCompiles FILE as graphile-migrate does (--!include expanded, :PLACEHOLDERS substituted) and runs it on the database; useful for seeding. A query\'s rows are printed.\n  --root-user      as the root user (rootConnectionString) on the application database (graphile-migrate\'s --root)\n  --root-database  on the root database itself (graphile-migrate\'s --rootDatabase)'), 0;
    if (positionals.length !== 1) throw new UsageError('pgmig run needs exactly one file, e.g. pgmig run seeds/dev.sql');
    return runForTargets(values, async (engine, prefix) => {
      const r = await runFile(engine, positionals[0], { shadow: !!values.shadow, root: !!values['root-user'], rootDatabase: !!values['root-database'] });
      if (values.json) out(JSON.stringify(r.rows ?? [], null, 2));
      else if (r.rows) console.table(r.rows);
      else out(`${prefix}ran ${positionals[0]} (${r.database})`);
      return 0;
    });
  },
};
