// The embedded database: PGlite (PostgreSQL compiled to WASM) in this process, on disk in the project (`.pgmig/db`)
// or in memory (the default shadow). PGlite is one session: callers are serialised with a mutex. An on-disk database
// is opened once per process, whatever number of providers (engines, layouts, the language server's projects) use it,
// and guarded by an OS-level lock (folderLock.ts) so that two processes never open the same data folder. The WASM
// module is compiled once per process and shared by every instance (main, shadow, other projects).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { codeCacheFlavour, requireWithCodeCache } from '../codeCache';
import { EngineError } from '../engine/errors';
import { lockDataFolder } from './folderLock';
import { addIgnoreFile, makeIgnoredFolder } from './ignoredFolder';
import { availableExtensions, extensionsCreatedIn, pgliteAssetDir, pgliteExtensionOptions, unavailableExtensionHint, unavailableExtensionOf } from './pgliteExtensions';
import { applyPgSettings, type DbProvider, type DbSession } from './types';

export interface PgliteProviderOptions {
  /** A data folder, or undefined for an in-memory database. */
  dataDir?: string;
  pgSettings?: Record<string, string | number>;
  /** Name reported as the database name (placeholders' :DATABASE_NAME). PGlite's own database is `postgres`. */
  databaseName?: string;
  /**
   * Close an on-disk database after this long without use, so that other processes (the CLI beside an editor) can
   * open it; it reopens on the next use (~0.4 s). Default: kept open until close().
   */
  idleCloseMs?: number;
  /** How long to wait for another process to release the data folder (default: fail at once). */
  lockWaitMs?: number;
  /** Told once when another process holds the data folder and we wait for it (a message naming that process). */
  onLockWait?: (message: string) => void;
  /**
   * The extensions the project creates (`create extension ...` in its migrations), asked before each session: the
   * ones PGlite provides are loaded when it starts (PGlite loads extensions only then), and it restarts with them
   * when a new one appears.
   */
  extensions?: () => Iterable<string>;
}

/** A FIFO mutex. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    return release;
  }
}

/** PGMIG_EMBEDDED_LOCK_WAIT_MS: how long any pgmig process waits for another to release the embedded database. */
function lockWaitFromEnv(): number | undefined {
  const v = process.env.PGMIG_EMBEDDED_LOCK_WAIT_MS;
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

interface PgliteOptions {
  dataDir?: string;
  loadDataDir?: Blob;
  extensions?: ReturnType<typeof pgliteExtensionOptions>;
  pgliteWasmModule?: WebAssembly.Module;
  fsBundle?: Blob;
  startParams?: string[];
}
type PgliteConstructor = new (options?: PgliteOptions) => PGlite;
let pgliteClass: PgliteConstructor | undefined;
/**
 * Loaded on first use: the CLI's other commands never pay for the WASM module. In the bundles, dist/pglite.js (650 KB)
 * goes through a V8 code cache, one per entry point's flags, as the entry bundles do.
 */
function loadPglite(): PgliteConstructor {
  if (pgliteClass) return pgliteClass;
  const bundled = path.join(__dirname, 'pglite.js');
  const flavour = codeCacheFlavour();
  if (flavour && __filename !== bundled && fs.existsSync(bundled)) {
    pgliteClass = (requireWithCodeCache(bundled, `pglite-${flavour}`, flavour.startsWith('cli') ? 'exit' : 3000) as { PGlite: PgliteConstructor }).PGlite;
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pgliteClass = (require('@electric-sql/pglite') as { PGlite: PgliteConstructor }).PGlite;
  }
  return pgliteClass;
}

/**
 * PGlite's start options: its defaults, with 16 MB of shared buffers instead of initdb's 128 MB, which single-user
 * PostgreSQL allocates and clears at every start (~70 ms of the ~240 ms it takes to open a data folder, measured).
 * A project's migrations and the tracking tables fit many times over; fewer buffers change speed, never durability.
 */
function startParams(PGlite: PgliteConstructor): string[] | undefined {
  const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams;
  return defaults ? [...defaults, '-c', 'shared_buffers=16MB'] : undefined;
}

let shared: Promise<Pick<PgliteOptions, 'pgliteWasmModule' | 'fsBundle'>> | undefined;
/**
 * PostgreSQL's WASM compiled once and its file bundle read once per process, for every instance (PGlite would
 * compile and read them again for each: main, shadow, clones, each project of the language server).
 */
function sharedAssets(): Promise<Pick<PgliteOptions, 'pgliteWasmModule' | 'fsBundle'>> {
  shared ??= (async () => {
    const dir = pgliteAssetDir();
    if (!dir) return {};
    try {
      const [wasm, data] = await Promise.all([fs.promises.readFile(path.join(dir, 'pglite.wasm')), fs.promises.readFile(path.join(dir, 'pglite.data'))]);
      return { pgliteWasmModule: await WebAssembly.compile(wasm), fsBundle: new Blob([data]) };
    } catch {
      return {}; // PGlite finds them itself
    }
  })();
  return shared;
}

/** The cached image; an image a newer PGlite cannot start is deleted and made again (see open()). */
function freshImageFile(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'pgmig', 'pglite-fresh-cluster.tar');
}

