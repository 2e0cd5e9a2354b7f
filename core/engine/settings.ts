// The engine's settings: `.gmrc` read and validated exactly as graphile-migrate's parseSettings does (same keys,
// same environment variables, same defaults, unknown keys rejected), plus pgmig's own engine settings from
// `pgmig.json` (`targets`, `engine`). With no connection configured the main database is the embedded PGlite in
// `.pgmig/db` and the shadow is an in-memory PGlite.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseUrl, format as formatUrl } from 'node:url';
import JSON5 from 'json5';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseConnection } from 'pg-connection-string';
import { findProjectRoot } from '../project';
import { diskFileSystem } from '../fileSystem';
import { EngineError } from './errors';
import { readEnvFile, withEnvFile, type EnvFile } from './envFile';
import { detectLayout } from '../layouts/detect';
import { drizzleDatabase, type DrizzleDatabase } from '../layouts/drizzleDatabase';

export type ActionSpec =
  | { _: 'sql'; file: string; root?: boolean; shadow?: boolean }
  | { _: 'command'; command: string; root?: boolean; shadow?: boolean };

export interface Actions {
  beforeReset: ActionSpec[];
  afterReset: ActionSpec[];
  beforeAllMigrations: ActionSpec[];
  afterAllMigrations: ActionSpec[];
  beforeCurrent: ActionSpec[];
  afterCurrent: ActionSpec[];
}

/** Where a database lives. */
export type DbLocation =
  | { kind: 'pg'; url: string }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory' };

export interface TargetSpec {
  name: string;
  /** Environment variable holding the target's URL (no passwords in files). */
  urlEnv: string;
  shadowUrlEnv?: string;
  pgSettings: Record<string, string>;
  /** Seed files (relative to the project root) run by `target init`, in order. */
  seeds: string[];
  /** `reset --erase` refuses to drop it (a production database). */
  protected?: boolean;
}

export interface EngineSettings {
  root: string;
  gmrcPath?: string;
  migrationsFolder: string;
  main: DbLocation;
  shadow: DbLocation;
  rootConnectionString?: string;
  databaseOwner: string;
  pgSettings: Record<string, string>;
  /** Resolved user placeholders (`!ENV` read); the built-ins are added per database. */
  placeholders: Record<string, string>;
  blankMigrationContent: string;
  manageGraphileMigrateSchema: boolean;
  actions: Actions;
  targets: Record<string, TargetSpec>;
  /** The target these settings were resolved for, if any. */
  target?: string;
  /**
   * Connection settings given without a main database (SHADOW_DATABASE_URL, ROOT_DATABASE_URL, ... while DATABASE_URL
   * is unset): the embedded database is then not what the user meant, so the engine refuses to open it.
   */
  strayConnections?: string[];
  /** With strayConnections: how to write DATABASE_URL from variables that are set (graphile/starter's .env). */
  mainUrlHint?: string;
  /** Where `main` was read from when not pgmig's own settings (a Drizzle project: `from drizzle.config.json`), or why not. */
  mainSource?: string;
  /**
   * The project's tool names a database pgmig cannot resolve (a Drizzle config's dbCredentials from a variable that
   * is not set, or from code): the engine refuses to open `main` (unless a target names it) rather than read another.
   */
  mainUnknown?: string;
  /** The dotenv file the environment was completed from (LoadOptions.envFile); its values are secrets, never logged. */
  envFile?: EnvFile;
  engine: {
    /** Relative to root; written by `schema dump` and, with dumpSchemaOnCommit, after each commit. */
    schemaFile: string;
    dumpSchemaOnCommit: boolean;
    /** How many targets `--all-targets` runs at once. */
    concurrency: number;
    /** Embedded database folder (relative to root). */
    embeddedDataDir: string;
    lockTimeoutMs: number;
  };
}

const GMRC_KEYS = new Set([
  'connectionString',
  'logger',
  'rootConnectionString',
  'migrationsFolder',
  'blankMigrationContent',
  'databaseOwner',
  'shadowConnectionString',
  'pgSettings',
  'placeholders',
  'beforeReset',
  'afterReset',
  'beforeAllMigrations',
  'afterAllMigrations',
  'beforeCurrent',
  'afterCurrent',
  'manageGraphileMigrateSchema',
]);

