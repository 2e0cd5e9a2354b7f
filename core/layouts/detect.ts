// Which layout a project folder follows, from its files (read, never executed: this also runs in untrusted
// workspaces) and pgmig.json's optional `layout` / `dataMigrations` settings:
//   graphile-migrate: `.gmrc`, `migrations/committed|current.sql|current` (handled by core/project.ts as before)
//   alembic:          `alembic.ini` (its `script_location`)
//   drizzle:          `drizzle.config.*` (its `out` and `migrations.table/schema`) or `drizzle/meta/_journal.json`
//   numbered:         `migrations/NNN_name.sql`
import path from 'node:path';
import type { FileSystem } from '../fileSystem';
import type { DataMigrationsConfig, LayoutKind, LayoutProject, TableName } from './types';

export class LayoutConfigError extends Error {
  /** 'warning': nothing is wrong yet, there is only nothing to show (a Drizzle project before its first generate). */
  constructor(message: string, readonly severity: 'error' | 'warning' = 'error') {
    super(message);
  }
}

export const NUMBERED_FILE = /^(\d+)_([^.]+)\.sql$/;
export const NUMBERED_ROLLBACK = /^rollback-(\d+)(?:[_-][^.]*)?\.sql$/;
const DRIZZLE_CONFIGS = ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.mts', 'drizzle.config.json'];
const GRAPHILE_ROOT_FILES = ['.gmrc', '.gmrc.js', '.gmrc.cjs'];
const GRAPHILE_ENTRIES = ['committed', 'current.sql', 'current'];
const LAYOUTS: LayoutKind[] = ['graphile', 'numbered', 'drizzle', 'alembic'];

export const DEFAULT_TABLES: Record<LayoutKind, TableName> = {
  graphile: { schema: 'graphile_migrate', name: 'migrations' },
  numbered: { schema: 'public', name: 'schema_migrations' },
  drizzle: { schema: 'drizzle', name: '__drizzle_migrations' },
  alembic: { schema: 'public', name: 'alembic_version' },
};

