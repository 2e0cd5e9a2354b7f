// Which database Alembic itself uses, so that pgmig reads that one and never another (DATABASE_URL, an embedded
// database). Read from the files as text, never run:
//   - alembic.ini's `sqlalchemy.url` (ConfigParser interpolation as alembic sets it up: `%(here)s`, other keys of the
//     section or of [DEFAULT], `%%`), the ini being `$ALEMBIC_CONFIG` or alembic.ini;
//   - env.py's usual ways of putting an environment variable there: `config.set_main_option("sqlalchemy.url", X)` and
//     `config.set_section_option(section, "KEY", X)` where X is `os.environ["V"]`, `os.environ.get("V"[, default])`,
//     `os.getenv("V"[, default])` or a variable assigned one of those; a `load_dotenv()` there completes the
//     environment from the nearest .env, as python-dotenv does.
// When env.py builds its connection some other way, only alembic can say: `alembic current` through the project's
// command (on an explicit command only, since that runs the project's code). Otherwise pgmig says it cannot know.
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { FileSystem } from '../fileSystem';

export type AlembicDatabase =
  /** A PostgreSQL URL pgmig can connect to (the `+driver` part removed); `source` says where it came from. */
  | { kind: 'url'; url: string; source: string }
  /** env.py computes the URL: ask `alembic current`. */
  | { kind: 'tool'; reason: string }
  /** Nothing to connect to, and why (no URL anywhere, another database system, a variable that is not set). */
  | { kind: 'unknown'; reason: string };

/** The [section] -> key -> raw value map of an ini file (keys lower-cased as ConfigParser does; continuation lines joined). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || !raw.trim()) {
      lastKey = undefined;
      continue;
    }
    const sec = /^\s*\[(.+)\]\s*$/.exec(raw);
    if (sec) {
      section = out.get(sec[1].trim()) ?? new Map();
      out.set(sec[1].trim(), section);
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(raw) && section && lastKey) {
      section.set(lastKey, `${section.get(lastKey)}\n${raw.trim()}`);
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && section) {
      lastKey = kv[1].trim().toLowerCase();
      section.set(lastKey, kv[2].trim());
    }
  }
  return out;
}

/** ConfigParser's BasicInterpolation of one value; undefined (with the missing name) when a reference is unknown. */
export function interpolate(value: string, vars: (name: string) => string | undefined, depth = 0): { value?: string; missing?: string } {
  let missing: string | undefined;
  const v = value.replace(/%(%|\(([^)]+)\)s)/g, (_m, all: string, name: string | undefined) => {
    if (all === '%') return '%';
    const raw = vars(name!.toLowerCase());
    if (raw === undefined || depth > 10) {
      missing ??= name;
      return '';
    }
    const inner = interpolate(raw, vars, depth + 1);
    missing ??= inner.missing;
    return inner.value ?? '';
  });
  return missing ? { missing } : { value: v };
}

