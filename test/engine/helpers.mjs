// Shared by the engine tests: a project on disk, the pgmig CLI (dist/cli.js) and graphile-migrate (test/peers)
// as child processes, and databases on a throwaway real PostgreSQL cluster.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cli = path.join(repo, 'dist', 'cli.js');
const require = createRequire(import.meta.url);
/** Compiled core modules (tsc output, CommonJS). */
export const core = (mod) => require(path.join(repo, 'out', 'core', mod));

export function tempDir(prefix = 'pgmig-engine-') {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `files` (relative path -> text) under a new temp project folder and returns its path. */
export function makeProject(files = {}, dir = tempDir()) {
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  if (!existsSync(path.join(dir, 'migrations'))) mkdirSync(path.join(dir, 'migrations'));
  return dir;
}

function run(cmd, args, { cwd, env = {}, input, timeout = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr, out: stdout + stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Runs `pgmig ARGS` in `cwd` with extra environment. */
export function pgmig(args, opts = {}) {
  return run(process.execPath, [cli, ...args], opts);
}

/** Environment for a project on a real server: separate main and shadow databases, root through template1. */
export function dbEnv(pg, name) {
  return {
    DATABASE_URL: pg.url(name),
    SHADOW_DATABASE_URL: pg.url(name + '_shadow'),
    ROOT_DATABASE_URL: pg.url('template1'),
  };
}

let dbCounter = 0;
/** A fresh database name (and creates main + shadow). */
export function freshDb(pg, base = 'db') {
  const name = `${base}_${process.pid}_${++dbCounter}`;
  pg.psql(`create database ${name}`);
  pg.psql(`create database ${name}_shadow`);
  return name;
}

const peers = path.join(repo, 'test', 'peers');
/** graphile-migrate 1 (1.4.1) or 2 (2.0.0-rc.3), installed by test/peers/setup.sh (run here when missing). */
export function gmCli(major) {
  const p = path.join(peers, 'node_modules', major === 1 ? 'gm1' : 'gm2', 'dist', 'cli.js');
  if (!existsSync(p)) {
    const r = spawnSync('sh', [path.join(peers, 'setup.sh')], { stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(p)) throw new Error('graphile-migrate peers could not be installed: run test/peers/setup.sh');
  }
  return p;
}

export function gm(major, args, opts = {}) {
  return run(process.execPath, [gmCli(major), ...args], opts);
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Committed files with a valid hash chain (000001.sql, ...), as `pgmig commit` and `graphile-migrate commit` write them. */
export function writeCommitted(dir, bodies) {
  const { formatCommittedFile } = core('graphile/committedFile.js');
  let prev = null;
  mkdirSync(path.join(dir, 'migrations/committed'), { recursive: true });
  bodies.forEach((body, i) => {
    const { text, hash } = formatCommittedFile({ body, previousHash: prev });
    writeFileSync(path.join(dir, `migrations/committed/${String(i + 1).padStart(6, '0')}.sql`), text);
    prev = hash;
  });
}
