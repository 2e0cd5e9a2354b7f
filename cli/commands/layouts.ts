// `status`, `migrate` and `rollback` for projects of the other layouts (numbered SQL, Drizzle Kit, Alembic), and
// `new`: the graphile-migrate commands stay as they are and run whenever the project is a graphile-migrate one.
// The database is the one the engine's settings name (--target, a Drizzle config's dbCredentials, DATABASE_URL, else
// the embedded one; Alembic: the one alembic uses).
import path from 'node:path';
import JSON5 from 'json5';
import { diskFileSystem } from '../../core/fileSystem';
import { findProjectRoot } from '../../core/project';
import { detectLayout, LayoutConfigError } from '../../core/layouts/detect';
import { layoutFor } from '../../core/layouts';
import { newNumberedMigration } from '../../core/layouts/numbered';
import { duplicateNumbers } from '../../core/layouts/files';
import { AlembicLayout } from '../../core/layouts/alembic';
import { dataMigrationReport } from '../../core/layouts/dataMigrations';
import type { LayoutProject, LayoutStatus, MigrationLayout } from '../../core/layouts/types';
import { appliedMigrationEditedFindings } from '../../core/rules/appliedMigrationEdited';
import { migrationOutOfOrderFindings } from '../../core/rules/migrationOutOfOrder';
import type { Finding } from '../../core/types';
import { EngineError } from '../../core/engine/errors';
import { redactSecrets } from '../../core/db/connection';
import { UsageError } from '../usage';
import { err, out, parse, printError, runForTargets } from './engineCli';
import type { Command } from './index';
import type { MigrationEngine } from '../../core/engine';
import { historyCommand } from './history';
import { dataCommand } from './data';
import { compileCommand } from './compile';
import { runCommand } from './run';

/** A project whose layout config cannot be read (a Drizzle `out` that is missing or not a literal): a usage error
 * (2) for every command but status, for which it is a status that could not be read (4). */
class LayoutUnreadableError extends UsageError {}

interface Detected {
  project: LayoutProject;
  layout: MigrationLayout | undefined;
}

/** The layout of the project the command line names (--root) or the current folder is in. */
export function detectFor(argv: string[]): Detected | undefined {
  let root: string | undefined;
  const i = argv.findIndex((a) => a === '--root' || a.startsWith('--root='));
  if (i >= 0) root = argv[i].includes('=') ? argv[i].slice('--root='.length) : argv[i + 1];
  root = root ? path.resolve(root) : findProjectRoot(diskFileSystem, process.cwd());
  if (!root) return undefined;
  const configPath = path.join(root, 'pgmig.json');
  const text = diskFileSystem.read(configPath);
  let raw: unknown;
  try {
    raw = text === undefined ? undefined : JSON5.parse(text);
  } catch {
    return undefined; // the graphile-migrate command reports the broken file
  }
  try {
    const project = detectLayout(diskFileSystem, diskFileSystem.realpath(root) ?? root, raw, configPath);
    return { project, layout: layoutFor(project) };
  } catch (e) {
    if (e instanceof LayoutConfigError) throw new LayoutUnreadableError(e.message);
    throw e;
  }
}

const rel = (root: string, file: string) => path.relative(root, file) || '.';

function printStatus(prefix: string, project: LayoutProject, s: LayoutStatus): void {
  const t = project.table;
  out(`${prefix}${s.database}`);
  if (s.noDatabase) out(`  no database yet: ${s.migrations.length} pending (the first command that writes, e.g. \`pgmig migrate\`, creates it)`);
  out(`  layout: ${s.layout} (${rel(project.root, project.folder)}/, tracked in ${t.schema}.${t.name})`);
  const applied = s.migrations.filter((m) => m.state === 'applied');
  const pending = s.migrations.filter((m) => m.state === 'pending');
  const latest = applied[applied.length - 1];
  out(`  applied: ${applied.length}${latest ? ` (latest ${path.basename(latest.file)}${latest.appliedAt ? ` at ${latest.appliedAt.toISOString()}` : ''})` : ''}`);
  if (s.current) out(`  current revision: ${s.current.length ? s.current.join(', ') : '(none)'}`);
  if (s.heads) out(`  heads: ${s.heads.join(', ') || '(none)'}`);
  out(`  pending: ${pending.length}${pending.length ? '\n    ' + pending.map((m) => path.basename(m.file)).join('\n    ') : ''}`);
  for (const m of s.migrations) if (m.note) out(`  warning: ${path.basename(m.file)}: ${m.note}`);
  if (s.layout === 'numbered') {
    for (const [n, group] of duplicateNumbers(s.migrations)) {
      out(`  error: ${group.map((m) => path.basename(m.file)).join(' and ')} share the number ${n}: migrate and rollback refuse until one is renumbered`);
    }
  }
  for (const u of s.unknownApplied) out(`  applied, but no file: ${u}`);
  for (const f of appliedMigrationEditedFindings(s, diskFileSystem.read)) out(`  ${rel(project.root, f.file)}: warning applied-migration-edited ${f.message}`);
  if (!pending.length && !s.unknownApplied.length && !s.migrations.some((m) => m.changed || m.note) && !(s.layout === 'numbered' && duplicateNumbers(s.migrations).size)) out('  Up to date.');
}