/** `schema.table` or `table` (public); double quotes allowed around either part. */
export function parseTableName(text: string, where: string): TableName {
  const m = /^\s*(?:("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*\.\s*)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*$/.exec(text);
  if (!m) throw new LayoutConfigError(`${where}: "${text}" is not a table name (schema.table or table)`);
  const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase());
  return { schema: m[1] ? unquote(m[1]) : 'public', name: unquote(m[2]) };
}

export const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const qualified = (t: TableName) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;

/** Cheap marker test for `isProjectRoot`: one listing of the folder (already made) and at most two more. */
export function hasLayoutMarkers(fs: FileSystem, dir: string, names: string[]): boolean {
  if (names.includes('alembic.ini')) return true;
  if (names.some((n) => DRIZZLE_CONFIGS.includes(n))) return true;
  if (names.includes('drizzle') && fs.exists(path.join(dir, 'drizzle', 'meta', '_journal.json'))) return true;
  return names.includes('migrations') && fs.list(path.join(dir, 'migrations')).some((n) => NUMBERED_FILE.test(n));
}

function str(o: any, key: string, where: string): string | undefined {
  const v = o?.[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v) throw new LayoutConfigError(`${where}: "${key}" must be a non-empty string`);
  return v;
}

/** Reads `[alembic] script_location` from alembic.ini (`%(here)s` is the ini's folder). */
export function alembicScriptLocation(iniText: string, root: string): string {
  let section = '';
  for (const raw of iniText.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = sec[1].trim();
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (section === 'alembic' && kv && kv[1] === 'script_location') {
      return path.resolve(root, kv[2].replace(/%\(here\)s/g, root));
    }
  }
  return path.join(root, 'alembic');
}

const STRING = /^(['"`])((?:(?!\1)[^\\$]|\$(?!\{))*)\1/;

/** The expression at the start of `text`: up to a `,`, `}` or line break outside brackets and strings. */
function expressionAt(text: string): string {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return text.slice(0, i).trim();
      depth--;
    } else if ((c === ',' || c === '\n') && depth === 0) return text.slice(0, i).trim();
  }
  return text.trim();
}

/**
 * drizzle.config.*'s `out` and `migrations: { table, schema }`, read as text (it is code: never run). `out` may be a
 * string, or a name (`out: dir`, or the shorthand `{ out }`) bound to a string by `const`/`let`/`var`; anything else
 * (`path.join(...)`, `process.env.X`) comes back as `outUnread`, the expression as written.
 */
export function drizzleConfig(text: string): { out?: string; outUnread?: string; table?: string; schema?: string } {
  // Keys may be quoted (drizzle.config.json) or not (.ts / .js).
  const value = (key: string, where: string) => new RegExp(`\\b${key}['"]?\\s*:\\s*['"\`]([^'"\`]+)['"\`]`).exec(where)?.[1];
  const block = /\bmigrations['"]?\s*:\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
  const res: { out?: string; outUnread?: string; table?: string; schema?: string } = { table: value('table', block), schema: value('schema', block) };
  const code = text.replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/[^\n]*/g, '$1'); // comments out (not the // of a URL)
  const keyed = /(?:^|[{,\s])['"]?out['"]?\s*:\s*/m.exec(code);
  const shorthand = /[{,]\s*out\s*(?=[,}])/.exec(code);
  let name: string | undefined;
  if (keyed) {
    const rest = code.slice(keyed.index + keyed[0].length);
    const lit = STRING.exec(rest);
    if (lit) return { ...res, out: lit[2] };
    const ident = /^([A-Za-z_$][\w$]*)\s*(?=[,}\n])/.exec(rest);
    if (!ident) return { ...res, outUnread: expressionAt(rest) };
    name = ident[1];
  } else if (shorthand) {
    name = 'out';
  } else {
    return res;
  }
  const decl = new RegExp(`\\b(?:const|let|var)\\s+${name.replace(/\$/g, '\\$')}\\s*(?::\\s*string\\s*)?=\\s*`).exec(code);
  const lit = decl && STRING.exec(code.slice(decl.index + decl[0].length));
  return lit ? { ...res, out: lit[2] } : { ...res, outUnread: name };
}

export function dataMigrationsConfig(fs: FileSystem, root: string, raw: any, where: string): DataMigrationsConfig | undefined {
  if (raw === false) return undefined;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new LayoutConfigError(`${where}: "dataMigrations" must be an object (folder, table, migrate, reset) or false`);
  }
  const folder = path.resolve(root, str(raw, 'folder', `${where}: dataMigrations`) ?? path.join('src', 'data-migrations'));
  if (raw === undefined && !fs.isDirectory(folder)) return undefined;
  for (const k of Object.keys(raw ?? {})) {
    if (!['folder', 'table', 'migrate', 'reset'].includes(k) && !k.startsWith('//')) throw new LayoutConfigError(`${where}: dataMigrations: unknown setting "${k}"`);
  }
  return {
    folder,
    table: parseTableName(str(raw, 'table', `${where}: dataMigrations`) ?? 'data_migrations', `${where}: dataMigrations.table`),
    migrate: str(raw, 'migrate', `${where}: dataMigrations`) ?? 'npm run data:migrate',
    reset: str(raw, 'reset', `${where}: dataMigrations`) ?? 'npm run data:reset',
  };
}

/**
 * The layout of the project at `root` (graphile-migrate's unless another one is configured or found; core/project.ts
 * reads graphile-migrate's files itself). `pgmigJson` is pgmig.json's parsed content (or undefined), `configPath` its
 * path for messages.
 */
export function detectLayout(fs: FileSystem, root: string, pgmigJson: any, configPath = 'pgmig.json'): LayoutProject {
  let setting = pgmigJson?.layout;
  if (typeof setting === 'string') setting = { kind: setting };
  if (setting !== undefined && (typeof setting !== 'object' || setting === null || Array.isArray(setting))) {
    throw new LayoutConfigError(`${configPath}: "layout" must be one of ${LAYOUTS.join(', ')} or an object { kind, folder, table, command }`);
  }
  if (setting) {
    for (const k of Object.keys(setting)) {
      if (!['kind', 'folder', 'table', 'command'].includes(k) && !k.startsWith('//')) throw new LayoutConfigError(`${configPath}: layout: unknown setting "${k}"`);
    }
    if (!LAYOUTS.includes(setting.kind)) throw new LayoutConfigError(`${configPath}: layout.kind must be one of ${LAYOUTS.join(', ')}`);
  }
  const names = fs.list(root);
  let kind: LayoutKind | undefined = setting?.kind;
  if (!kind) {
    const graphile =
      names.some((n) => GRAPHILE_ROOT_FILES.includes(n)) || (names.includes('migrations') && fs.list(path.join(root, 'migrations')).some((n) => GRAPHILE_ENTRIES.includes(n)));
    if (graphile) kind = 'graphile';
    else if (names.includes('alembic.ini')) kind = 'alembic';
    else if (names.some((n) => DRIZZLE_CONFIGS.includes(n)) || fs.exists(path.join(root, 'drizzle', 'meta', '_journal.json'))) kind = 'drizzle';
    else if (names.includes('migrations') && fs.list(path.join(root, 'migrations')).some((n) => NUMBERED_FILE.test(n))) kind = 'numbered';
    else kind = 'graphile';
  }
  const where = `${configPath}: layout`;
  const folderSetting = str(setting, 'folder', where);
  const tableSetting = str(setting, 'table', where);
  const project: LayoutProject = { kind, root, folder: '', table: DEFAULT_TABLES[kind] };
  if (setting) project.configFile = configPath;
  if (kind === 'graphile') {
    project.folder = path.resolve(root, folderSetting ?? 'migrations', 'committed');
  } else if (kind === 'numbered') {
    project.folder = path.resolve(root, folderSetting ?? 'migrations');
  } else if (kind === 'drizzle') {
    const cfgName = names.find((n) => DRIZZLE_CONFIGS.includes(n));
    const cfg = cfgName ? drizzleConfig(fs.read(path.join(root, cfgName)) ?? '') : {};
    if (cfgName && !setting) project.configFile = path.join(root, cfgName);
    if (cfg.outUnread !== undefined && !folderSetting) {
      throw new LayoutConfigError(
        `${cfgName}: pgmig cannot read the migrations folder: \`out\` is ${cfg.outUnread}, which pgmig does not evaluate (it never runs the config); set it in ${configPath}: { "layout": { "kind": "drizzle", "folder": "<the out folder>" } }`,
      );
    }
    project.folder = path.resolve(root, folderSetting ?? cfg.out ?? 'drizzle');
    if (cfgName) project.drizzleConfig = path.join(root, cfgName);
    if (!fs.isDirectory(project.folder)) {
      // A template config (`out: "src/<path_to_generated_files>"`) or a project before its first `drizzle-kit
      // generate`: no migrations to show, and no "0 pending" as if there were a project with none.
      const from = folderSetting ? `${configPath}'s layout.folder` : cfg.out !== undefined ? `\`out\` in ${cfgName}` : 'the default (no `out` in the config)';
      throw new LayoutConfigError(
        `${cfgName ?? configPath}: the migrations folder ${path.relative(root, project.folder) || '.'} (${from}) does not exist in ${root}: run drizzle-kit generate to create it, or point \`out\` (or ${path.basename(configPath)}'s layout.folder) at the folder that holds the migrations`,
        'warning',
      );
    }
    project.table = { schema: cfg.schema ?? 'drizzle', name: cfg.table ?? '__drizzle_migrations' };
  } else {
    const ini = path.join(root, 'alembic.ini');
    const scripts = folderSetting ? path.resolve(root, folderSetting) : alembicScriptLocation(fs.read(ini) ?? '', root);
    project.folder = path.basename(scripts) === 'versions' ? scripts : path.join(scripts, 'versions');
    if (!setting) project.configFile = ini;
    project.command = str(setting, 'command', where) ?? 'alembic';
  }
  if (tableSetting) project.table = parseTableName(tableSetting, `${where}.table`);
  project.dataMigrations = dataMigrationsConfig(fs, root, pgmigJson?.dataMigrations, configPath);
  return project;
}
