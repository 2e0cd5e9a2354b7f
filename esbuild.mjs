// Bundles the four entry points and copies the parser's WASM beside them (esbuild cannot inline it;
// libpg-query loads it from the bundle's own folder).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { version } = require('./package.json');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // pg's optional native binding is never used.
  external: ['vscode', 'pg-native'],
  define: { PGMIG_VERSION: JSON.stringify(version) },
};

// PGlite (~650 KB of JS) is its own bundle, dist/pglite.js, required on first use of the embedded database
// (core/db/pglite.ts): the language server answers `initialize` without compiling it.
const pgliteSeparate = {
  name: 'pglite-separate',
  setup(build) {
    build.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: './pglite.js', external: true }));
  },
};

// dist/pglite.js runs through a V8 code cache (core/db/pglite.ts), and a script compiled from a cache has no dynamic
// import() under Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): its `await import("fs")` and the like of Node's
// built-in modules become require(), which gives the same named exports (the bundle's own require, by another name:
// emscripten's module factory declares a `var require` of its own).
const builtinImportsAsRequire = {
  name: 'builtin-imports-as-require',
  setup(build) {
    build.onLoad({ filter: /@electric-sql[\\/]pglite[\\/]dist[\\/].*\.cjs$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replace(/\bimport\(\s*"((?:node:)?(?:fs|fs\/promises|zlib|util|stream|stream\/promises|module|path|url|crypto))"\s*\)/g, 'Promise.resolve(__builtinRequire("$1"))'), loader: 'js' };
    });
  },
};

// node-postgres probes for Cloudflare Workers when it is loaded: `typeof Response`, which makes Node load its fetch
// implementation (undici, ~20-30 ms of every command that connects to PostgreSQL). pgmig runs on Node only.
const pgWithoutWorkersProbe = {
  name: 'pg-without-workers-probe',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(args.path, 'utf8');
      const probe = "if (typeof Response === 'function') {";
      if (!text.includes(probe)) return { contents: text, loader: 'js', warnings: [{ text: 'pg/lib/stream.js changed: its Cloudflare probe is no longer skipped (esbuild.mjs)' }] };
      return { contents: text.replace(probe, "if (!(typeof process === 'object' && process.versions && process.versions.node) && typeof Response === 'function') {"), loader: 'js' };
    });
  },
};

const entries = [
  // The extension's small entry point (client/main.ts): forks the server, then loads dist/extension.js (by path,
  // through a V8 code cache).
  // The banner marks when VS Code starts loading the extension (activation time, bench/activation.mjs).
  { entryPoints: ['client/main.ts'], outfile: 'dist/client.js', banner: { js: 'var __pgmigLoadStart = performance.now();' }, footer: { js: 'var __pgmigLoadEnd = performance.now();' } },
  { entryPoints: ['client/extension.ts'], outfile: 'dist/extension.js' },
  // The server's entry point runs dist/languageServer.js through a V8 code cache (server/main.ts).
  { entryPoints: ['server/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/server.ts'], outfile: 'dist/languageServer.js', plugins: [pgliteSeparate] },
  // `pgmig`: a small entry point (V8 flags, code cache) that runs the CLI's bundle.
  { entryPoints: ['cli/entry.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['cli/main.ts'], outfile: 'dist/pgmigCli.js', plugins: [pgliteSeparate] },
  // The worker threads of `pgmig lint` (core/lintWorker.ts): analysis only, so they start faster than the CLI would.
  { entryPoints: ['cli/lintWorker.ts'], outfile: 'dist/lintWorker.js' },
  // What they run, through a V8 code cache (cli/lintWorker.ts).
  { entryPoints: ['cli/lintWorkerBody.ts'], outfile: 'dist/lintWorkerBody.js' },
  // Its CommonJS build (the `require` condition), which finds its WASM and data beside the bundle.
  { entryPoints: [require.resolve('@electric-sql/pglite')], outfile: 'dist/pglite.js', plugins: [builtinImportsAsRequire], banner: { js: '"use strict"; var __builtinRequire = require;' } },
].filter((e) => existsSync(e.entryPoints[0]));

mkdirSync('dist', { recursive: true });
const wasmDir = path.dirname(require.resolve('libpg-query/wasm/libpg-query.wasm'));
copyFileSync(path.join(wasmDir, 'libpg-query.wasm'), 'dist/libpg-query.wasm');
// The embedded database (PGlite) loads its WASM, data bundle and initdb beside the bundle too.
const pgliteDir = path.dirname(require.resolve('@electric-sql/pglite'));
for (const f of ['pglite.wasm', 'pglite.data', 'initdb.wasm']) copyFileSync(path.join(pgliteDir, f), path.join('dist', f));
// Its contrib extensions (citext, uuid-ossp, pgcrypto, ...: 1.5 MB), loaded when a project's SQL creates one.
mkdirSync('dist/pglite-extensions', { recursive: true });
for (const f of readdirSync(pgliteDir)) if (f.endsWith('.tar.gz')) copyFileSync(path.join(pgliteDir, f), path.join('dist/pglite-extensions', f));

if (watch) {
  for (const e of entries) (await esbuild.context({ ...common, ...e, plugins: [...(e.plugins ?? []), pgWithoutWorkersProbe] })).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e, plugins: [...(e.plugins ?? []), pgWithoutWorkersProbe] })));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
}
