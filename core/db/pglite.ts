// The embedded database: PGlite (PostgreSQL compiled to WASM) in this process, on disk in the project (`.pgmig/db`)
// or in memory (the default shadow). PGlite is one session: the provider serialises callers with a mutex, and an
// on-disk database is guarded by an OS-level lock (folderLock.ts) so that two processes never open the same data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { EngineError } from '../engine/errors';
import { lockDataFolder } from './folderLock';
import { addIgnoreFile, makeIgnoredFolder } from './ignoredFolder';
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
}

class PgliteSession implements DbSession {
  readonly kind = 'pglite' as const;
  constructor(private readonly db: PGlite) {}
  async query<R>(sql: string, params?: unknown[]): Promise<R[]> {
    const r = await this.db.query<R>(sql, params as any[]);
    return r.rows;
  }
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }
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

/** Whether a process exists (files a dead process left behind may be cleaned up; never used for the data folder lock). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e?.code === 'EPERM';
  }
}

/** PGMIG_EMBEDDED_LOCK_WAIT_MS: how long any pgmig process waits for another to release the embedded database. */
function lockWaitFromEnv(): number | undefined {
  const v = process.env.PGMIG_EMBEDDED_LOCK_WAIT_MS;
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

type PgliteConstructor = new (dataDirOrOptions?: string | { dataDir?: string; loadDataDir?: Blob }) => PGlite;
let pgliteClass: PgliteConstructor | undefined;
/** Loaded on first use: the CLI's other commands never pay for the WASM module. */
function loadPglite(): PgliteConstructor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  pgliteClass ??= (require('@electric-sql/pglite') as { PGlite: PgliteConstructor }).PGlite;
  return pgliteClass;
}

/** The cached image; an image a newer PGlite cannot start is deleted and made again (see start()). */
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
      const db = new PGlite();
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

export class PgliteProvider implements DbProvider {
  readonly kind = 'pglite' as const;
  readonly label: string;
  readonly databaseName: string;
  private instance: Promise<PGlite> | undefined;
  private readonly mutex = new Mutex();
  private releaseFolder: (() => void) | undefined;

  constructor(private readonly opts: PgliteProviderOptions = {}) {
    this.label = opts.dataDir ? `embedded database ${opts.dataDir}` : 'in-memory embedded database';
    this.databaseName = opts.databaseName ?? 'postgres';
  }

  get dataDir(): string | undefined {
    return this.opts.dataDir;
  }

  /** An in-memory database always exists; an on-disk one once its data folder has been initialised. */
  exists(): boolean {
    return !this.opts.dataDir || this.instance !== undefined || fs.existsSync(path.join(this.opts.dataDir, 'PG_VERSION'));
  }

  /** Starts PGlite once, on first use. */
  private start(): Promise<PGlite> {
    this.instance ??= (async () => {
      const PGlite = loadPglite();
      let ignoreDataDir = false;
      if (this.opts.dataDir) {
        const parent = path.dirname(this.opts.dataDir);
        // `.pgmig/` is born with its `.gitignore`; one made by an older pgmig gets it now.
        const made = makeIgnoredFolder(parent);
        if (!made && path.basename(parent) === '.pgmig') addIgnoreFile(parent);
        this.releaseFolder = await lockDataFolder(this.opts.dataDir, { waitMs: lockWaitFromEnv() ?? this.opts.lockWaitMs ?? 0, onWait: this.opts.onLockWait });
        // A data folder configured into a folder of the user's carries its own ignore file (PostgreSQL ignores it).
        ignoreDataDir = !made && path.basename(parent) !== '.pgmig' && !fs.existsSync(this.opts.dataDir);
        fs.mkdirSync(this.opts.dataDir, { recursive: true });
      }
      try {
        let db: PGlite;
        const dataDir = this.opts.dataDir;
        if (dataDir) {
          const isNew = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
          const fresh = isNew ? await freshClusterImage(PGlite) : undefined;
          db = fresh ? new PGlite({ dataDir, loadDataDir: fresh }) : new PGlite(dataDir);
        } else {
          // initdb costs seconds; a fresh cluster's files, cached once per PGlite version, load in well under one.
          const fresh = await freshClusterImage(PGlite);
          db = fresh ? new PGlite({ loadDataDir: fresh }) : new PGlite();
          if (fresh) {
            try {
              await db.waitReady;
            } catch {
              fs.rmSync(freshImageFile(), { force: true });
              db = new PGlite();
            }
          }
        }
        await db.waitReady;
        if (ignoreDataDir && dataDir) addIgnoreFile(dataDir);
        return db;
      } catch (e: any) {
        this.releaseFolder?.();
        this.releaseFolder = undefined;
        this.instance = undefined;
        throw new EngineError('connect', `cannot open the ${this.label}: ${String(e?.message ?? e).split('\n')[0]}`);
      }
    })();
    return this.instance;
  }

  async withSession<T>(fn: (s: DbSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.mutex.lock();
    try {
      if (signal?.aborted) throw new EngineError('cancelled', 'cancelled');
      const db = await this.start();
      const session = new PgliteSession(db);
      await applyPgSettings(session, this.opts.pgSettings);
      try {
        return await fn(session);
      } finally {
        // A failed script can leave PGlite's single session inside an aborted transaction: leave it clean for the next caller.
        try {
          const [{ s }] = await session.query<{ s: string }>('select 1 as s');
          void s;
        } catch {
          await db.exec('rollback').catch(() => undefined);
        }
      }
    } finally {
      release();
      this.scheduleIdleClose();
    }
  }

  private idleTimer: NodeJS.Timeout | undefined;
  private scheduleIdleClose(): void {
    if (!this.opts.dataDir || this.opts.idleCloseMs === undefined) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      void this.mutex.lock().then(async (release) => {
        try {
          await this.close();
        } finally {
          release();
        }
      });
    }, this.opts.idleCloseMs);
    this.idleTimer.unref();
  }

  /** A copy of this database in memory (PGlite's clone): a fast way to reset a shadow to a migrated snapshot. */
  async cloneToMemory(): Promise<PgliteProvider> {
    const release = await this.mutex.lock();
    try {
      const db = await this.start();
      const copy = (await db.clone()) as PGlite;
      const p = new PgliteProvider({ pgSettings: this.opts.pgSettings, databaseName: this.databaseName });
      p.instance = Promise.resolve(copy);
      return p;
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const inst = this.instance;
    this.instance = undefined;
    if (inst) {
      try {
        await (await inst).close();
      } catch {
        /* already closed */
      }
    }
    this.releaseFolder?.();
    this.releaseFolder = undefined;
  }

  /** Deletes an on-disk database (closed first): the embedded equivalent of DROP DATABASE + CREATE DATABASE. */
  async erase(): Promise<void> {
    const release = await this.mutex.lock();
    try {
      await this.close();
      if (this.opts.dataDir) fs.rmSync(this.opts.dataDir, { recursive: true, force: true });
    } finally {
      release();
    }
  }
}
