// `pgmig data status|up|down [SCHEMA]`: the data migrations of a project (scripts its own runner applies, registered
// as <folder>/<schema>/NNNN_name.ts and tracked in a table; core/layouts/dataMigrations.ts). Status reads the table
// (and names rows whose script is gone); up and down run the project's own commands, output passed through.
import path from 'node:path';
import { PgProvider } from '../../core/db/pg';
import type { DbProvider } from '../../core/db/types';
import { AlembicLayout } from '../../core/layouts/alembic';
import { dataMigrationCommands, dataMigrationReport, listDataMigrations } from '../../core/layouts/dataMigrations';
import { runToolCommand } from '../../core/layouts/tool';
import { EngineError } from '../../core/engine/errors';
import { diskFileSystem } from '../../core/fileSystem';
import { UsageError } from '../usage';
import { out, parse, printError, runForTargets } from './engineCli';
import type { Command } from './index';
import { detectFor } from './layouts';

const HELP = `pgmig data status [--json] | up [SCHEMA] | down --yes [--root DIR] [--target NAME | --all-targets]

  status      each schema's data migrations, applied or pending; rows whose script is gone. Exit 1: pending.
  up [SCHEMA] runs the project's data-migration command (pgmig.json dataMigrations.migrate) for SCHEMA, or for
              every schema with pending data migrations
  down --yes  runs the project's reset command (dataMigrations.reset), which undoes the data migrations`;

const passThrough = (stream: 'stdout' | 'stderr', text: string) => (stream === 'stdout' ? process.stdout : process.stderr).write(text);

export const dataCommand: Command = {
  summary: 'data migrations: status, up [SCHEMA], down (the project\'s own runner)',
  async run(argv) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' }, yes: { type: 'boolean' } }, true);
    if (values.help || !positionals.length) return out(HELP), values.help ? 0 : 2;
    const [action, schema, ...extra] = positionals;
    if (!['status', 'up', 'down'].includes(action)) throw new UsageError(`pgmig data ${action}: expected status, up or down`);
    if (extra.length || (schema && action !== 'up')) throw new UsageError(`pgmig data ${action}: too many arguments`);
    const d = detectFor(argv);
    if (!d) throw new UsageError('no migrations project found here (see pgmig --help)');
    const config = d.project.dataMigrations;
    if (!config) throw new UsageError(`no data migrations in ${d.project.root}: set "dataMigrations" in pgmig.json (folder, table, migrate, reset), or keep them in src/data-migrations/<schema>/`);
    if (schema && !listDataMigrations(diskFileSystem, config).has(schema)) {
      throw new UsageError(`no data migrations for schema ${schema} in ${path.relative(process.cwd(), config.folder) || '.'}`);
    }
    if (action === 'down') {
      if (!values.yes) throw new UsageError(`pgmig data down runs \`${config.reset}\`, which undoes the data migrations: add --yes to run it`);
      const [reset] = dataMigrationCommands(config, d.project.root);
      return runTool(reset.commandLine, () => runToolCommand(reset, { output: passThrough }));
    }
    // The database of the schema migrations beside them: alembic's own, else the engine's (DATABASE_URL, targets).
    const withDb = async (fn: (db: DbProvider, prefix: string) => Promise<number>): Promise<number> => {
      if (d.layout instanceof AlembicLayout) {
        const where = d.layout.database();
        if (where.kind !== 'url') throw new EngineError('config', `cannot tell which database alembic uses: ${'reason' in where ? where.reason : ''}`);
        const db = new PgProvider(where.url);
        try {
          return await fn(db, '');
        } catch (e) {
          printError('', e);
          return 1;
        } finally {
          await db.close();
        }
      }
      return runForTargets(values, (engine, prefix) => fn(engine.db('main'), prefix));
    };
    return withDb(async (db, prefix) => {
      const report = await dataMigrationReport(db, config);
      if (action === 'status') {
        if (values.json) {
          out(JSON.stringify({ database: db.label, schemas: Object.fromEntries(report.bySchema), missingScripts: report.missingScripts }, null, 2));
        } else {
          out(`${prefix}${db.label}`);
          for (const [name, list] of report.bySchema) {
            const pending = list.filter((m) => m.state === 'pending');
            out(`  ${name}: ${list.length - pending.length} applied, ${pending.length} pending`);
            for (const m of list) out(`    ${m.state === 'applied' ? 'applied' : 'pending'}  ${m.name}${m.appliedAt ? ` (${m.appliedAt.toISOString()})` : ''}`);
          }
          for (const m of report.missingScripts) out(`  applied, but the script is gone: ${m.schema ? `${m.schema}/` : ''}${m.name} (ran ${m.appliedAt.toISOString()}; deleted or renamed since)`);
        }
        return [...report.bySchema.values()].flat().some((m) => m.state === 'pending') ? 1 : 0;
      }
      const schemas = schema ? [schema] : [...report.bySchema].filter(([, list]) => list.some((m) => m.state === 'pending')).map(([s]) => s);
      if (!schemas.length) return out(`${prefix}no pending data migrations`), 0;
      for (const s of schemas) {
        const [cmd] = dataMigrationCommands(config, d.project.root, s);
        out(`${prefix}$ ${cmd.commandLine}`);
        await runToolCommand(cmd, { output: passThrough });
      }
      return 0;
    });
  },
};

async function runTool(line: string, fn: () => Promise<void>): Promise<number> {
  out(`$ ${line}`);
  try {
    await fn();
    return 0;
  } catch (e) {
    printError('', e);
    return 1;
  }
}
