// Which database drizzle-kit uses: the `dbCredentials` of drizzle.config.* (`url`, or `host`/`port`/`user`/`password`/
// `database`/`ssl`), read as text as drizzle-kit would evaluate it, never run. A value may be a literal, a
// `process.env.NAME` (with `!`, `as string`, `?? "fallback"` / `|| "fallback"`), `env.NAME` of an imported `env`
// module (taken as process.env.NAME, and said so), or a name bound to one of those by `const`/`let`/`var`; the environment is the process's completed by the project's `.env` (what the engine reads).
// Anything else (a function call, an imported `env`, a template string) means pgmig cannot tell, and says so rather
// than answering from another database.
import { redactSecrets } from '../db/connection';
export type DrizzleDatabase =
  /**
   * The config names no database (no `dbCredentials`), or names pgmig's own variable DATABASE_URL while it is unset
   * (drizzle-kit cannot run then; `note` says so): pgmig's own settings apply, the embedded database.
   */
  | { kind: 'none'; note?: string }
  /** A PostgreSQL URL (may hold a password: never print it, use describeConnection). */
  | { kind: 'url'; url: string; source: string }
  /** The config names a database pgmig cannot resolve, and why. */
  | { kind: 'unknown'; reason: string };

/** The index just past the bracket that closes the one at `open` (strings and comments skipped), or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) return i + 1;
  }
  return -1;
}

/** The top-level `key: expr` / shorthand `key` entries of an object literal's body. */
function entries(body: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let start = 0;
  const parts: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < body.length && body[i] !== c; i++) if (body[i] === '\\') i++;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) (parts.push(body.slice(start, i)), (start = i + 1));
  }
  parts.push(body.slice(start));
  for (const p of parts) {
    const m = /^\s*(?:(['"])([\w$]+)\1|([A-Za-z_$][\w$]*))\s*(?::\s*([\s\S]*?))?\s*$/.exec(p);
    if (m) out.set(m[2] ?? m[3], m[4] ?? m[3]);
  }
  return out;
}

type Value = { value: string | number | boolean | undefined; unread?: string; env?: string; assumed?: string };

const STRING = /^(['"`])((?:(?!\1)[^\\$]|\\.|\$(?!\{))*)\1$/;

/** One value as drizzle-kit would see it, or `unread` (the expression as written) when it is not a plain one. */
function evaluate(expr: string, code: string, env: NodeJS.ProcessEnv, depth = 0): Value {
  const e = expr
    .trim()
    .replace(/\s+as\s+[\w.]+$/, '')
    .replace(/!$/, '')
    .trim();
  const fallback = /^([\s\S]+?)\s*(\?\?|\|\|)\s*([\s\S]+)$/.exec(e);
  if (fallback) {
    const left = evaluate(fallback[1], code, env, depth + 1);
    if (left.unread !== undefined) return { value: undefined, unread: expr.trim() };
    if (left.value !== undefined && !(fallback[2] === '||' && !left.value)) return left;
    const right = evaluate(fallback[3], code, env, depth + 1);
    return right.env ? right : { ...right, env: left.env };
  }
  const lit = STRING.exec(e);
  if (lit) return { value: lit[2].replace(/\\(.)/g, '$1') };
  if (/^\d+$/.test(e)) return { value: Number(e) };
  if (e === 'true' || e === 'false') return { value: e === 'true' };
  const envRef = /^process\s*\.\s*env\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*(['"])(\w+)\2\s*\])$/.exec(e);
  if (envRef) {
    const name = envRef[1] ?? envRef[3];
    return { value: env[name] || undefined, env: name };
  }
  // A validated environment module (create-t3-app's `import { env } from "~/env"`): `env.NAME` is taken as
  // process.env.NAME, and every message says so.
  const moduleEnv = /^([A-Za-z_$][\w$]*)\s*\.\s*([A-Z_][A-Z0-9_]*)$/.exec(e);
  if (moduleEnv && new RegExp(`\\bimport\\s*\\{[^}]*\\b${moduleEnv[1].replace(/\$/g, '\\$')}\\b[^}]*\\}\\s*from\\b`).test(code)) {
    return { value: env[moduleEnv[2]] || undefined, env: moduleEnv[2], assumed: `${moduleEnv[1]}.${moduleEnv[2]}` };
  }
  const num = /^(?:Number|parseInt)\s*\(([\s\S]+)\)$/.exec(e);
  if (num) {
    const inner = evaluate(num[1].replace(/,\s*10\s*$/, ''), code, env, depth + 1);
    return inner.unread !== undefined || inner.value === undefined ? { ...inner, unread: inner.unread ?? undefined } : { value: Number(inner.value), env: inner.env };
  }
  if (/^[A-Za-z_$][\w$]*$/.test(e) && depth < 5) {
    const decl = new RegExp(`\\b(?:const|let|var)\\s+${e.replace(/\$/g, '\\$')}\\s*(?::\\s*[\\w.]+\\s*)?=\\s*`).exec(code);
    if (decl) {
      const rest = code.slice(decl.index + decl[0].length);
      const end = /;|\n(?!\s*(?:\?\?|\|\||\.))/.exec(rest);
      return evaluate(rest.slice(0, end ? end.index : undefined), code, env, depth + 1);
    }
  }
  return { value: undefined, unread: expr.trim() };
}

const q = (s: string) => encodeURIComponent(s);

/**
 * The database a Drizzle config names. `configName` is the file's name (for messages), `text` its content, `env` the
 * environment drizzle-kit would run in (process + `.env`), `envFileName` the `.env` it was completed from.
 */
export function drizzleDatabase(
  configName: string,
  text: string,
  env: NodeJS.ProcessEnv,
  envFileName = '.env',
  readEnvFile?: (relativePath: string) => Record<string, string> | undefined,
): DrizzleDatabase {
  const code = text.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"])\/\/[^\n]*/g, '$1');
  // drizzle-kit loads .env itself (dotenv/config, done by the caller); a config may load another file too:
  // `config({ path: ".env.local" })` (under what is set; over it with `override: true`).
  for (const call of code.matchAll(/\bconfig\s*\(\s*\{([^}]*)\}\s*\)/g)) {
    const file = /\bpath\s*:\s*(['"`])([^'"`$]+)\1/.exec(call[1])?.[2];
    const vars = file && readEnvFile?.(file);
    if (!file || !vars) continue;
    env = /\boverride\s*:\s*true\b/.test(call[1]) ? { ...env, ...vars } : { ...vars, ...env };
    envFileName += ` or ${file}`;
  }
  const key = /(?:^|[{,\s])['"]?dbCredentials['"]?\s*:\s*/m.exec(code);
  if (!key) return { kind: 'none' };
  let at = key.index + key[0].length;
  let body: string | undefined;
  if (code[at] === '{') {
    const end = closing(code, at);
    if (end > 0) body = code.slice(at + 1, end - 1);
  } else {
    const name = /^[A-Za-z_$][\w$]*/.exec(code.slice(at))?.[0];
    const decl = name && new RegExp(`\\b(?:const|let|var)\\s+${name.replace(/\$/g, '\\$')}\\s*(?::\\s*[\\w.]+\\s*)?=\\s*\\{`).exec(code);
    if (decl) {
      at = decl.index + decl[0].length - 1;
      const end = closing(code, at);
      if (end > 0) body = code.slice(at + 1, end - 1);
    }
  }
  const how = `set the URL in ${configName} or ${envFileName}, or name the database with a pgmig.json target and --target`;
  if (body === undefined) return { kind: 'unknown', reason: `${configName}: dbCredentials is ${/^[^,}\n]*/.exec(code.slice(key.index + key[0].length))?.[0].trim()}, which pgmig does not evaluate (it never runs the config); ${how}` };
  const fields = entries(body);
  const field = (name: string): Value | undefined => (fields.has(name) ? evaluate(fields.get(name)!, code, env) : undefined);
  const unresolved = (name: string, v: Value): DrizzleDatabase => ({
    kind: 'unknown',
    reason: v.unread !== undefined
      ? `${configName}: dbCredentials.${name} is ${name === 'password' ? 'an expression' : redactSecrets(v.unread)}, which pgmig does not evaluate (it never runs the config); ${how}`
      : `${configName}: dbCredentials.${name} is ${v.assumed ? `${v.assumed} (taken as process.env.${v.env})` : `process.env.${v.env}`}, which is not set (neither in the environment nor in ${envFileName}); ${how}`,
  });
  const urlField = fields.has('url') ? 'url' : fields.has('connectionString') ? 'connectionString' : undefined;
  if (urlField) {
    const v = field(urlField)!;
    if (!v.value && v.unread === undefined && v.env === 'DATABASE_URL') {
      return { kind: 'none', note: `${configName}'s dbCredentials.${urlField} is ${v.assumed ? `${v.assumed} (taken as process.env.DATABASE_URL)` : 'process.env.DATABASE_URL'}, which is not set` };
    }
    if (!v.value || v.unread !== undefined) return unresolved(urlField, v);
    const url = String(v.value);
    // drizzle-kit's PGlite driver: the url is a data folder its own PGlite opens, with that package's PostgreSQL
    // version. pgmig does not open it (its bundled PGlite may be another major version): it says so.
    if (/\bdriver\s*:\s*['"`]pglite['"`]/.test(code)) {
      return { kind: 'unknown', reason: `${configName}: drizzle-kit uses a PGlite database (driver: 'pglite', dbCredentials.${urlField} ${redactSecrets(url)}), which pgmig does not open: its own embedded database may be another PostgreSQL version. Name a PostgreSQL server with a pgmig.json target and --target` };
    }
    if (!/^postgres(?:ql)?:\/\//.test(url)) {
      return { kind: 'unknown', reason: `${configName}: dbCredentials.${urlField}${v.env ? ` (process.env.${v.env})` : ''} is not a postgres:// URL, so pgmig cannot connect to it` };
    }
    return { kind: 'url', url, source: v.env ? `${configName}: ${v.assumed ? `${v.assumed}, taken as process.env.${v.env}` : `process.env.${v.env}`}` : configName };
  }
  const parts: Record<string, string | undefined> = {};
  for (const name of ['host', 'port', 'user', 'password', 'database']) {
    const v = field(name);
    if (!v) continue;
    if (v.value === undefined || v.unread !== undefined) {
      if (name === 'password' && v.env && v.unread === undefined) continue; // no password: libpq's own ways (.pgpass)
      return unresolved(name, v);
    }
    parts[name] = String(v.value);
  }
  if (!parts.host) return { kind: 'unknown', reason: `${configName}: dbCredentials names neither url nor host; ${how}` };
  const params: string[] = [];
  const ssl = field('ssl');
  if (ssl) {
    if (ssl.unread !== undefined && !/^\{/.test(ssl.unread)) return unresolved('ssl', ssl);
    if (ssl.value === true) params.push('sslmode=require');
    else if (typeof ssl.value === 'string') params.push(`sslmode=${q(ssl.value)}`);
    else if (ssl.unread !== undefined) {
      // An options object: certificates pgmig cannot load from the config.
      if (/rejectUnauthorized\s*:\s*false/.test(ssl.unread)) params.push('sslmode=no-verify');
      else return unresolved('ssl', ssl);
    }
  }
  const auth = parts.user ? `${q(parts.user)}${parts.password ? `:${q(parts.password)}` : ''}@` : '';
  const host = parts.host.includes(':') && !parts.host.startsWith('[') ? `[${parts.host}]` : parts.host;
  const url = `postgresql://${auth}${host}${parts.port ? `:${parts.port}` : ''}/${q(parts.database ?? '')}${params.length ? `?${params.join('&')}` : ''}`;
  return { kind: 'url', url, source: configName };
}

