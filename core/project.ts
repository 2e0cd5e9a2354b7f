// A graphile-migrate style project on disk: where it is, which files play which role, and pgmig's own settings.
// `.gmrc` is only read (JSON5), never executed: analysis also runs in untrusted workspaces. pgmig's settings live
// in `pgmig.json` because graphile-migrate rejects unknown keys in `.gmrc`.
import path from 'node:path';
import JSON5 from 'json5';
import type { FileSystem } from './fileSystem';
import { COMMITTED_NAME } from './graphile/committedFile';
import { detectLayout, hasLayoutMarkers, LayoutConfigError } from './layouts/detect';
import { drizzleMigrations, numberedMigrations } from './layouts/files';
import type { LayoutKind, LayoutProject } from './layouts/types';
import { rules } from './rules';
import type { RuleId, SeveritySetting } from './types';

export const CONFIG_FILE = 'pgmig.json';
export const DEFAULT_EXCLUDED_SCHEMAS = ['graphile_migrate', 'pg_catalog', 'information_schema'];

export interface PgmigConfig {
  /** Severity per rule id; absent means the rule's default. */
  rules: Partial<Record<RuleId, SeveritySetting>>;
  excludedSchemas: string[];
  /** Tables skipped by the table rules, as `schema.table` or `table` (public). */
  excludedTables: string[];
  /** The migration runner sets lock_timeout itself (turns missing-lock-timeout off). */
  runnerSetsLockTimeout?: boolean;
}

export interface Project {
  root: string;
  migrationsDir: string;
  committedDir: string;
  fixturesDir: string;
  gmrcPath?: string;
  /** A `.gmrc.js` / `.gmrc.cjs` whose migrationsFolder is set by code: the analysis runs no project code, so it is
   * not applied; the message says so (a warning on the file in the editor, a note from `pgmig lint`). */
  gmrcNotRead?: { file: string; message: string };
  configPath?: string;
  config: PgmigConfig;
  /** Placeholder names without the colon, e.g. `DATABASE_VISITOR`; the built-ins are always there. */
  placeholders: Set<string>;
  /** `current.sql`, or the files of `current/` in graphile-migrate's order. */
  currentFiles: string[];
  currentIsFolder: boolean;
  /** Committed migrations in filename order (graphile-migrate's order). */
  committedFiles: string[];
  /** Every `.sql` under fixtures (recursively). */
  fixtureFiles: string[];
  /** The migration tool's layout (core/layouts). For numbered and drizzle projects `committedFiles` are their
   * migrations in apply order (analysed like committed files) and there is no current or fixture file; an alembic
   * project has no SQL files to analyse. */
  layout: LayoutKind;
  /** What the layout detection found: folders, tracking table, data migrations. */
  layoutProject?: LayoutProject;
}

export class ConfigError extends Error {
  /** How the editor shows it on the file it names (a layout config with nothing to show yet is a warning). */
  constructor(message: string, readonly severity: 'error' | 'warning' = 'error') {
    super(message);
  }
}

const BUILTIN_PLACEHOLDERS = ['DATABASE_NAME', 'DATABASE_OWNER'];

function emptyConfig(): PgmigConfig {
  return { rules: {}, excludedSchemas: [...DEFAULT_EXCLUDED_SCHEMAS], excludedTables: [] };
}

