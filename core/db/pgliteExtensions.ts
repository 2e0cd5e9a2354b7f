// PGlite's contrib extensions (citext, uuid-ossp, pgcrypto, hstore, pg_trgm, ...): each is a bundle (a .tar.gz of
// the control file, SQL scripts and the WASM .so) that PGlite unpacks when it starts, so the ones a project asks for
// (`create extension ...` in its migrations) are named before the embedded database starts. The bundles sit beside
// dist/pglite.js (copied by esbuild.mjs) or in the package (tests run the tsc output).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bundles that hold several extensions; every other bundle is named after its one extension. */
const MULTI: Record<string, string[]> = { spi: ['autoinc', 'insert_username', 'moddatetime', 'refint'] };

/** PGlite's own folder: beside the bundle (dist/, where esbuild.mjs copies its files) or in node_modules (tsc output). */
function pgliteFolders(): string[] {
  const folders = [__dirname];
  try {
    folders.push(path.dirname(require.resolve('@electric-sql/pglite')));
  } catch {
    /* bundled: the bundle's folder only */
  }
  return folders;
}

let assetDir: string | undefined | null;
/** The folder holding pglite.wasm and pglite.data. */
export function pgliteAssetDir(): string | undefined {
  if (assetDir === undefined) assetDir = pgliteFolders().find((d) => fs.existsSync(path.join(d, 'pglite.wasm'))) ?? null;
  return assetDir ?? undefined;
}

let bundleDir: string | undefined | null;
function findBundleDir(): string | undefined {
  if (bundleDir === undefined) {
    const candidates = pgliteFolders().flatMap((d) => [path.join(d, 'pglite-extensions'), d]);
    bundleDir = candidates.find((d) => fs.existsSync(path.join(d, 'citext.tar.gz'))) ?? null;
  }
  return bundleDir ?? undefined;
}

let available: Map<string, string> | undefined;
/** Extension name (as in `create extension`) -> its bundle file, for every extension this PGlite provides. */
export function availableExtensions(): Map<string, string> {
  if (available) return available;
  available = new Map();
  const dir = findBundleDir();
  if (!dir) return available;
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.tar.gz')) continue;
    const bundle = f.slice(0, -'.tar.gz'.length);
    for (const name of MULTI[bundle] ?? [bundle]) available.set(name, path.join(dir, f));
  }
  return available;
}

const CREATE_EXTENSION = /\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[a-z_][\w$]*)/gi;

/** The extensions `sql` creates (a name in a comment counts too: loading one more extension costs little). */
export function extensionsCreatedIn(sql: string): string[] {
  const names = new Set<string>();
  for (const m of sql.matchAll(CREATE_EXTENSION)) {
    const raw = m[1];
    names.add(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase());
  }
  return [...names];
}

const folderCache = new Map<string, { mtimeMs: number; size: number; names: string[] }>();
/**
 * The extensions created by any `.sql` file under `folder` (committed, current, fixtures, graphile's
 * before/afterReset scripts), re-reading only the files that changed since the last call.
 */
export function extensionsInFolder(folder: string, limit = 20_000): string[] {
  const names = new Set<string>();
  const stack = [folder];
  let seen = 0;
  while (stack.length && seen < limit) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') stack.push(full);
      } else if (e.name.endsWith('.sql') && ++seen <= limit) {
        try {
          const st = fs.statSync(full);
          let c = folderCache.get(full);
          if (!c || c.mtimeMs !== st.mtimeMs || c.size !== st.size) {
            const text = fs.readFileSync(full, 'utf8');
            c = { mtimeMs: st.mtimeMs, size: st.size, names: /create\s+extension/i.test(text) ? extensionsCreatedIn(text) : [] };
            folderCache.set(full, c);
          }
          for (const n of c.names) names.add(n);
        } catch {
          /* deleted meanwhile */
        }
      }
    }
  }
  return [...names];
}

/** PGlite's `extensions` option for the given names (those it does not provide are left out). */
export function pgliteExtensionOptions(names: Iterable<string>): Record<string, { name: string; setup: () => Promise<{ bundlePath: URL }> }> {
  const out: Record<string, { name: string; setup: () => Promise<{ bundlePath: URL }> }> = {};
  const avail = availableExtensions();
  for (const name of names) {
    const file = avail.get(name);
    if (!file) continue;
    const key = path.basename(file, '.tar.gz').replace(/\W/g, '_');
    out[key] = { name: key, setup: async () => ({ bundlePath: pathToFileURL(file) }) };
  }
  return out;
}

/** The hint for an extension this PGlite does not provide: what it has, and how to use a real PostgreSQL. */
export function unavailableExtensionHint(name: string): string {
  const have = [...availableExtensions().keys()].sort();
  return (
    `the embedded database (PGlite) does not provide the extension "${name}"` +
    (have.length ? ` (it provides ${have.join(', ')})` : '') +
    `; to use it, point pgmig at a PostgreSQL server that has it: set DATABASE_URL (and SHADOW_DATABASE_URL) in the environment or in the project's .env file, or add a target to pgmig.json`
  );
}

/** `extension "x" is not available` (0A000) from PostgreSQL: the extension's name, else undefined. */
export function unavailableExtensionOf(e: unknown): string | undefined {
  const err = e as { code?: string; message?: string } | undefined;
  if (err?.code !== '0A000' || typeof err.message !== 'string') return undefined;
  return /^extension "(.+)" is not available/.exec(err.message)?.[1];
}