async function status(argv: string[], d: Detected): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, 'skip-database': { type: 'boolean' } });
  if (values.help) return out(`pgmig status [--json] [--root DIR] [--target NAME | --all-targets]\n\nExit code: 0 = up to date, 1 = migrations pending, 4 = the status could not be read (settings, connection), with --json an object with "error".`), 0;
  const layout = d.layout!;
  if (values['skip-database']) {
    const list = layout.migrations();
    if (values.json) out(JSON.stringify({ layout: layout.kind, migrations: list }, null, 2));
    else for (const m of list) out(`  ${path.basename(m.file)}${m.downFile ? '' : ' (no down script)'}`);
    return 0;
  }
  if (layout instanceof AlembicLayout) {
    // Alembic owns its database: read the one it uses (never DATABASE_URL's or an embedded one created here).
    if (values.target || values['all-targets']) return runOwnDatabase(values, async () => 0); // refused there
    try {
      const s = await layout.statusInOwnDatabase({ runTool: true });
      if (values.json) out(JSON.stringify(s, null, 2));
      else printStatus('', d.project, s);
      return s.migrations.some((m) => m.state === 'pending') ? 1 : 0;
    } catch (e) {
      if (values.json) out(JSON.stringify(statusFailure(e), null, 2));
      else printError('', e);
      return STATUS_FAILED;
    }
  }
  const reports: unknown[] = [];
  let ran = 0;
  const read = sourced(async (engine, prefix) => {
    const db = engine.db('main');
    const read = await layout.status(db);
    const s = engine.settings.mainSource && !engine.settings.target ? { ...read, database: `${read.database} (${engine.settings.mainSource})` } : read;
    const data = d.project.dataMigrations ? await dataMigrationReport(db, d.project.dataMigrations) : undefined;
    if (values.json) {
      reports.push({
        ...s,
        findings: appliedMigrationEditedFindings(s, diskFileSystem.read),
        dataMigrations: data ? Object.fromEntries(data.bySchema) : undefined,
        dataMigrationsMissingScripts: data?.missingScripts,
      });
    } else {
      printStatus(prefix, d.project, s);
      if (data) {
        for (const [schema, list] of data.bySchema) {
          const pending = list.filter((m) => m.state === 'pending');
          out(`  data migrations ${schema}: ${list.length - pending.length} applied, ${pending.length} pending${pending.length ? ` (${pending.map((m) => m.name).join(', ')})` : ''}`);
        }
        for (const m of data.missingScripts) out(`  data migration applied, but its script is gone: ${m.schema ? `${m.schema}/` : ''}${m.name} (see pgmig data status)`);
      }
    }
    return s.migrations.some((m) => m.state === 'pending') ? 1 : 0;
  });
  const code = await runForTargets(values, async (engine, prefix) => {
    ran++;
    try {
      return await read(engine, prefix);
    } catch (e) {
      if (values.json) reports.push(statusFailure(e, engine.settings.target));
      else printError(prefix, e);
      return STATUS_FAILED;
    }
  });
  if (values.json) out(JSON.stringify(values['all-targets'] ? reports : reports[0] ?? null, null, 2));
  // Settings that fail before any database is opened (runForTargets printed why) are a failure too, not "pending".
  return code === 1 && !ran ? STATUS_FAILED : code;
}

/**
 * `pgmig lint --database`: the findings that need the project's database, read as `status` reads it (nothing is
 * created): migration-out-of-order and applied-migration-edited of a numbered or Drizzle project. graphile-migrate's
 * committed files carry their own hash chain and Alembic's order is its revision graph: lint checks those from the
 * files, and `note` says so.
 */