/** The nearest folder at or above `start` that holds a migrations project. */
export function findProjectRoot(fs: FileSystem, start: string, cache?: Map<string, string | undefined>): string | undefined {
  const visited: string[] = [];
  let dir = path.resolve(start);
  let found: string | undefined;
  for (;;) {
    if (cache?.has(dir)) {
      found = cache.get(dir);
      break;
    }
    visited.push(dir);
    if (isProjectRoot(fs, dir)) {
      found = dir;
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (cache) for (const d of visited) cache.set(d, found);
  return found;
}

const ROOT_FILES = new Set(['.gmrc', '.gmrc.js', '.gmrc.cjs', CONFIG_FILE]);
const MIGRATIONS_ENTRIES = new Set(['committed', 'current.sql', 'current']);

export function isProjectRoot(fs: FileSystem, dir: string): boolean {
  // One directory listing instead of a stat per marker: this runs for every folder above every linted file.
  const names = fs.list(dir);
  if (names.some((n) => ROOT_FILES.has(n))) return true;
  if (names.includes('migrations') && fs.list(path.join(dir, 'migrations')).some((n) => MIGRATIONS_ENTRIES.has(n))) return true;
  return hasLayoutMarkers(fs, dir, names);
}

function readJson5(fs: FileSystem, file: string): any {
  const text = fs.read(file);
  if (text === undefined) return undefined;
  try {
    return JSON5.parse(text);
  } catch (e: any) {
    throw new ConfigError(`${file}: not valid JSON5: ${String(e?.message ?? e).split('\n')[0]}`);
  }
}

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint', 'off']);
// The rule ids users may configure: the analysis rules, and the engine's shadow check.
const RULE_IDS = new Set<string>([...rules.map((r) => r.id), 'shadow-error', 'applied-migration-edited', 'migration-out-of-order']);

/** Validates pgmig settings (from pgmig.json or the editor) and merges them over `base`. */
export function mergeConfig(base: PgmigConfig, raw: any, where: string): PgmigConfig {
  if (raw === undefined || raw === null) return base;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${where}: expected an object`);
  const out: PgmigConfig = { rules: { ...base.rules }, excludedSchemas: base.excludedSchemas, excludedTables: base.excludedTables, runnerSetsLockTimeout: base.runnerSetsLockTimeout };
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('//') || key === '$schema') continue;
    // The migration engine's settings (validated by core/engine/settings.ts) and the layout's (core/layouts/detect.ts).
    if (key === 'targets' || key === 'engine' || key === 'layout' || key === 'dataMigrations') continue;
    if (key === 'rules') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where}: "rules" must be an object`);
      for (const [rule, severity] of Object.entries(value as object)) {
        if (!RULE_IDS.has(rule)) {
          throw new ConfigError(`${where}: unknown rule "${rule}" (known rules: ${[...RULE_IDS].join(', ')})`);
        }
        if (!SEVERITIES.has(severity as string)) {
          throw new ConfigError(`${where}: rule "${rule}": severity must be one of error, warning, info, hint, off`);
        }
        (out.rules as any)[rule] = severity;
      }
    } else if (key === 'runnerSetsLockTimeout') {
      if (typeof value !== 'boolean') throw new ConfigError(`${where}: "runnerSetsLockTimeout" must be true or false`);
      out.runnerSetsLockTimeout = value;
    } else if (key === 'excludedSchemas' || key === 'excludedTables') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new ConfigError(`${where}: "${key}" must be an array of strings`);
      out[key] = value as string[];
    } else {
      throw new ConfigError(`${where}: unknown setting "${key}"`);
    }
  }
  return out;
}

/**
 * What the analysis needs from a `.gmrc.js` / `.gmrc.cjs`, read as text and never run (analysis runs no project
 * code): `migrationsFolder` when it is a string literal, and the placeholder names (`":NAME":` keys). A
 * migrationsFolder set any other way cannot be known without running the file: `unread` says so.
 */