let freshImage: Promise<Blob | undefined> | undefined;
/** The data folder of a just-initialised PGlite cluster as a tar image, from the cache or made (and cached) now. */
function freshClusterImage(PGlite: PgliteConstructor): Promise<Blob | undefined> {
  freshImage ??= (async () => {
    const file = freshImageFile();
    try {
      return new Blob([fs.readFileSync(file)]);
    } catch {
      /* not cached yet */
    }
    try {
      const db = new PGlite({ ...(await sharedAssets()), startParams: startParams(PGlite) });
      await db.waitReady;
      const blob = (await db.dumpDataDir('none')) as Blob;
      await db.close();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
      fs.renameSync(tmp, file);
      return blob;
    } catch {
      return undefined;
    }
  })();
  return freshImage;
}

let freshFolder: Promise<string | undefined> | undefined;
/**
 * A fresh cluster as a data folder in the cache, made once from the image: a new project's data folder is a copy of
 * it (the file system copies ~1,000 files in a fraction of the time PGlite takes to unpack the image through its
 * virtual file system). Named after the sizes of PGlite's WASM and data, so that another PGlite makes its own.
 */
function freshClusterFolder(PGlite: PgliteConstructor): Promise<string | undefined> {
  freshFolder ??= (async () => {
    const assets = pgliteAssetDir();
    if (!assets) return undefined;
    const size = (f: string) => fs.statSync(path.join(assets, f)).size;
    const dir = path.join(path.dirname(freshImageFile()), `pglite-fresh-cluster-${size('pglite.wasm')}-${size('pglite.data')}`);
    if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return dir;
    const image = await freshClusterImage(PGlite);
    if (!image) return undefined;
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    const db = new PGlite({ ...(await sharedAssets()), startParams: startParams(PGlite), dataDir: tmp, loadDataDir: image });
    await db.waitReady;
    await db.close();
    try {
      fs.renameSync(tmp, dir);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another process made it first
    }
    return fs.existsSync(path.join(dir, 'PG_VERSION')) ? dir : undefined;
  })().catch(() => undefined);
  return freshFolder;
}

/** A running PGlite and the extensions it was started with. */
interface Instance {
  db: PGlite;
  extensions: Set<string>;
}

/** One database (an on-disk data folder, shared by every provider of this process that names it; or one in memory). */
class Database {
  instance: Promise<Instance> | undefined;
  readonly mutex = new Mutex();
  releaseFolder: (() => void) | undefined;
  /** Extensions a failed `create extension` asked for: loaded from the next session on. */
  readonly learned = new Set<string>();
  /** Providers that used it and have not closed: the last one to close closes it. */
  readonly users = new Set<PgliteProvider>();
  idleTimer: NodeJS.Timeout | undefined;
  constructor(readonly dataDir: string | undefined) {}
}

const openFolders = new Map<string, Database>();
const folderKey = (dataDir: string) => (process.platform === 'win32' ? path.resolve(dataDir).toLowerCase() : path.resolve(dataDir));

class PgliteSession implements DbSession {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly provider: PgliteProvider,
    private readonly database: Database,
  ) {}
  private async db(): Promise<PGlite> {
    return (await this.database.instance!).db;
  }
  async query<R>(sql: string, params?: unknown[]): Promise<R[]> {
    try {
      const r = await (await this.db()).query<R>(sql, params as any[]);
      return r.rows;
    } catch (e) {
      throw this.explain(e);
    }
  }
  async exec(sql: string): Promise<void> {
    // A script that creates an extension PGlite provides but this instance has not loaded: restart with it, when
    // no transaction would be lost (a migration's own transaction has begun: then the error below says what to do).
    const inst = await this.database.instance!;
    const missing = extensionsCreatedIn(sql).filter((n) => availableExtensions().has(n) && !inst.extensions.has(n));
    if (missing.length && !inst.db.isInTransaction()) {
      for (const n of missing) this.database.learned.add(n);
      await this.provider.restartWith(this.database, missing);
    }
    try {
      await (await this.db()).exec(sql);
    } catch (e) {
      throw this.explain(e);
    }
  }
  /** `extension "x" is not available`: why, and what to do (the error keeps its position for the caller). */
  private explain(e: unknown): unknown {
    const name = unavailableExtensionOf(e);
    if (!name) return e;
    const err = e as { hint?: string };
    if (availableExtensions().has(name)) {
      this.database.learned.add(name);
      err.hint = `the embedded database loads "${name}" from the next run on (it was not named in the project's files when it started): run again`;
    } else {
      err.hint = unavailableExtensionHint(name);
    }
    return e;
  }
}