export async function databaseFindings(values: { root: string; target?: string; 'env-file'?: string }): Promise<{ findings: Finding[]; note?: string; failed: boolean }> {
  const d = detectFor(['--root', values.root]);
  const layout = d?.layout;
  if (!d || !layout) return { findings: [], note: 'a graphile-migrate project: its committed migrations carry their hashes, which lint checks without a database', failed: false };
  if (layout instanceof AlembicLayout) return { findings: [], note: 'an Alembic project: its order is the revision graph in the files, which lint checks without a database', failed: false };
  const findings: Finding[] = [];
  let note: string | undefined;
  const code = await runForTargets(values, sourced(async (engine, prefix) => {
    const s = await layout.status(engine.db('main'));
    if (s.noDatabase) note = `${prefix}${s.database}: no database yet, nothing applied to compare the files with`;
    findings.push(...migrationOutOfOrderFindings(s, diskFileSystem.read), ...appliedMigrationEditedFindings(s, diskFileSystem.read));
    return 0;
  }), { onEvent: () => undefined, engineOptions: { readsOnly: true } });
  return { findings, note, failed: code !== 0 };
}

/** status could not be read (settings, connection): 4, as for graphile-migrate projects, never 1 ("pending"). */
const STATUS_FAILED = 4;

function statusFailure(e: unknown, target?: string): { target?: string; error: { code: string; message: string; sqlstate?: string } } {
  const ee = e instanceof EngineError ? e : undefined;
  return { target, error: { code: ee?.code ?? 'error', message: redactSecrets(String((e as any)?.message ?? e)), sqlstate: ee?.sqlstate } };
}

/** A failure to connect names where the database came from when the project's tool named it (drizzle.config.*). */
function sourced(fn: (engine: MigrationEngine, prefix: string) => Promise<number>): (engine: MigrationEngine, prefix: string) => Promise<number> {
  return async (engine, prefix) => {
    try {
      return await fn(engine, prefix);
    } catch (e) {
      const source = engine.settings.target ? undefined : engine.settings.mainSource;
      if (e instanceof EngineError && e.code === 'connect' && source && engine.settings.main.kind === 'pg') {
        throw new EngineError('connect', `${e.message} (the database ${source}; another one: a pgmig.json target and --target)`, { sqlstate: e.sqlstate });
      }
      throw e;
    }
  };
}

const TO_FORMS = 'ID: numbered 3, 003, 003_name or 003_name.sql; Drizzle the tag (0003_name), its file name or its number; Alembic a revision.';

async function migrate(argv: string[], d: Detected): Promise<number> {
  const { values } = parse(argv, { to: { type: 'string' } });
  if (values.help) return out(`pgmig migrate [--to ID] [--root DIR] [--target NAME | --all-targets]\n\nApplies pending migrations in order (${d.project.kind}).\n${TO_FORMS}`), 0;
  const layout = d.layout!;
  if (layout instanceof AlembicLayout) {
    return runOwnDatabase(values, async () => {
      const cmd = values.to ? layout.command('upgrade-to', values.to) : layout.command('upgrade-head');
      out(`$ ${cmd.commandLine}`);
      await layout.migrate(undefined as never, { to: values.to, output: passThrough });
      return 0;
    });
  }
  return runForTargets(values, sourced(async (engine, prefix) => {
    const db = engine.db('main');
    const r = await layout.migrate(db, {
      to: values.to,
      lockTimeoutMs: engine.settings.engine.lockTimeoutMs,
      onApplied: (m, ms) => out(`${prefix}applied ${path.basename(m.file)} (${ms.toFixed(0)} ms)`),
      onWarning: (message) => out(`${prefix}warning: ${message}`),
      onMessage: (message) => out(`${prefix}${message}`),
    });
    out(`${prefix}${r.applied.length ? `${r.applied.length} migration(s) applied` : 'already up to date'} (${engine.describe('main')})`);
    return 0;
  }));
}

