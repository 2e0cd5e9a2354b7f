// Runs a CommonJS bundle through a V8 code cache, for the processes whose start is waited for: the language server
// (server/main.ts), the extension in VS Code's extension host (client/main.ts) and the `pgmig` command (cli/entry.ts). Compiling a half-megabyte
// bundle is a large part of loading it (measured: the client bundle 44 -> 18 ms, the server's 50 -> 38 ms).
// Node 20 has no module.enableCompileCache, hence vm.Script with cachedData. Any problem with the cache (missing,
// corrupt, made under other V8 flags, not writable) only means compiling as usual.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';

/** A folder only this user can write (a cache others could plant would be code run as this user), or undefined. */
function cacheDir(): string | undefined {
  try {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    const dir = path.join(os.tmpdir(), `pgmig-code-cache-${uid ?? os.userInfo().username}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0))) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

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
  const dir = cacheDir();
  // V8 checks only the source's length: the name carries the content's hash and the runtime.
  const key = createHash('sha1').update(source).update(`${process.version} ${process.versions.v8} ${process.arch}`).digest('hex').slice(0, 20);
  const cacheFile = dir && path.join(dir, `${name}-${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
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
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    const write = (): void => {
      try {
        // Per thread: the lint workers of one process write the same cache at once.
        const tmp = `${cacheFile}.${process.pid}.${threadId}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
        // The caches of earlier versions of this bundle are of no use any more.
        for (const f of fs.readdirSync(dir)) if (f.startsWith(`${name}-`) && f.endsWith('.bin') && path.join(dir, f) !== cacheFile) fs.rmSync(path.join(dir, f), { force: true });
      } catch {
        /* compiled as usual next time */
      }
    };
    if (writeAfterMs === 'exit') process.once('exit', write);
    else setTimeout(write, writeAfterMs).unref();
  }
  return mod.exports;
}
