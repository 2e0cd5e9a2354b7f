// graphile-migrate's `compile [file]` and `run [file]`, on the engine's public API (core/engine/index.ts): a file
// (current.sql by default for compile) with its `--!include`s expanded under migrations/fixtures and its
// :PLACEHOLDERS substituted for the chosen database, as graphile-migrate 2.0.0-rc.3 compiles it; `run` sends the
// result to that database in one round trip and returns the rows of a single statement (seeding, a quick query).
import path from 'node:path';
import { EngineError, makeRootDatabaseConnectionString, type MigrationEngine, placeholdersFor, readCurrent, sqlError, substitutePlaceholders } from '../engine/index';
import { PgProvider } from '../db/pg';
import type { DbProvider } from '../db/types';
import { diskFileSystem, type FileSystem } from '../fileSystem';
import { expandIncludes, mapOffset } from '../includes';
import { hasTransactionControl, replayStatements } from '../engine/statementReplay';
import type { DbSession } from '../db/types';
import { statementTexts } from './transaction';

export interface CompiledFile {
  file: string;
  /** Includes expanded and placeholders substituted. */
  text: string;
  /** An offset of `text` back to the file (and line) it came from. */
  toSource(offset: number): { file: string; offset: number };
}

/** Compiles `file` (default: current.sql or current/) for the main or the shadow database's placeholders. */
export function compileFile(engine: MigrationEngine, opts: { file?: string; shadow?: boolean; fsys?: FileSystem } = {}): CompiledFile {
  const fsys = opts.fsys ?? diskFileSystem;
  const settings = engine.settings;
  let file: string;
  let text: string;
  let toSource: (o: number) => { file: string; offset: number };
  if (!opts.file) {
    const cur = readCurrent(settings.migrationsFolder, fsys);
    if (!cur.location.exists) throw new EngineError('current', `${cur.location.path} does not exist: give a file to compile`);
    ({ text, toSource } = cur);
    file = cur.location.path;
  } else {
    file = path.resolve(opts.file);
    const raw = fsys.read(file);
    if (raw === undefined) throw new EngineError('io', `cannot read ${opts.file}`);
    const exp = expandIncludes(fsys, file, raw, path.join(settings.migrationsFolder, 'fixtures'));
    if (exp.problems.length) {
      const p = exp.problems[0];
      throw new EngineError('current', `${path.relative(process.cwd(), p.file) || p.file}: ${p.message}`);
    }
    text = exp.text;
    toSource = (o) => mapOffset(exp, o);
  }
  const db = engine.db(opts.shadow ? 'shadow' : 'main');
  const sub = substitutePlaceholders(text, placeholdersFor(settings.placeholders, db.databaseName, settings.databaseOwner));
  return { file, text: sub.text, toSource: (o) => toSource(sub.toInput(o)) };
}

/**
 * Compiles and runs `file` on the main (or shadow) database; `root`: as the root user on that database, `rootDatabase`:
 * on the root database itself (graphile-migrate's --root / --rootDatabase; rootConnectionString / ROOT_DATABASE_URL).
 * An SQL error names the file, line and column (through includes). Returns the rows when the file is one statement
 * that returns rows.
 */
export async function runFile(
  engine: MigrationEngine,
  file: string,
  opts: { shadow?: boolean; root?: boolean; rootDatabase?: boolean; signal?: AbortSignal; fsys?: FileSystem } = {},
): Promise<{ rows?: Record<string, unknown>[]; database: string }> {
  const fsys = opts.fsys ?? diskFileSystem;
  const compiled = compileFile(engine, { file, shadow: opts.shadow, fsys });
  const which = opts.shadow ? 'shadow' : 'main';
  let db: DbProvider = engine.db(which);
  let own: DbProvider | undefined;
  if (opts.root || opts.rootDatabase) {
    const root = engine.settings.rootConnectionString;
    if (!root || db.kind !== 'pg') throw new EngineError('config', `--root${opts.rootDatabase ? 'Database' : ''} needs a PostgreSQL database and rootConnectionString (or ROOT_DATABASE_URL); the ${which} database is ${db.label}`);
    own = db = new PgProvider(opts.rootDatabase ? root : makeRootDatabaseConnectionString(root, db.databaseName));
  }
  const single = statementTexts(compiled.text).length === 1;
  try {
    const rows = await db.withSession(async (s) => {
      try {
        if (single) return await s.query<Record<string, unknown>>(compiled.text);
        await s.exec(compiled.text);
        return undefined;
      } catch (e) {
        const runnable = { text: compiled.text, label: path.basename(compiled.file), toSource: compiled.toSource };
        throw sqlError(e, runnable, (f) => fsys.read(f), await failedStatementOffset(s, e, compiled.text));
      }
    }, opts.signal);
    return { rows: Array.isArray(rows) && rows.length ? rows : undefined, database: own ? own.label : engine.describe(which) };
  } finally {
    await own?.close();
  }
}

/**
 * Where the statement that raised `e` starts in `text`, for an error PostgreSQL gave without a position (e.g. PGlite's
 * `extension "x" is not available`, `column already exists`): the text is replayed statement by statement in a
 * transaction that is rolled back, as the engine does for migrate and watch. Undefined when the error has a position,
 * the file ends its own transactions, or the replay does not fail the same way.
 */
async function failedStatementOffset(s: DbSession, e: unknown, text: string): Promise<number | undefined> {
  const err = e as { code?: string; position?: unknown; severity?: unknown } | undefined;
  if (typeof err?.code !== 'string' || err.position !== undefined || hasTransactionControl(text)) return undefined;
  try {
    const [f] = await replayStatements(s, text, { firstOnly: true });
    return f && f.error?.code === err.code ? f.offset : undefined;
  } catch {
    return undefined;
  }
}
