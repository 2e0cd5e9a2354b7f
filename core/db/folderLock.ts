// One process at a time per embedded data folder, with a lock the operating system holds for the process and frees
// when it dies (exit, crash, kill -9). Nothing on disk decides who holds it, so a file left by a crash can never be a
// reason to break someone else's live lock (the PID file this replaces could: two processes that both found it stale
// both deleted it and both opened the folder, which corrupted it).
//
// Node has no flock(), and the packages that add one (fs-ext, os-lock, fs-native-extensions) are native builds per
// platform (and per Electron ABI for the editor); the file-based ones (proper-lockfile, lockfile) break a lock by
// age. So each platform uses an OS object Node can already make, owned by the process:
// - Linux: a listening Unix socket in the abstract namespace (`\0pgmig-db-<hash of the folder>`). Only one socket
//   can listen on a name; the kernel frees it with the process. Caveat: names are per network namespace, so two
//   containers sharing a bind-mounted project (without sharing their network) do not see each other's lock.
// - Windows: a named pipe (`\\.\pipe\pgmig-db-<hash>`): same semantics, freed with the process.
// - macOS / BSD: `open(<folder>.lock, O_EXLOCK | O_NONBLOCK)`, an flock() taken atomically by open() and released when
//   the descriptor closes (the process dies). The file stays; only its lock matters.
// The holder writes who it is into `<folder>.holder` (and answers a connection to its socket or pipe, for when it
// could not write), for the waiter's message; that text is never used to decide anything.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { EngineError } from '../engine/errors';
import { redactSecrets } from './connection';

export interface FolderLockOptions {
  /** How long to wait for another process to let go (0: fail at once). */
  waitMs?: number;
  /** Called once, when the folder is busy and we start waiting, with a message naming the holder. */
  onWait?: (message: string) => void;
  signal?: AbortSignal;
  /** Who we are, for other processes' messages (default: this process's command line, without passwords). */
  owner?: string;
}

/** Who holds a lock, as the holder described itself. */
export interface LockHolder {
  pid: number;
  command: string;
}

type Attempt = { release: () => void } | { holder: LockHolder | undefined };

const BSD_O_EXLOCK = 0x20; // <fcntl.h> on macOS, FreeBSD, OpenBSD, NetBSD: not in Node's fs.constants
const useFlock = ['darwin', 'freebsd', 'openbsd', 'netbsd'].includes(process.platform);

function defaultOwner(): string {
  const script = process.argv[1] ? path.basename(process.argv[1]).replace(/\.[cm]?js$/, '') : 'node';
  const name = script === 'cli' ? 'pgmig' : script;
  return redactSecrets([name, ...process.argv.slice(2)].join(' ')).slice(0, 200);
}

/** The OS name for a data folder's lock: the same for every spelling of the folder's path. */
export function lockName(dataDir: string): string {
  const parent = fs.realpathSync(path.dirname(path.resolve(dataDir)));
  let key = path.join(parent, path.basename(dataDir));
  if (process.platform === 'win32') key = key.toLowerCase();
  const hash = crypto.createHash('sha256').update(key).digest('hex').slice(0, 32);
  return process.platform === 'win32' ? `\\\\?\\pipe\\pgmig-db-${hash}` : `\0pgmig-db-${hash}`;
}

function listen(name: string, who: LockHolder): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(JSON.stringify(who));
    });
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') resolve({ holder: undefined });
      else reject(e);
    });
    server.listen({ path: name, exclusive: true }, () => {
      server.unref(); // holding the lock never keeps the process alive
      resolve({ release: () => server.close() });
    });
  });
}

