// A throwaway real PostgreSQL cluster for tests (see shared/notes/postgres.md): initdb as the `postgres` user
// (postgres refuses to run as root), a random free port on 127.0.0.1, the socket in a temp folder; `stop()` stops
// the server and removes everything. Local (socket) connections are trusted; TCP connections need the password,
// so tests can exercise authentication failures.
//
// A missing server is an error, never a skip: CI installs it with test/support/setup-postgres.sh.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SUPERUSER_PASSWORD = 'test-secret-pw';

export function findPostgresBin() {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run test/support/setup-postgres.sh');
  }
  return path.join(base, versions[0], 'bin');
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = process.getuid?.() === 0;

function runAsPostgres(cmd, args, opts = {}) {
  if (isRoot) return execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', ...opts });
  return execFileSync(cmd, args, { stdio: 'pipe', ...opts });
}

/**
 * Starts a cluster. Returns { port, host, socketDir, bin, url(db, {password, user}), rootUrl, stop() }.
 * `url()` gives a TCP URL with the superuser's password (passwords are test-only).
 */
export async function startPostgres({ extraConf = [] } = {}) {
  const bin = findPostgresBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgmig-pg-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'sock');
  chmodSync(dir, 0o777);
  if (isRoot) {
    execFileSync('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '700', dataDir]);
    execFileSync('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '755', socketDir]);
  } else {
    execFileSync('mkdir', ['-p', '-m', '700', dataDir]);
    execFileSync('mkdir', ['-p', '-m', '755', socketDir]);
  }
  const pwFile = path.join(dir, 'pw');
  writeFileSync(pwFile, SUPERUSER_PASSWORD + '\n');
  chmodSync(pwFile, 0o644);
  runAsPostgres(path.join(bin, 'initdb'), [
    '-D', dataDir, '-U', 'postgres', '--pwfile', pwFile,
    '--auth-local=trust', '--auth-host=scram-sha-256',
    '--locale=C.UTF-8', '--encoding=UTF8', '--no-sync',
  ]);
  rmSync(pwFile);
  const port = await freePort();
  const args = [
    '-D', dataDir, '-p', String(port), '-k', socketDir,
    '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off', '-c', 'max_connections=100', ...extraConf.flatMap((c) => ['-c', c]),
  ];
  const server = isRoot
    ? spawn('runuser', ['-u', 'postgres', '--', path.join(bin, 'postgres'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(path.join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => server.on('exit', resolve));
  // Ready when the socket accepts connections.
  const deadline = Date.now() + 15000;
  for (;;) {
    if (server.exitCode !== null) throw new Error('postgres exited during start:\n' + log);
    // Accepting TCP is not enough ("the database system is starting up"): ask pg_isready.
    let ok = false;
    try {
      runAsPostgres(path.join(bin, 'pg_isready'), ['-q', '-h', socketDir, '-p', String(port), '-d', 'postgres']);
      ok = true;
    } catch {
      ok = false;
    }
    if (ok) break;
    if (Date.now() > deadline) throw new Error('postgres did not start in 15 s:\n' + log);
    await new Promise((r) => setTimeout(r, 30));
  }
  const host = '127.0.0.1';
  const url = (db = 'postgres', { user = 'postgres', password = SUPERUSER_PASSWORD } = {}) =>
    `postgres://${encodeURIComponent(user)}${password != null ? ':' + encodeURIComponent(password) : ''}@${host}:${port}/${db}`;
  let stopped = false;
  // A test process that ends without stop() (a crash, a timeout) must not leave a server behind.
  process.once('exit', () => {
    if (stopped || server.exitCode !== null) return;
    try {
      runAsPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      server.kill('SIGKILL');
    }
  });
  return {
    port, host, socketDir, bin, dataDir,
    url,
    rootUrl: url('template1'),
    get log() { return log; },
    /** Runs SQL through psql over the socket as the superuser. */
    psql(sql, db = 'postgres') {
      return runAsPostgres(path.join(bin, 'psql'), ['-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atq', '-c', sql], { encoding: 'utf8' });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (server.exitCode === null) {
        // runuser does not forward signals to postgres: stop it through pg_ctl (immediate: nothing to keep).
        try {
          runAsPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        } catch {
          server.kill('SIGKILL');
        }
        const t = setTimeout(() => server.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
