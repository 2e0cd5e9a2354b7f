// Runs a CommonJS bundle through a V8 code cache, for the processes whose start is waited for: the language server
// (server/main.ts), the extension in VS Code's extension host (client/main.ts) and the `pgmig` command (cli/entry.ts). Compiling a half-megabyte
// bundle is a large part of loading it (measured: the client bundle 44 -> 18 ms, the server's 50 -> 38 ms).
// Node 20 has no module.enableCompileCache, hence vm.Script with cachedData. Any problem with the cache (missing,
// corrupt, made under other V8 flags, not writable) only means compiling as usual.
// Each bundle's caches are in a folder of their own, one file per version of the bundle: versions in use side by
// side (the extension's and the command's, two checkouts) keep theirs. One not used for a week is deleted when
// another version writes its cache. (Earlier versions kept all bundles' caches in one folder and deleted the
// other versions' on every write: two versions run by turns compiled everything on every run.)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';

/** The folder of `name`'s caches, in a folder only this user can write (a cache others could plant would be code
 * run as this user), or undefined. */
function cacheDir(name: string): string | undefined {
  try {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    const top = path.join(os.tmpdir(), `pgmig-code-cache-${uid ?? os.userInfo().username}`);
    const dir = path.join(top, name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const d of [top, dir]) {
      const st = fs.lstatSync(d);
      if (!st.isDirectory() || (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0))) return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A cache not used for this long (its mtime is refreshed daily while in use) is deleted by the next write of another. */
const UNUSED_MS = 7 * DAY_MS;
const FLAVOUR = Symbol.for('pgmig.codeCacheFlavour');

/** The cache name of the process's entry bundle (which V8 flags it runs under), or undefined outside the bundles. */
export function codeCacheFlavour(): string | undefined {
  return (globalThis as Record<symbol, unknown>)[FLAVOUR] as string | undefined;
}

/**
 * `require(bundle)`, compiled from the cache `name` when there is a valid one. Otherwise the cache is written
 * `writeAfterMs` later, or when the process exits (`'exit'`, for a short command), so that it holds the functions
 * compiled while the program ran, not only the top level.
 */
export function requireWithCodeCache(bundle: string, name: string, writeAfterMs: number | 'exit' = 3000): unknown {
  // The first bundle a process loads is its entry point's, whose cache name says under which V8 flags it runs; kept
  // on globalThis (each bundle has its own copy of this module) for bundles loaded later (codeCacheFlavour()).
  (globalThis as Record<symbol, unknown>)[FLAVOUR] ??= name;
  const source = fs.readFileSync(bundle, 'utf8');
  const dir = cacheDir(name);
  // V8 checks only the source's length: the name carries the content's hash and the runtime.
  const key = createHash('sha1').update(source).update(`${process.version} ${process.versions.v8} ${process.arch}`).digest('hex').slice(0, 20);
  const cacheFile = dir && path.join(dir, `${key}.bin`);
  let cachedData: Buffer | undefined;
  let usedAt = 0;
  try {
    if (cacheFile) {
      const fd = fs.openSync(cacheFile, 'r');
      try {
        usedAt = fs.fstatSync(fd).mtimeMs;
        cachedData = fs.readFileSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  } catch {
    /* the first load of this bundle */
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
    // import() as in a module node loaded itself (the bundles have none today; older runtimes lack the constant).
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: Module, filename: string, dirname: string) => void;
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  // require() from the bundle resolves as if node had loaded it (VS Code's `require('vscode')` finds the extension by it).
  wrapper.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  mod.loaded = true;
  if (cacheFile && cachedData && !script.cachedDataRejected && Date.now() - usedAt > DAY_MS) {
    try {
      const now = new Date();
      fs.utimesSync(cacheFile, now, now); // in use: kept
    } catch {
      /* deleted a week from now at worst, then written again */
    }
  }
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    const write = (): void => {
      try {
        // Per thread: the lint workers of one process write the same cache at once.
        const tmp = `${cacheFile}.${process.pid}.${threadId}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
        // Other versions' caches, unless one is still in use.
        for (const f of fs.readdirSync(dir)) {
          const other = path.join(dir, f);
          if (f.endsWith('.bin') && other !== cacheFile && Date.now() - fs.statSync(other).mtimeMs > UNUSED_MS) fs.rmSync(other, { force: true });
        }
      } catch {
        /* compiled as usual next time */
      }
    };
    if (writeAfterMs === 'exit') process.once('exit', write);
    else setTimeout(write, writeAfterMs).unref();
  }
  return mod.exports;
}