export class PgliteProvider implements DbProvider {
  readonly kind = 'pglite' as const;
  readonly label: string;
  readonly databaseName: string;
  private readonly database: Database;

  constructor(private readonly opts: PgliteProviderOptions = {}) {
    this.label = opts.dataDir ? `embedded database ${opts.dataDir}` : 'in-memory embedded database';
    this.databaseName = opts.databaseName ?? 'postgres';
    if (opts.dataDir) {
      const key = folderKey(opts.dataDir);
      let db = openFolders.get(key);
      if (!db) openFolders.set(key, (db = new Database(opts.dataDir)));
      this.database = db;
    } else {
      this.database = new Database(undefined);
    }
  }

  get dataDir(): string | undefined {
    return this.opts.dataDir;
  }

  /** An in-memory database always exists; an on-disk one once its data folder has been initialised. */
  exists(): boolean {
    return !this.opts.dataDir || this.database.instance !== undefined || fs.existsSync(path.join(this.opts.dataDir, 'PG_VERSION'));
  }

  prepareFor(sql: string): void {
    for (const n of extensionsCreatedIn(sql)) if (availableExtensions().has(n)) this.database.learned.add(n);
  }

  private wantedExtensions(): Set<string> {
    const want = new Set(this.database.learned);
    try {
      for (const n of this.opts.extensions?.() ?? []) if (availableExtensions().has(n)) want.add(n);
    } catch {
      /* the project's files could not be read: start with what is known */
    }
    return want;
  }

  /** Starts PGlite on first use (and again, with more extensions, when the project asks for one it lacks). */
  private async start(): Promise<Instance> {
    const d = this.database;
    const want = this.wantedExtensions();
    if (d.instance) {
      const inst = await d.instance;
      if ([...want].every((n) => inst.extensions.has(n))) return inst;
      await this.restartWith(d, [...want]);
      return d.instance!;
    }
    d.instance = this.open(d, want).catch((e) => {
      d.instance = undefined;
      throw e;
    });
    return d.instance;
  }

  /** Restarts the running instance with `more` extensions, keeping its data (on disk, or dumped and reloaded). */
  async restartWith(d: Database, more: string[]): Promise<void> {
    const inst = await d.instance!;
    const extensions = new Set([...inst.extensions, ...more]);
    const image = d.dataDir ? undefined : ((await inst.db.dumpDataDir('none')) as Blob);
    await inst.db.close();
    d.instance = this.open(d, extensions, image).catch((e) => {
      d.instance = undefined;
      throw e;
    });
    await d.instance;
  }

  private async open(d: Database, extensions: Set<string>, image?: Blob): Promise<Instance> {
    // The WASM compiles on V8's threads while this one loads PGlite's JS and takes the folder's lock.
    const assets = sharedAssets();
    const PGlite = loadPglite();
    const dataDir = d.dataDir;
    let ignoreDataDir = false;
    if (dataDir && !d.releaseFolder) {
      const parent = path.dirname(dataDir);
      // `.pgmig/` is born with its `.gitignore`; one made by an older pgmig gets it now.
      const made = makeIgnoredFolder(parent);
      if (!made && path.basename(parent) === '.pgmig') addIgnoreFile(parent);
      d.releaseFolder = await lockDataFolder(dataDir, { waitMs: lockWaitFromEnv() ?? this.opts.lockWaitMs ?? 0, onWait: this.opts.onLockWait });
      // A data folder configured into a folder of the user's carries its own ignore file (PostgreSQL ignores it).
      ignoreDataDir = !made && path.basename(parent) !== '.pgmig' && !fs.existsSync(dataDir);
      fs.mkdirSync(dataDir, { recursive: true });
    }
    try {
      const base: PgliteOptions = { ...(await assets), startParams: startParams(PGlite), extensions: pgliteExtensionOptions(extensions) };
      let db: PGlite;
      if (dataDir) {
        const isNew = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
        const template = isNew ? await freshClusterFolder(PGlite) : undefined;
        if (template) {
          // Copied beside, then renamed: a copy cut short (kill -9) never looks like a database. Leftovers of such
          // copies are removed here, under the folder's lock.
          const parent = path.dirname(dataDir);
          const prefix = `${path.basename(dataDir)}.new-`;
          for (const f of fs.readdirSync(parent)) if (f.startsWith(prefix)) fs.rmSync(path.join(parent, f), { recursive: true, force: true });
          const tmp = path.join(parent, prefix + process.pid);
          fs.cpSync(template, tmp, { recursive: true });
          for (const f of fs.readdirSync(dataDir)) fs.renameSync(path.join(dataDir, f), path.join(tmp, f)); // e.g. .gitignore
          fs.rmdirSync(dataDir);
          fs.renameSync(tmp, dataDir);
          db = new PGlite({ ...base, dataDir });
          try {
            await db.waitReady;
          } catch {
            // A template this PGlite cannot start: made again next time; this folder from the image.
            fs.rmSync(template, { recursive: true, force: true });
            for (const f of fs.readdirSync(dataDir)) if (f !== '.gitignore') fs.rmSync(path.join(dataDir, f), { recursive: true, force: true });
            db = new PGlite({ ...base, dataDir, loadDataDir: await freshClusterImage(PGlite) });
          }
        } else {
          db = new PGlite({ ...base, dataDir, loadDataDir: isNew ? await freshClusterImage(PGlite) : undefined });
        }
      } else {
        // initdb costs seconds; a fresh cluster's files, cached once per PGlite version, load in well under one.
        const fresh = image ?? (await freshClusterImage(PGlite));
        db = new PGlite({ ...base, loadDataDir: fresh });
        if (fresh && !image) {
          try {
            await db.waitReady;
          } catch {
            fs.rmSync(freshImageFile(), { force: true });
            db = new PGlite(base);
          }
        }
      }
      await db.waitReady;
      if (ignoreDataDir && dataDir) addIgnoreFile(dataDir);
      return { db, extensions };
    } catch (e: any) {
      d.releaseFolder?.();
      d.releaseFolder = undefined;
      throw new EngineError('connect', `cannot open the ${this.label}: ${String(e?.message ?? e).split('\n')[0]}`);
    }
  }