export interface LoadOptions {
  /** Folder to start looking for the project from (default: cwd). */
  cwd?: string;
  /** Explicit project root (skips the search). */
  root?: string;
  /** The process environment (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * A dotenv file whose variables complete `env` (`env` wins, as with dotenv): DATABASE_URL, `!ENV` placeholders,
   * targets' urlEnv, action commands. undefined: `<root>/.env` when it exists; null: none; a path (relative to the
   * root): that file, which must exist.
   */
  envFile?: string | null;
  /** Target name (from pgmig.json `targets`). */
  target?: string;
  /** `.gmrc.js` / `.gmrc.cjs` are code: only loaded when the caller trusts the workspace (the CLI does). */
  allowJsConfig?: boolean;
}

function readJson5File(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new EngineError('config', `failed to read '${file}': ${e?.message ?? e}`);
  }
  try {
    return JSON5.parse(text);
  } catch (e: any) {
    throw new EngineError('config', `failed to parse '${file}': ${String(e?.message ?? e).split('\n')[0]}`);
  }
}

function validateActions(errors: string[], key: string, value: unknown, allowRoot: boolean): ActionSpec[] {
  const specs: ActionSpec[] = [];
  if (!value) return specs;
  const list = Array.isArray(value) ? value : [value];
  for (let raw of list) {
    if (raw && typeof raw === 'object' && !('_' in raw && (raw as any)._) && typeof (raw as any).command === 'string') {
      raw = { _: 'command', ...(raw as object) }; // graphile-migrate's back-fill for v0.0.3 configs
    }
    if (typeof raw === 'string' && raw) {
      specs.push(raw.startsWith('!') ? { _: 'sql', file: raw.slice(1), root: true } : { _: 'sql', file: raw });
    } else if (raw && typeof raw === 'object' && typeof (raw as any)._ === 'string') {
      const o = raw as any;
      if ('shadow' in o && typeof o.shadow !== 'boolean') {
        errors.push(`Setting '${key}': '${o._}' action has 'shadow' property of type '${typeof o.shadow}'; expected 'boolean' (or not set)`);
        continue;
      }
      if (o._ === 'sql') {
        if (typeof o.file !== 'string') errors.push(`Setting '${key}': SQL command requires 'file' property to be set`);
        else specs.push(o);
      } else if (o._ === 'command') {
        if (typeof o.command !== 'string') errors.push(`Setting '${key}': Command action has 'command' property of type '${typeof o.command}'; expected 'string'`);
        else specs.push(o);
      } else errors.push(`Setting '${key}': action spec '${o._}' not supported`);
    } else {
      errors.push(`Setting '${key}': Expected action spec to contain an array of strings or action specs; received '${typeof raw}'`);
    }
  }
  for (const s of specs) {
    if (!allowRoot && s._ === 'sql' && s.root) errors.push(`Setting '${key}': This hooks isn't permitted to require root privileges.`);
  }
  return specs;
}

function loadGmrc(root: string, allowJs: boolean): { raw: Record<string, unknown>; file?: string } {
  const json = path.join(root, '.gmrc');
  if (fs.existsSync(json)) {
    const raw = readJson5File(json);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new EngineError('config', `${json}: expected settings object`);
    return { raw: raw as Record<string, unknown>, file: json };
  }
  for (const name of ['.gmrc.js', '.gmrc.cjs']) {
    const file = path.join(root, name);
    if (!fs.existsSync(file)) continue;
    if (!allowJs) throw new EngineError('config', `${file} is code; pgmig only runs it from the command line (a trusted workspace)`);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file);
      return { raw: (mod?.default ?? mod) as Record<string, unknown>, file };
    } catch (e: any) {
      throw new EngineError('config', `failed to load ${file}: ${String(e?.message ?? e).split('\n')[0]}`);
    }
  }
  return { raw: {} };
}

function locationOf(url: string | undefined): DbLocation | undefined {
  return url ? { kind: 'pg', url } : undefined;
}

/** Replaces the database of a root connection string, exactly as graphile-migrate's makeRootDatabaseConnectionString. */
/** graphile-migrate's root connection when neither ROOT_DATABASE_URL nor rootConnectionString is set. */
export const DEFAULT_ROOT_URL = 'postgres:///template1';

