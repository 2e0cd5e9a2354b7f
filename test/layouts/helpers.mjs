// Shared by the layouts suite: compiled core modules, sample copies in temp folders, the pgmig CLI and the peer tools
// (drizzle-kit from test/peers, Alembic from Debian's python3-alembic). A missing peer is installed by its setup
// script; if it is still missing, the test fails under CI (process.env.CI) and is skipped with the reason elsewhere.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { startPostgres } from '../support/postgres.mjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cli = path.join(repo, 'dist', 'cli.js');
export const samples = path.join(repo, 'migrations-sample');
const require = createRequire(import.meta.url);
/** Compiled core modules (tsc output, CommonJS). */
export const core = (mod) => require(path.join(repo, 'out', 'core', mod));

const temps = [];
process.on('exit', () => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'pgmig-layouts-') {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

/** A copy of migrations-sample/<name> in a fresh temp folder (tests edit and migrate it freely). */
export function copySample(name) {
  const dir = path.join(tempDir(), name);
  cpSync(path.join(samples, name), dir, { recursive: true, filter: (src) => !src.includes('__pycache__') && !src.includes(`${path.sep}.pgmig`) });
  return dir;
}

/** A project in a fresh temp folder from `{ 'relative/path': text }` (folders made as needed). */
export function projectFrom(files) {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A real PostgreSQL for this test file (started before its tests unless `skip`, stopped after): `pg()` gives it. */
export function postgresForTests(skip) {
  let pg;
  before(async () => {
    if (!skip) pg = await startPostgres();
  });
  after(async () => {
    await pg?.stop();
  });
  return () => pg;
}

export function run(cmd, args, { cwd, env = {}, timeout = 120_000, shell = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, shell, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr, out: stdout + stderr });
    });
  });
}

/** `pgmig ARGS` (the built CLI) in `cwd`. */
export function pgmig(args, opts = {}) {
  return run(process.execPath, [cli, ...args], opts);
}

let dbCounter = 0;
export function freshDb(pg, base = 'lay') {
  const name = `${base}_${process.pid}_${++dbCounter}`;
  pg.psql(`create database ${name}`);
  return name;
}

const peers = path.join(repo, 'test', 'peers');

/** Why a peer is unavailable: under CI that is a failure (thrown), elsewhere a skip reason; undefined when present. */
function unavailable(what, check, setup) {
  if (check()) return undefined;
  spawnSync(setup[0], setup.slice(1), { stdio: 'inherit' });
  if (check()) return undefined;
  const reason = `${what} is not installed (run ${setup.join(' ')})`;
  if (process.env.CI) throw new Error(`CI: ${reason}`);
  return reason;
}

export const drizzleKitBin = path.join(peers, 'node_modules', 'drizzle-kit', 'bin.cjs');
/** Skip reason for the drizzle-kit tests, or undefined when drizzle-kit 0.31.11 (+ drizzle-orm, pg) is there. */
export function drizzleKitMissing() {
  return unavailable('drizzle-kit 0.31.11', () => existsSync(drizzleKitBin) && existsSync(path.join(peers, 'node_modules', 'drizzle-orm', 'package.json')) && existsSync(path.join(peers, 'node_modules', 'pg', 'package.json')), ['sh', path.join(peers, 'setup.sh')]);
}

/** `drizzle-kit ARGS` with the peers' node_modules on NODE_PATH, so a project's drizzle.config.ts resolves them. */
export function drizzleKit(args, opts = {}) {
  return run(process.execPath, [drizzleKitBin, ...args], { ...opts, env: { NODE_PATH: path.join(peers, 'node_modules'), ...(opts.env ?? {}) } });
}

/** Debian's Alembic: `python3 -m alembic` with the system python (python3-alembic installs no `alembic` script). */
export const ALEMBIC = '/usr/bin/python3 -m alembic';
export function alembicMissing() {
  return unavailable(
    "Alembic (Debian's python3-alembic + python3-psycopg2)",
    () => spawnSync('/usr/bin/python3', ['-c', 'import alembic, psycopg2'], { stdio: 'ignore' }).status === 0,
    ['sh', path.join(repo, 'test', 'layouts', 'setup-alembic.sh')],
  );
}

/** The online part of the env.py `alembic init` writes: the database URL from alembic.ini. */
export const TEMPLATE_ENV_PY = `from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
`;