  async withSession<T>(fn: (s: DbSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const d = this.database;
    const release = await d.mutex.lock();
    try {
      if (signal?.aborted) throw new EngineError('cancelled', 'cancelled');
      d.users.add(this);
      await this.start();
      const session = new PgliteSession(this, d);
      await applyPgSettings(session, this.opts.pgSettings);
      try {
        return await fn(session);
      } finally {
        // A failed script can leave PGlite's single session inside an aborted transaction: leave it clean for the next caller.
        const { db } = await d.instance!;
        if (db.isInTransaction()) await db.exec('rollback').catch(() => undefined);
      }
    } finally {
      release();
      this.scheduleIdleClose();
    }
  }

  private scheduleIdleClose(): void {
    const d = this.database;
    if (!this.opts.dataDir || this.opts.idleCloseMs === undefined) return;
    if (d.idleTimer) clearTimeout(d.idleTimer);
    d.idleTimer = setTimeout(() => {
      d.idleTimer = undefined;
      void d.mutex.lock().then(async (release) => {
        try {
          await closeDatabase(d);
        } finally {
          release();
        }
      });
    }, this.opts.idleCloseMs);
    d.idleTimer.unref();
  }

  /** A copy of this database in memory (PGlite's clone): a fast way to reset a shadow to a migrated snapshot. */
  async cloneToMemory(): Promise<PgliteProvider> {
    const release = await this.database.mutex.lock();
    try {
      const inst = await this.start();
      const copy = (await inst.db.clone()) as PGlite;
      const p = new PgliteProvider({ pgSettings: this.opts.pgSettings, databaseName: this.databaseName, extensions: this.opts.extensions });
      p.database.instance = Promise.resolve({ db: copy, extensions: new Set(inst.extensions) });
      return p;
    } finally {
      release();
    }
  }

  /** This provider is done with the database; the last of its users closes it (and releases the folder). */
  async close(): Promise<void> {
    const d = this.database;
    d.users.delete(this);
    if (d.users.size) return;
    await closeDatabase(d);
  }

  /** Deletes an on-disk database (closed first): the embedded equivalent of DROP DATABASE + CREATE DATABASE. */
  async erase(): Promise<void> {
    const d = this.database;
    const release = await d.mutex.lock();
    try {
      d.users.clear(); // every provider of this folder starts again from nothing
      await closeDatabase(d);
      if (this.opts.dataDir) fs.rmSync(this.opts.dataDir, { recursive: true, force: true });
    } finally {
      release();
    }
  }
}

async function closeDatabase(d: Database): Promise<void> {
  if (d.idleTimer) clearTimeout(d.idleTimer);
  d.idleTimer = undefined;
  const inst = d.instance;
  d.instance = undefined;
  if (inst) {
    try {
      await (await inst).db.close();
    } catch {
      /* already closed, or it never opened */
    }
  }
  d.releaseFolder?.();
  d.releaseFolder = undefined;
}