const ENV_EXPR = /\bos\s*\.\s*(?:environ\s*\[\s*(['"])(\w+)\1\s*\]|environ\s*\.\s*get\s*\(\s*(['"])(\w+)\3\s*(?:,\s*(['"])([^'"]*)\5\s*)?\)|getenv\s*\(\s*(['"])(\w+)\7\s*(?:,\s*(['"])([^'"]*)\9\s*)?\))/;

interface EnvRead {
  name: string;
  fallback?: string;
}

function envRead(expr: string): EnvRead | undefined {
  const m = ENV_EXPR.exec(expr);
  if (!m) return undefined;
  return { name: m[2] ?? m[4] ?? m[8], fallback: m[6] ?? m[10] };
}

/** A libpq URL from an SQLAlchemy one (`postgresql+psycopg2://` -> `postgresql://`); undefined for other systems. */
export function postgresUrl(sqlalchemyUrl: string): string | undefined {
  const m = /^(postgres(?:ql)?)(?:\+\w+)?:\/\//.exec(sqlalchemyUrl.trim());
  return m ? 'postgresql://' + sqlalchemyUrl.trim().slice(m[0].length) : undefined;
}

/**
 * The database Alembic uses for the project at `root` (whose scripts are in `scriptLocation`).
 * `env` is the environment alembic would run in.
 */
export function alembicDatabase(fsys: FileSystem, root: string, scriptLocation: string, env: NodeJS.ProcessEnv = process.env): AlembicDatabase {
  const iniFile = path.resolve(root, env.ALEMBIC_CONFIG || 'alembic.ini');
  const iniText = fsys.read(iniFile);
  if (iniText === undefined) return { kind: 'unknown', reason: `${iniFile} does not exist` };
  const ini = parseIni(iniText);
  const section = new Map(ini.get('alembic') ?? []);
  const defaults = ini.get('DEFAULT') ?? new Map<string, string>();
  const iniName = path.basename(iniFile);

  // What env.py sets, from environment variables; anything else that builds a connection means only alembic knows.
  const envPy = fsys.read(path.join(scriptLocation, 'env.py')) ?? '';
  // env.py's `load_dotenv()` (python-dotenv): the nearest .env from env.py's folder up, under the variables already
  // set (over them with override=True), as python-dotenv merges it.
  const dotenvCall = /^\s*(?:dotenv\s*\.\s*)?load_dotenv\s*\(([^)]*)\)/m.exec(envPy);
  if (dotenvCall && !/^\s*['"\w]/.test(dotenvCall[1].replace(/^\s*override\s*=.*$/, ''))) {
    for (let dir = scriptLocation; ; dir = path.dirname(dir)) {
      const text = fsys.read(path.join(dir, '.env'));
      if (text !== undefined) {
        const vars = parseDotenv(text);
        env = /override\s*=\s*True/.test(dotenvCall[1]) ? { ...env, ...vars } : { ...vars, ...env };
        break;
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  const vars = new Map<string, EnvRead>();
  let mainUrl: { read?: EnvRead; expr: string } | undefined;
  const handled: string[] = [];
  for (const line of envPy.split(/\r?\n/)) {
    const assign = /^\s*(\w+)\s*(?::[^=]*)?=\s*(.+)$/.exec(line);
    const read = assign && envRead(assign[2]);
    if (assign && read) {
      vars.set(assign[1], read);
      handled.push(line);
      continue;
    }
    const main = /\bset_main_option\s*\(\s*(['"])sqlalchemy\.url\1\s*,\s*(.+)\)\s*$/.exec(line);
    if (main) {
      const v = /^\s*(\w+)\b/.exec(main[2])?.[1];
      mainUrl = { read: envRead(main[2]) ?? (v ? vars.get(v) : undefined), expr: main[2].trim() };
      handled.push(line);
      continue;
    }
    const sec = /\bset_section_option\s*\([^,]+,\s*(['"])([\w.]+)\1\s*,\s*(.+)\)\s*$/.exec(line);
    if (sec) {
      const v = /^\s*(\w+)\b/.exec(sec[3])?.[1];
      const r = envRead(sec[3]) ?? (v ? vars.get(v) : undefined);
      if (r) {
        const value = env[r.name] ?? r.fallback;
        if (value !== undefined) section.set(sec[2].toLowerCase(), value.replace(/%/g, '%%'));
        handled.push(line);
        continue;
      }
    }
  }
  const rest = envPy
    .split(/\r?\n/)
    .filter((l) => !handled.includes(l) && !/^\s*#/.test(l))
    .join('\n');
  if (/\b(?:create_engine|create_async_engine|set_main_option|getenv|environ)\b/.test(rest) || (mainUrl && !mainUrl.read)) {
    return { kind: 'tool', reason: `${path.relative(root, path.join(scriptLocation, 'env.py'))} computes the database URL itself` };
  }
  let raw: string | undefined;
  let source: string;
  if (mainUrl?.read) {
    raw = env[mainUrl.read.name] ?? mainUrl.read.fallback;
    source = `$${mainUrl.read.name} (read by env.py)`;
    if (!raw) return { kind: 'unknown', reason: `env.py takes the database URL from $${mainUrl.read.name}, which is not set` };
  } else {
    const value = section.get('sqlalchemy.url') ?? defaults.get('sqlalchemy.url');
    if (!value) return { kind: 'unknown', reason: `${iniName} sets no sqlalchemy.url in [alembic] and env.py sets none` };
    const here = path.dirname(iniFile);
    const r = interpolate(value, (n) => (n === 'here' ? here.replace(/%/g, '%%') : section.get(n) ?? defaults.get(n)));
    if (r.missing) return { kind: 'unknown', reason: `${iniName}'s sqlalchemy.url refers to %(${r.missing})s, which neither ${iniName} nor env.py sets` };
    raw = r.value!;
    source = iniName;
  }
  const url = postgresUrl(raw);
  if (!url) return { kind: 'unknown', reason: `the database URL from ${source} is not a PostgreSQL one (${raw.split(':')[0]}): pgmig reads PostgreSQL only` };
  return { kind: 'url', url, source };
}

/** The revisions `alembic current` printed (stdout; its log lines go to stderr). */
export function parseAlembicCurrent(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^([0-9A-Za-z_]+)(?:\s+\([^)]*\))*\s*$/.exec(line.trim());
    if (m) out.push(m[1]);
  }
  return out;
}
