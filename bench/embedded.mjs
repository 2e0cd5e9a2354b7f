// The embedded database's start, as users wait for it (whole `pgmig` processes, issue 14):
//   1. `pgmig status` with an existing embedded database (goal < 1 s), against the same status on a running
//      PostgreSQL in the same run (goal <= 3x)
//   2. `pgmig migrate` of migrations-sample into a fresh embedded database (goal < 2 s)
//   3. where one PGlite start goes, in-process: WASM compile, opening an existing data folder, a fresh in-memory
//      cluster (from the cached image), contrib extensions
// Runs are interleaved (status on PGlite, then on PostgreSQL, ...) so that a busy machine slows both alike; the
// medians and the CPU time (user + system) of each are reported. `node bench/embedded.mjs [--cli path/to/cli.js]`
// compares another build (e.g. the previous commit's dist/) in the same way.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliArg = process.argv.indexOf('--cli');
const cli = cliArg > 0 ? path.resolve(process.argv[cliArg + 1]) : path.join(repo, 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const require = createRequire(path.join(repo, 'package.json'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const EMBEDDED = { DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };

/** Runs `pgmig ARGS` and returns { ms (wall), cpu (user + system ms), code, out }. */
function pgmig(args, cwd, env) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      resolve({ ms, code, out });
    });
  });
}

/** CPU time of a child: run it under /usr/bin/time when present (Linux), else undefined. */
function pgmigCpu(args, cwd, env) {
  if (!fs.existsSync('/usr/bin/time')) return pgmig(args, cwd, env);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, cli, ...args], { cwd, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(out);
      resolve({ ms, code, out, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined });
    });
  });
}

function copySample() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgmig-bench-embedded-'));
  for (const f of ['.gmrc', 'migrations']) fs.cpSync(path.join(repo, 'migrations-sample', f), path.join(dir, f), { recursive: true });
  return dir;
}

function check(r, what) {
  if (r.code !== 0 && r.code !== 1 && r.code !== 2) throw new Error(`${what} failed (${r.code}):\n${r.out}`);
  return r;
}

function line(label, runs) {
  const cpu = runs.map((r) => r.cpu).filter((x) => x !== undefined);
  return `${label.padEnd(58)} ${fmt(median(runs.map((r) => r.ms))).padStart(8)}${cpu.length ? `   cpu ${fmt(median(cpu))}` : ''}`;
}

export async function run(report = console.log) {
  report(`# embedded database (PGlite), ${RUNS} runs each, medians; cli: ${path.relative(repo, cli) || cli}`);
  const { startPostgres } = await import(pathToFileURL(path.join(repo, 'test/support/postgres.mjs')).href);
  const pg = await startPostgres();
  const dirs = [];
  try {
    // 1. status: embedded (migrated once) vs a running PostgreSQL with the same history.
    const embedded = copySample();
    const onPg = copySample();
    dirs.push(embedded, onPg);
    pg.psql('create database bench_status');
    const pgEnv = { DATABASE_URL: pg.url('bench_status'), SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };
    check(await pgmig(['migrate'], embedded, EMBEDDED), 'migrate (embedded)');
    check(await pgmig(['migrate'], onPg, pgEnv), 'migrate (PostgreSQL)');
    const statusEmbedded = [];
    const statusPg = [];
    for (let i = 0; i < RUNS; i++) {
      statusEmbedded.push(check(await pgmigCpu(['status'], embedded, EMBEDDED), 'status (embedded)'));
      statusPg.push(check(await pgmigCpu(['status'], onPg, pgEnv), 'status (PostgreSQL)'));
    }
    report(line('pgmig status, existing embedded database (goal < 1 s)', statusEmbedded));
    report(line('pgmig status, running PostgreSQL', statusPg));
    report(`${'  ratio embedded / PostgreSQL (goal <= 3x)'.padEnd(58)} ${(median(statusEmbedded.map((r) => r.ms)) / median(statusPg.map((r) => r.ms))).toFixed(2).padStart(7)}x`);

    // 2. migrate the sample into a fresh embedded database.
    const fresh = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = copySample();
      dirs.push(dir);
      fresh.push(check(await pgmigCpu(['migrate'], dir, EMBEDDED), 'migrate (fresh embedded)'));
    }
    report(line('pgmig migrate, sample into a fresh embedded database (goal < 2 s)', fresh));
  } finally {
    pg.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }

  // 3. In-process phases of one start.
  const pgliteDir = path.dirname(require.resolve('@electric-sql/pglite'));
  const { PGlite } = require('@electric-sql/pglite');
  const phases = { compile: [], openExisting: [], openShared: [], memoryImage: [], extensions: [] };
  const folder = copySample();
  check(await pgmig(['migrate'], folder, EMBEDDED), 'migrate (phases)');
  const dataDir = path.join(folder, '.pgmig/db');
  const image = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pgmig', 'pglite-fresh-cluster.tar');
  const time = async (list, fn) => {
    const t0 = performance.now();
    await fn();
    list.push({ ms: performance.now() - t0 });
  };
  try {
    for (let i = 0; i < RUNS; i++) {
      let mod;
      await time(phases.compile, async () => (mod = await WebAssembly.compile(fs.readFileSync(path.join(pgliteDir, 'pglite.wasm')))));
      await time(phases.openExisting, async () => {
        const db = new PGlite({ dataDir });
        await db.waitReady;
        await db.close();
      });
      await time(phases.openShared, async () => {
        const db = new PGlite({ dataDir, pgliteWasmModule: mod });
        await db.waitReady;
        await db.close();
      });
      if (fs.existsSync(image)) {
        const blob = new Blob([fs.readFileSync(image)]);
        await time(phases.memoryImage, async () => {
          const db = new PGlite({ loadDataDir: blob, pgliteWasmModule: mod });
          await db.waitReady;
          await db.close();
        });
        const ext = (n) => ({ name: n.replace(/\W/g, '_'), setup: async () => ({ bundlePath: pathToFileURL(path.join(pgliteDir, `${n}.tar.gz`)) }) });
        await time(phases.extensions, async () => {
          const db = new PGlite({ loadDataDir: blob, pgliteWasmModule: mod, extensions: { citext: ext('citext'), uuid_ossp: ext('uuid-ossp'), pgcrypto: ext('pgcrypto') } });
          await db.waitReady;
          await db.close();
        });
      }
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
  report(line('  in-process: WebAssembly.compile(pglite.wasm)', phases.compile));
  report(line('  in-process: open + close an existing data folder', phases.openExisting));
  report(line('  in-process: the same with the module compiled once', phases.openShared));
  if (phases.memoryImage.length) {
    report(line('  in-process: in-memory cluster from the cached image', phases.memoryImage));
    report(line('  in-process: the same + citext, uuid-ossp, pgcrypto', phases.extensions));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();