export function readGmrcJs(text: string): { gmrc: { migrationsFolder?: string; placeholders: Record<string, string> }; unread?: string } {
  const placeholders: Record<string, string> = {};
  for (const m of text.matchAll(/["'`](:[A-Z][0-9A-Z_]+)["'`]\s*:/g)) placeholders[m[1]] = '';
  const literal = /\bmigrationsFolder["'`]?\s*:\s*(["'`])([^"'`\n$]*)\1\s*[,}\n]/.exec(text);
  if (literal) return { gmrc: { migrationsFolder: literal[2], placeholders } };
  if (!/\bmigrationsFolder\b/.test(text)) return { gmrc: { placeholders } };
  return {
    gmrc: { placeholders },
    unread: `migrationsFolder is set with code here, and the analysis never runs project code: it looks in the default folder, migrations/, instead. Write it as a string literal (migrationsFolder: "./db") or put the settings in .gmrc`,
  };
}

export function loadProject(fs: FileSystem, root: string): Project {
  // Real paths throughout, so that files reached through includes (realpath'd) compare equal.
  root = fs.realpath(root) ?? path.resolve(root);
  let gmrcPath: string | undefined = path.join(root, '.gmrc');
  let gmrc: any = readJson5(fs, gmrcPath);
  let gmrcNotRead: Project['gmrcNotRead'];
  if (gmrc === undefined) {
    // graphile-migrate's other settings files are code: read as text for the two settings the analysis uses.
    gmrcPath = ['.gmrc.js', '.gmrc.cjs'].map((n) => path.join(root, n)).find((f) => fs.exists(f));
    const text = gmrcPath ? fs.read(gmrcPath) : undefined;
    if (gmrcPath && text !== undefined) {
      const js = readGmrcJs(text);
      gmrc = js.gmrc;
      if (js.unread) gmrcNotRead = { file: gmrcPath, message: js.unread };
    }
  }
  if (gmrc !== undefined && (typeof gmrc !== 'object' || gmrc === null)) throw new ConfigError(`${gmrcPath}: expected an object`);
  gmrc ??= {};
  const migrationsDir = path.resolve(root, typeof gmrc.migrationsFolder === 'string' ? gmrc.migrationsFolder : 'migrations');

  const placeholders = new Set(BUILTIN_PLACEHOLDERS);
  if (gmrc.placeholders && typeof gmrc.placeholders === 'object') {
    for (const key of Object.keys(gmrc.placeholders)) {
      const m = /^:([A-Z][0-9A-Z_]+)$/.exec(key);
      if (m) placeholders.add(m[1]);
    }
  }

  let configPath: string | undefined = path.join(root, CONFIG_FILE);
  const raw = readJson5(fs, configPath);
  if (raw === undefined) configPath = undefined;
  const config = mergeConfig(emptyConfig(), raw, configPath ?? CONFIG_FILE);
  let layoutProject: LayoutProject;
  try {
    layoutProject = detectLayout(fs, root, raw, configPath ?? CONFIG_FILE);
  } catch (e) {
    if (e instanceof LayoutConfigError) throw new ConfigError(e.message, e.severity);
    throw e;
  }
  if (layoutProject.kind !== 'graphile') {
    // Another tool's layout: its migrations, in its order, are the history; nothing is "current" or a fixture.
    const folder = layoutProject.folder;
    let history: string[] = [];
    if (layoutProject.kind === 'numbered') history = numberedMigrations(fs, folder).map((m) => m.file);
    else if (layoutProject.kind === 'drizzle') {
      try {
        history = drizzleMigrations(fs, folder).map((m) => m.file);
      } catch (e: any) {
        throw new ConfigError(String(e?.message ?? e));
      }
    }
    return {
      root,
      migrationsDir: folder,
      committedDir: folder,
      fixturesDir: path.join(folder, '.pgmig-no-fixtures'),
      gmrcPath,
      gmrcNotRead,
      configPath,
      config,
      placeholders,
      currentFiles: [],
      currentIsFolder: false,
      committedFiles: history.filter((f) => fs.exists(f)),
      fixtureFiles: [],
      layout: layoutProject.kind,
      layoutProject,
    };
  }

  const currentDir = path.join(migrationsDir, 'current');
  const currentIsFolder = fs.isDirectory(currentDir);
  let currentFiles: string[];
  if (currentIsFolder) {
    currentFiles = fs
      .list(currentDir)
      .filter((f) => !f.startsWith('.') && COMMITTED_NAME.test(f))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
      .map((f) => path.join(currentDir, f));
  } else {
    const file = path.join(migrationsDir, 'current.sql');
    currentFiles = fs.read(file) !== undefined ? [file] : [];
  }

  const committedDir = path.join(migrationsDir, 'committed');
  const committedFiles = fs
    .list(committedDir)
    .filter((f) => COMMITTED_NAME.test(f))
    .sort((a, b) => a.localeCompare(b))
    .map((f) => path.join(committedDir, f));

  const fixturesDir = path.join(migrationsDir, 'fixtures');
  const fixtureFiles: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 20) return;
    for (const name of fs.list(dir).sort()) {
      if (name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (name.endsWith('.sql') && !fs.isDirectory(full)) fixtureFiles.push(full);
      else if (fs.isDirectory(full)) walk(full, depth + 1);
    }
  };
  walk(fixturesDir, 0);

  return {
    root,
    migrationsDir,
    committedDir,
    fixturesDir,
    gmrcPath,
    gmrcNotRead,
    configPath,
    config,
    placeholders,
    currentFiles,
    currentIsFolder,
    committedFiles,
    fixtureFiles,
    layout: 'graphile',
    layoutProject: { ...layoutProject, folder: committedDir },
  };
}

/** The role a file plays in the project, by where it lives. */
export function roleOf(project: Project, file: string): 'current' | 'committed' | 'fixture' | 'standalone' {
  const abs = path.resolve(file);
  if (project.layout !== 'graphile') return project.committedFiles.includes(abs) ? 'committed' : 'standalone';
  if (project.currentFiles.includes(abs)) return 'current';
  if (path.dirname(abs) === project.committedDir && COMMITTED_NAME.test(path.basename(abs))) return 'committed';
  const rel = path.relative(project.fixturesDir, abs);
  if (!rel.startsWith('..') && !path.isAbsolute(rel) && abs.endsWith('.sql')) return 'fixture';
  return 'standalone';
}