/** Asks a socket/pipe holder who it is (it may be gone by now: then undefined). */
function askHolder(name: string): Promise<LockHolder | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ path: name });
    const done = (h: LockHolder | undefined) => {
      socket.destroy();
      resolve(h);
    };
    socket.setTimeout(500, () => done(undefined)); // a holder inside a long synchronous WASM call cannot answer
    socket.on('data', (d) => (text += d));
    socket.on('error', () => done(undefined));
    socket.on('end', () => done(parseHolder(text)));
  });
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text);
    return typeof h?.pid === 'number' ? { pid: h.pid, command: String(h.command ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

function flockFile(file: string, who: LockHolder): Attempt {
  const flags = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NONBLOCK | BSD_O_EXLOCK;
  let fd: number;
  try {
    fd = fs.openSync(file, flags, 0o644);
  } catch (e: any) {
    if (e?.code !== 'EAGAIN' && e?.code !== 'EWOULDBLOCK') throw e;
    let holder: LockHolder | undefined;
    try {
      holder = parseHolder(fs.readFileSync(file, 'utf8'));
    } catch {
      /* unreadable: say nothing about the holder */
    }
    return { holder };
  }
  fs.ftruncateSync(fd, 0);
  fs.writeSync(fd, JSON.stringify(who), 0);
  return {
    release: () => {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    },
  };
}

const holderFile = (dataDir: string) => path.resolve(dataDir) + '.holder';

/** Who holds the folder: what the holder wrote if that process lives, else what its socket answers. */
async function whoHolds(dataDir: string, attempt: LockHolder | undefined): Promise<LockHolder | undefined> {
  if (attempt) return attempt;
  try {
    const h = parseHolder(fs.readFileSync(holderFile(dataDir), 'utf8'));
    if (h && processAlive(h.pid)) return h;
  } catch {
    /* not written (yet) */
  }
  return useFlock ? undefined : askHolder(lockName(dataDir));
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e?.code === 'EPERM';
  }
}

/** Holding the lock: say who we are (best effort), and take it back on release if it is still ours. */
function announce(dataDir: string, who: LockHolder, release: () => void): () => void {
  const file = holderFile(dataDir);
  const text = JSON.stringify(who);
  try {
    fs.writeFileSync(file, text);
  } catch {
    /* the message will say "another process" */
  }
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8') === text) fs.rmSync(file, { force: true });
    } catch {
      /* gone */
    }
    release();
  };
}

function tryLock(dataDir: string, who: LockHolder): Promise<Attempt> {
  if (useFlock) return Promise.resolve(flockFile(path.resolve(dataDir) + '.lock', who));
  return listen(lockName(dataDir), who);
}

/** "process 123 (pgmig migrate)", or "another process" when the holder could not say. */
export function describeHolder(h: LockHolder | undefined): string {
  if (!h) return 'another process';
  const self = h.pid === process.pid ? ', this process' : '';
  return `process ${h.pid}${h.command || self ? ` (${[h.command, self.slice(2)].filter(Boolean).join(', ')})` : ''}`;
}

/**
 * Takes the lock of an embedded data folder for this process, waiting up to `waitMs` for its holder to let go.
 * Returns the release function (also released by the OS when the process ends).
 */
export async function lockDataFolder(dataDir: string, opts: FolderLockOptions = {}): Promise<() => void> {
  fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const who: LockHolder = { pid: process.pid, command: opts.owner ?? defaultOwner() };
  const waitMs = opts.waitMs ?? 0;
  let deadline: number | undefined; // counted from the first refusal: asking the holder may itself take a while
  let waiting = false;
  for (;;) {
    let attempt: Attempt;
    try {
      attempt = await tryLock(dataDir, who);
    } catch (e: any) {
      throw new EngineError('io', `cannot lock the embedded database ${dataDir}: ${e?.message ?? e}`);
    }
    if ('release' in attempt) return announce(dataDir, who, attempt.release);
    const holder = describeHolder(await whoHolds(dataDir, attempt.holder));
    deadline ??= Date.now() + waitMs;
    if (Date.now() >= deadline) {
      const after = waiting ? ` after waiting ${formatSeconds(waitMs)}` : '';
      throw new EngineError('lock', `the embedded database ${dataDir} is in use by ${holder}; gave up${after} (PGlite allows one process at a time: stop it or let it finish, then try again)`);
    }
    if (!waiting) {
      waiting = true;
      opts.onWait?.(`the embedded database ${dataDir} is in use by ${holder}; waiting up to ${formatSeconds(waitMs)}…`);
    }
    if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled while waiting for the embedded database');
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 50));
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