async function rollback(argv: string[], d: Detected): Promise<number> {
  const { values } = parse(argv, { to: { type: 'string' }, all: { type: 'boolean' } });
  if (values.help) return out(`pgmig rollback [--to ID | --all] [--root DIR] [--target NAME | --all-targets]\n\nRuns the down script of the latest applied migration (or of every one applied after --to, or of all), in the reverse of the order they were applied.\n${TO_FORMS}`), 0;
  if (values.to !== undefined && values.all) throw new UsageError('--to and --all exclude each other');
  const layout = d.layout!;
  if (layout instanceof AlembicLayout) {
    return runOwnDatabase(values, async () => {
      await layout.rollback(undefined as never, { to: values.to, all: !!values.all, output: passThrough });
      return 0;
    });
  }
  return runForTargets(values, sourced(async (engine, prefix) => {
    const db = engine.db('main');
    const r = await layout.rollback(db, {
      to: values.to,
      all: !!values.all,
      lockTimeoutMs: engine.settings.engine.lockTimeoutMs,
      onRolledBack: (m, ms) => out(`${prefix}rolled back ${path.basename(m.file)} (${ms.toFixed(0)} ms)`),
    });
    // Each migration was named as it was rolled back: the summary only counts them.
    out(`${prefix}${r.rolledBack.length ? `${r.rolledBack.length} migration(s) rolled back` : 'nothing to roll back'} (${engine.describe('main')})`);
    return 0;
  }));
}

const passThrough = (stream: 'stdout' | 'stderr', text: string) => (stream === 'stdout' ? process.stdout : process.stderr).write(text);

/**
 * Runs a command of a layout whose tool owns its database (Alembic: env.py connects): no engine, so no embedded
 * database and no DATABASE_URL of pgmig's; pgmig.json targets do not apply.
 */
async function runOwnDatabase(values: { target?: string; 'all-targets'?: boolean }, fn: () => Promise<number>): Promise<number> {
  if (values.target || values['all-targets']) throw new UsageError('alembic connects to the database its env.py names: --target and --all-targets do not apply to an alembic project');
  try {
    return await fn();
  } catch (e) {
    printError('', e);
    return 1;
  }
}

/** Wraps a graphile-migrate command: projects of another layout get the layout's version of it. */
function dispatch(name: 'status' | 'migrate' | 'rollback', graphile: Command): Command {
  const impl = { status, migrate, rollback }[name];
  return {
    summary: graphile.summary,
    async run(argv) {
      let d: Detected | undefined;
      try {
        d = detectFor(argv);
      } catch (e) {
        if (!(name === 'status' && e instanceof LayoutUnreadableError)) throw e;
        if (argv.includes('--json')) out(JSON.stringify({ error: { code: 'config', message: redactSecrets(e.message) } }, null, 2));
        else err(`pgmig: ${redactSecrets(e.message)}`);
        return STATUS_FAILED;
      }
      if (!d || !d.layout) return graphile.run(argv);
      return impl(argv, d);
    },
  };
}

export function withLayouts(commands: Record<string, Command>): Record<string, Command> {
  return {
    ...commands,
    status: dispatch('status', commands.status),
    migrate: dispatch('migrate', commands.migrate),
    rollback: dispatch('rollback', commands.rollback),
    new: newCommand,
    history: historyCommand,
    data: dataCommand,
    compile: compileCommand,
    run: runCommand,
  };
}

export const newCommand: Command = {
  summary: 'create the next numbered migration and its rollback file (numbered SQL layout) <name>',
  async run(argv) {
    const { values, positionals } = parse(argv, {}, true);
    if (values.help) return out('pgmig new <name> [--root DIR]\n\nCreates NNN_<name>.sql (header: purpose, dependencies, rollback) and rollback-NNN.sql in a numbered project.'), 0;
    if (positionals.length !== 1) throw new UsageError('pgmig new needs exactly one name, e.g. pgmig new add_invoices');
    const d = detectFor(argv);
    if (!d) throw new UsageError('no migrations project found here (see pgmig --help)');
    const how: Record<string, string> = {
      graphile: 'write the migration in migrations/current.sql, then run pgmig commit',
      drizzle: 'run drizzle-kit generate --name ' + positionals[0],
      alembic: `run ${d.project.command ?? 'alembic'} revision -m "${positionals[0]}"`,
    };
    const what: Record<string, string> = { graphile: 'a graphile-migrate', drizzle: 'a Drizzle Kit', alembic: 'an Alembic' };
    if (d.project.kind !== 'numbered') throw new UsageError(`pgmig new is for numbered SQL projects; this is ${what[d.project.kind]} project: ${how[d.project.kind]}`);
    try {
      const r = newNumberedMigration(d.project, positionals[0]);
      out(`created ${rel(process.cwd(), r.file)}\ncreated ${rel(process.cwd(), r.downFile)}`);
      return 0;
    } catch (e) {
      if (e instanceof EngineError) {
        printError('', e);
        return 1;
      }
      throw e;
    }
  },
};