export function makeRootDatabaseConnectionString(rootConnectionString: string, databaseName: string): string {
  const parsed = parseUrl(rootConnectionString, true);
  if (parsed.protocol === 'socket:') {
    const query = new URLSearchParams({ ...(parsed.query as Record<string, string>), db: databaseName }).toString();
    return parsed.auth ? `socket://${parsed.auth}@${parsed.pathname}?${query}` : `socket:${parsed.pathname}?${query}`;
  }
  if (!parsed.protocol) return databaseName;
  parsed.pathname = `/${databaseName}`;
  parsed.path = null;
  parsed.href = '';
  return formatUrl(parsed);
}

export function loadSettings(opts: LoadOptions = {}): EngineSettings {
  const root = opts.root
    ? path.resolve(opts.root)
    : findProjectRoot(diskFileSystem, opts.cwd ?? process.cwd()) ?? path.resolve(opts.cwd ?? process.cwd());
  const envFile = opts.envFile === null ? undefined : readEnvFile(path.resolve(root, opts.envFile ?? '.env'), opts.envFile !== undefined);
  const env = withEnvFile(opts.env ?? process.env, envFile);
  const { raw, file: gmrcPath } = loadGmrc(root, !!opts.allowJsConfig);
  // Each error is reported with its source: .gmrc, the environment, or pgmig.json.
  const errors: string[] = [];
  const envErrors: string[] = [];
  const pgmigErrors: string[] = [];
  const str = (key: string, fallback: string | undefined): string | undefined => {
    const v = raw[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string') {
      errors.push(`Setting '${key}': Expected a string`);
      return fallback;
    }
    return v;
  };

  const connectionString = str('connectionString', env.DATABASE_URL || undefined);
  const rootConnectionString = str('rootConnectionString', env.ROOT_DATABASE_URL || DEFAULT_ROOT_URL);
  const shadowConnectionString = str('shadowConnectionString', env.SHADOW_DATABASE_URL || undefined);
  const migrationsFolder = path.resolve(root, str('migrationsFolder', 'migrations')!);
  const blankMigrationContent = str('blankMigrationContent', '-- Enter migration here\n')!;

  // node-postgres reads a string that is not a URL relative to `postgres://base` ("cannot connect to
  // postgres://base/notaurl"): say what is wrong instead. The value is not echoed (it may hold a password).
  const isUrl = (v: string) => /^[a-z][a-z0-9+.-]*:/i.test(v);
  for (const [value, setting, variable] of [
    [connectionString, 'connectionString', 'DATABASE_URL'],
    [shadowConnectionString, 'shadowConnectionString', 'SHADOW_DATABASE_URL'],
    [rootConnectionString, 'rootConnectionString', 'ROOT_DATABASE_URL'],
  ] as const) {
    if (!value || isUrl(value)) continue;
    const fromGmrc = raw[setting] !== undefined;
    (fromGmrc ? errors : envErrors).push(`${fromGmrc ? `Setting '${setting}'` : variable} is not a connection URL: expected one such as postgres://user@host:5432/database`);
  }

  let user: string | undefined;
  let databaseName: string | undefined;
  if (connectionString && isUrl(connectionString)) {
    try {
      const p = parseConnection(connectionString);
      user = p.user ?? undefined;
      databaseName = p.database ?? undefined;
    } catch {
      (raw.connectionString === undefined ? envErrors : errors).push(
        raw.connectionString === undefined ? 'DATABASE_URL is not a valid connection string' : `Setting 'connectionString': not a valid connection string`,
      );
    }
  }
  const databaseOwner = str('databaseOwner', user || databaseName || 'postgres')!;

  const pgSettings: Record<string, string> = {};
  const rawPg = raw.pgSettings;
  if (rawPg) {
    if (typeof rawPg !== 'object') errors.push(`Setting 'pgSettings': Expected settings.pgSettings to be an object`);
    else {
      const bad = Object.keys(rawPg).filter((k) => typeof (rawPg as any)[k] !== 'string' && typeof (rawPg as any)[k] !== 'number');
      if (bad.length) errors.push(`Setting 'pgSettings': Invalid pgSettings for keys '${bad.join(', ')}' - expected string`);
      for (const [k, v] of Object.entries(rawPg)) if (!bad.includes(k)) pgSettings[k] = String(v);
    }
  }

  const placeholders: Record<string, string> = {};
  const rawPh = raw.placeholders;
  if (rawPh) {
    if (typeof rawPh !== 'object') errors.push(`Setting 'placeholders': Expected settings.placeholders to be an object`);
    else {
      const badKeys = Object.keys(rawPh).filter((k) => !/^:[A-Z][0-9A-Z_]+$/.test(k));
      const badValues = Object.keys(rawPh).filter((k) => typeof (rawPh as any)[k] !== 'string');
      if (badKeys.length) errors.push(`Setting 'placeholders': Invalid placeholders keys '${badKeys.join(', ')}' - expected to follow format ':ABCD_EFG_HIJ'`);
      else if (badValues.length) errors.push(`Setting 'placeholders': Invalid placeholders values for keys '${badValues.join(', ')}' - expected string`);
      else {
        for (const [k, v] of Object.entries(rawPh as Record<string, string>)) {
          if (v === '!ENV') {
            const value = env[k.slice(1)];
            // Where it was looked for: the environment, and the dotenv file read or the one that was not there (a
            // monorepo keeps its .env above the .gmrc: `--env-file` / `pgmig.envFile` name it).
            const looked = envFile ? ` (nor in ${envFile.path})` : '';
            const noFile = !envFile && opts.envFile === undefined ? '; no .env beside it: --env-file PATH reads another' : '';
            if (!value) envErrors.push(`Could not find environmental variable '${k.slice(1)}'${looked} (placeholder ${k} is '!ENV' in .gmrc${noFile})`);
            else placeholders[k] = value;
          } else placeholders[k] = v;
        }
      }
    }
  }
  for (const reserved of [':DATABASE_NAME', ':DATABASE_OWNER']) {
    if (reserved in placeholders) errors.push(`Setting 'placeholders': '${reserved}' is reserved; do not specify reserved placeholders.`);
  }

  const actions: Actions = {
    beforeReset: validateActions(errors, 'beforeReset', raw.beforeReset, true),
    afterReset: validateActions(errors, 'afterReset', raw.afterReset, true),
    beforeAllMigrations: validateActions(errors, 'beforeAllMigrations', raw.beforeAllMigrations, false),
    afterAllMigrations: validateActions(errors, 'afterAllMigrations', raw.afterAllMigrations, false),
    beforeCurrent: validateActions(errors, 'beforeCurrent', raw.beforeCurrent, false),
    afterCurrent: validateActions(errors, 'afterCurrent', raw.afterCurrent, false),
  };
  const mgms = raw.manageGraphileMigrateSchema;
  if (mgms !== undefined && typeof mgms !== 'boolean') errors.push(`Setting 'manageGraphileMigrateSchema': Expected boolean, received '${mgms === null ? 'null' : typeof mgms}'`);

  const unknown = Object.keys(raw).filter((k) => !GMRC_KEYS.has(k) && !k.startsWith('//'));
  if (unknown.length) errors.push(`The following config settings were not understood: '${unknown.join("', '")}'`);
  if (connectionString && (connectionString === rootConnectionString || connectionString === shadowConnectionString)) {
    errors.push('connectionString cannot be the same value as rootConnectionString or shadowConnectionString.');
  }
  if (connectionString && isUrl(connectionString) && !databaseName) errors.push('Could not determine the database name, please ensure connectionString includes the database name.');

  // pgmig.json: the engine's own settings.
  const pgmigPath = path.join(root, 'pgmig.json');
  const pgmig = fs.existsSync(pgmigPath) ? (readJson5File(pgmigPath) as any) ?? {} : {};
  const engineRaw = pgmig.engine ?? {};
  const engine: EngineSettings['engine'] = {
    schemaFile: 'schema.sql',
    dumpSchemaOnCommit: false,
    concurrency: 4,
    embeddedDataDir: '.pgmig/db',
    lockTimeoutMs: 60_000,
  };
  if (typeof engineRaw !== 'object' || Array.isArray(engineRaw)) pgmigErrors.push(`"engine" must be an object`);
  else {
    for (const [k, v] of Object.entries(engineRaw)) {
      if (k.startsWith('//')) continue;
      if ((k === 'schemaFile' || k === 'embeddedDataDir') && typeof v === 'string') engine[k] = v;
      else if (k === 'dumpSchemaOnCommit' && typeof v === 'boolean') engine.dumpSchemaOnCommit = v;
      else if ((k === 'concurrency' || k === 'lockTimeoutMs') && typeof v === 'number' && v > 0) engine[k] = Math.floor(v);
      else pgmigErrors.push(`engine.${k}: unknown setting or wrong type`);
    }
  }
  const targets: Record<string, TargetSpec> = {};
  if (pgmig.targets !== undefined) {
    if (typeof pgmig.targets !== 'object' || Array.isArray(pgmig.targets)) pgmigErrors.push(`"targets" must be an object of named targets`);
    else {
      for (const [name, t] of Object.entries<any>(pgmig.targets)) {
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) pgmigErrors.push(`target name '${name}' may only use letters, digits, '_', '.', '-'`);
        if (!t || typeof t !== 'object' || typeof t.urlEnv !== 'string' || !t.urlEnv) {
          pgmigErrors.push(`target '${name}' needs "urlEnv", the environment variable that holds its URL`);
          continue;
        }
        for (const k of Object.keys(t)) {
          if (!['urlEnv', 'shadowUrlEnv', 'pgSettings', 'seeds', 'protected'].includes(k) && !k.startsWith('//')) pgmigErrors.push(`target '${name}': unknown setting "${k}"`);
        }
        const ps: Record<string, string> = {};
        for (const [k, v] of Object.entries<any>(t.pgSettings ?? {})) {
          if (typeof v !== 'string' && typeof v !== 'number') pgmigErrors.push(`target '${name}': pgSettings.${k} must be a string`);
          else ps[k] = String(v);
        }
        const seeds = t.seeds ?? [];
        if (!Array.isArray(seeds) || seeds.some((s: unknown) => typeof s !== 'string')) pgmigErrors.push(`target '${name}': "seeds" must be a list of files`);
        if (t.protected !== undefined && typeof t.protected !== 'boolean') pgmigErrors.push(`target '${name}': "protected" must be true or false`);
        targets[name] = { name, urlEnv: t.urlEnv, shadowUrlEnv: typeof t.shadowUrlEnv === 'string' ? t.shadowUrlEnv : undefined, pgSettings: ps, seeds: Array.isArray(seeds) ? seeds : [], protected: t.protected === true };
      }
    }
  }

  if (errors.length || envErrors.length || pgmigErrors.length) {
    const parts: string[] = [];
    if (errors.length) parts.push(`${gmrcPath ?? '.gmrc'}: ${errors.join('; ')}`);
    if (envErrors.length) parts.push(`environment: ${envErrors.join('; ')}`);
    if (pgmigErrors.length) parts.push(`${pgmigPath}: ${pgmigErrors.join('; ')}`);
    throw new EngineError('config', `errors in the settings (${parts.join(' | ')})`);
  }
  // graphile-migrate stops without a main connection; pgmig then uses the embedded database, unless other connection
  // settings say a server was meant (the check is made when the embedded database would be opened: a target may
  // still name the main database).
  const strayConnections = connectionString
    ? []
    : [
        env.SHADOW_DATABASE_URL ? 'SHADOW_DATABASE_URL' : raw.shadowConnectionString !== undefined ? 'shadowConnectionString in .gmrc' : undefined,
        env.ROOT_DATABASE_URL ? 'ROOT_DATABASE_URL' : raw.rootConnectionString !== undefined ? 'rootConnectionString in .gmrc' : undefined,
      ].filter((x): x is string => !!x);
  // graphile/starter's .env has no DATABASE_URL: its scripts build it from these (@app/config/env.js, which pgmig
  // does not run). Say how, without the password's value.
  const mainUrlHint = strayConnections.length && env.DATABASE_OWNER && env.DATABASE_HOST && env.DATABASE_NAME
    ? `DATABASE_OWNER, DATABASE_HOST and DATABASE_NAME are set (graphile/starter's scripts build DATABASE_URL from them, which pgmig does not run): add DATABASE_URL=postgres://${env.DATABASE_OWNER}@${env.DATABASE_HOST}/${env.DATABASE_NAME} to ${envFile ? envFile.path : 'the environment or a .env beside .gmrc'}, with DATABASE_OWNER_PASSWORD's value after "${env.DATABASE_OWNER}:" as those scripts do`
    : undefined;

  // A Drizzle project's database is the one its config names, as for drizzle-kit (before DATABASE_URL; a target wins).
  const tool = toolDatabase(root, pgmig, env, envFile);
  const settings: EngineSettings = {
    root,
    gmrcPath,
    migrationsFolder,
    main: (tool.kind === 'url' ? locationOf(tool.url) : undefined) ?? locationOf(connectionString) ?? { kind: 'pglite', dataDir: path.resolve(root, engine.embeddedDataDir) },
    mainSource: tool.kind === 'url' ? `from ${tool.source}` : tool.kind === 'none' ? tool.note : undefined,
    mainUnknown: tool.kind === 'unknown' ? `cannot tell which database drizzle-kit uses: ${tool.reason}` : undefined,
    shadow: locationOf(shadowConnectionString) ?? { kind: 'pglite-memory' },
    rootConnectionString,
    databaseOwner,
    pgSettings,
    placeholders,
    blankMigrationContent,
    manageGraphileMigrateSchema: mgms !== false,
    actions,
    targets,
    engine,
    envFile,
    strayConnections: strayConnections.length ? strayConnections : undefined,
    mainUrlHint,
  };
  return opts.target ? forTarget(settings, opts.target, env) : settings;
}

/** The database the project's own tool names (a Drizzle config's dbCredentials), read from its files, never run. */
function toolDatabase(root: string, pgmigJson: unknown, env: NodeJS.ProcessEnv, envFile: EnvFile | undefined): DrizzleDatabase {
  let configFile: string | undefined;
  try {
    const p = detectLayout(diskFileSystem, root, pgmigJson);
    if (p.kind === 'drizzle') configFile = p.drizzleConfig;
  } catch {
    return { kind: 'none' }; // the layout commands report a broken layout themselves
  }
  const text = configFile && diskFileSystem.read(configFile);
  if (!configFile || !text) return { kind: 'none' };
  const readEnv = (rel: string) => {
    const t = diskFileSystem.read(path.resolve(root, rel));
    return t === undefined ? undefined : parseDotenv(t);
  };
  return drizzleDatabase(path.basename(configFile), text, env, envFile ? path.relative(root, envFile.path) || envFile.path : '.env', readEnv);
}

/** The settings for one named target: its URL from its environment variable, its pgSettings over the project's. */
export function forTarget(settings: EngineSettings, name: string, env: NodeJS.ProcessEnv = environmentOf(settings)): EngineSettings {
  const t = settings.targets[name];
  if (!t) {
    const known = Object.keys(settings.targets);
    throw new EngineError('config', `unknown target '${name}'${known.length ? ` (known: ${known.join(', ')})` : ' (pgmig.json defines no targets)'}`);
  }
  const url = env[t.urlEnv];
  if (!url) throw new EngineError('config', `target '${name}': environment variable ${t.urlEnv} is not set`);
  const shadowUrl = t.shadowUrlEnv ? env[t.shadowUrlEnv] : undefined;
  if (t.shadowUrlEnv && !shadowUrl) throw new EngineError('config', `target '${name}': environment variable ${t.shadowUrlEnv} is not set`);
  let user: string | undefined;
  let db: string | undefined;
  try {
    const p = parseConnection(url);
    user = p.user ?? undefined;
    db = p.database ?? undefined;
  } catch {
    throw new EngineError('config', `target '${name}': ${t.urlEnv} is not a valid connection string`);
  }
  return {
    ...settings,
    target: name,
    main: { kind: 'pg', url },
    shadow: shadowUrl ? { kind: 'pg', url: shadowUrl } : settings.shadow,
    databaseOwner: user || db || settings.databaseOwner,
    pgSettings: { ...settings.pgSettings, ...t.pgSettings },
  };
}

/** The process environment completed by the settings' env file (for action commands and targets' urlEnv). */
export function environmentOf(settings: EngineSettings, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return withEnvFile(env, settings.envFile);
}
