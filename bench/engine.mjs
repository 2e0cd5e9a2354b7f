// The migration engine against graphile-migrate 2.0.0-rc.3, in the same run on the same local PostgreSQL (a
// throwaway cluster started here):
//   1. migrate 200 small committed migrations into a fresh database (whole processes; goal: <= 0.4x graphile-migrate's),
//      on the tests' server (fsync off) and on a durable one (fsync on)
//   2. watch: save-to-applied of a 50-statement current.sql inside a running process (goal < 60 ms), against
//      graphile-migrate's `watch --once`
//   3. commit with shadow validation of a 200-migration history (whole processes)
//   4. the shadow check after a save (in-process, migrated shadow reused), on PostgreSQL and on PGlite
// Standalone (`node bench/engine.mjs`), or `export async function run(report)` for a harness.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(benchDir, '..');
const cli = path.join(repo, 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const require = createRequire(import.meta.url);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/** The engine bundled for in-process use (packages stay external: PGlite loads its WASM from node_modules). */
async function loadEngine() {
  const esbuild = require('esbuild');
  const out = path.join(benchDir, '.work', 'engine-bundle.cjs');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const entry = path.join(benchDir, '.work', 'engine-entry.ts');
  fs.writeFileSync(entry, [
    `export { MigrationEngine } from '../../core/engine/engine';`,
    `export { loadSettings } from '../../core/engine/settings';`,
    `export { formatCommittedFile } from '../../core/graphile/committedFile';`,
  ].join('\n'));
  await esbuild.build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'error' });
  return require(out);
}

function timeProcess(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${path.basename(args[0])} ${args.slice(1).join(' ')} exited ${code}:\n${output}`));
      else resolve(ms);
    });
  });
}

export async function run(report = console.log) {
  const { startPostgres } = await import(pathToFileURL(path.join(repo, 'test', 'support', 'postgres.mjs')).href);
  const peers = path.join(repo, 'test', 'peers');
  const gmCli = path.join(peers, 'node_modules', 'gm2', 'dist', 'cli.js');
  if (!fs.existsSync(gmCli)) spawnSync('sh', [path.join(peers, 'setup.sh')], { stdio: 'inherit' });
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js missing: build first (node esbuild.mjs)');
  const engineMod = await loadEngine();
  const { MigrationEngine, loadSettings, formatCommittedFile } = engineMod;

  const pg = await startPostgres();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pgmig-bench-engine-'));
  const results = {};
  let dbn = 0;
  const freshDb = () => {
    const name = `bench_${++dbn}`;
    pg.psql(`create database ${name}`);
    pg.psql(`create database ${name}_shadow`);
    return name;
  };
  const env = (name) => ({ ...process.env, DATABASE_URL: pg.url(name), SHADOW_DATABASE_URL: pg.url(name + '_shadow'), ROOT_DATABASE_URL: pg.url('template1') });
  try {
    // A project with 200 small committed migrations (tables, an index, a function, a policy now and then).
    const project = path.join(work, 'history');
    fs.mkdirSync(path.join(project, 'migrations', 'committed'), { recursive: true });
    fs.writeFileSync(path.join(project, '.gmrc'), '{}\n');
    let prev = null;
    for (let i = 1; i <= 200; i++) {
      // Small migrations (the issue's case): one table each, a function and a comment now and then.
      const body =
        `create table if not exists t${i} (id int, name text);\n` +
        (i % 10 === 0 ? `create or replace function f${i}() returns int language sql as $$ select ${i} $$;\ncomment on table t${i} is 'table ${i}';\n` : '');
      const { text, hash } = formatCommittedFile({ body, previousHash: prev });
      fs.writeFileSync(path.join(project, 'migrations', 'committed', `${String(i).padStart(6, '0')}.sql`), text);
      prev = hash;
    }
    fs.writeFileSync(path.join(project, 'migrations', 'current.sql'), '-- Enter migration here\n');

    // 1. migrate 200 into a fresh database, whole processes, alternating.
    const mig = { pgmig: [], gm: [] };
    for (let r = 0; r < RUNS; r++) {
      mig.gm.push(await timeProcess(process.execPath, [gmCli, 'migrate'], { cwd: project, env: env(freshDb()) }));
      mig.pgmig.push(await timeProcess(process.execPath, [cli, 'migrate'], { cwd: project, env: env(freshDb()) }));
    }
    // And in-process (no process start), what the language server pays.
    const inproc = [];
    for (let r = 0; r < RUNS; r++) {
      const name = freshDb();
      const e = new MigrationEngine(loadSettings({ root: project, env: env(name) }));
      const t0 = performance.now();
      await e.migrate();
      inproc.push(performance.now() - t0);
      await e.close();
    }
    // The floor: the same 200 bodies, each in its own transaction with its tracking row, sent by a bare pg client
    // as one script (no tool at all). What no migration tool can go below on this server.
    const pgLib = require(path.join(repo, 'node_modules', 'pg'));
    const floor = [];
    for (let r = 0; r < RUNS; r++) {
      const name = freshDb();
      const c = new pgLib.Client(pg.url(name));
      await c.connect();
      await c.query('create schema graphile_migrate; create table graphile_migrate.migrations (hash text primary key, previous_hash text references graphile_migrate.migrations, filename text not null, date timestamptz not null default now())');
      let script = '';
      for (const f of fs.readdirSync(path.join(project, 'migrations', 'committed')).sort()) {
        const text = fs.readFileSync(path.join(project, 'migrations', 'committed', f), 'utf8');
        const body = text.slice(text.indexOf('\n\n') + 2);
        const hash = /--! Hash: (\S+)/.exec(text)[1];
        const prevHash = /--! Previous: (\S+)/.exec(text)[1];
        script += `begin;\n${body}\n;insert into graphile_migrate.migrations(hash, previous_hash, filename) values ('${hash}', ${prevHash === '-' ? 'null' : `'${prevHash}'`}, '${f}');\ncommit;\n`;
      }
      const t0 = performance.now();
      await c.query(script);
      floor.push(performance.now() - t0);
      await c.end();
    }
    results.migrate200 = { pgmig: median(mig.pgmig), gm: median(mig.gm), pgmigInProcess: median(inproc), serverFloor: median(floor) };

    // 1b. The same on a durable server (fsync and synchronous_commit on, as on a real machine; the test cluster turns
    // them off for speed): every commit then waits for its WAL flush, and pgmig needs one flush per batch, not per
    // migration. A second throwaway cluster, so the first one's settings stay those of the tests.
    if (process.env.BENCH_DURABLE !== '0') {
      const durable = await startPostgres({ extraConf: ['fsync=on', 'synchronous_commit=on'] });
      try {
        let dn = 0;
        const dEnv = () => {
          const name = `durable_${++dn}`;
          durable.psql(`create database ${name}`);
          durable.psql(`create database ${name}_shadow`);
          return { ...process.env, DATABASE_URL: durable.url(name), SHADOW_DATABASE_URL: durable.url(name + '_shadow'), ROOT_DATABASE_URL: durable.url('template1') };
        };
        const d = { pgmig: [], gm: [] };
        for (let r = 0; r < RUNS; r++) {
          d.gm.push(await timeProcess(process.execPath, [gmCli, 'migrate'], { cwd: project, env: dEnv() }));
          d.pgmig.push(await timeProcess(process.execPath, [cli, 'migrate'], { cwd: project, env: dEnv() }));
        }
        results.migrate200Durable = { pgmig: median(d.pgmig), gm: median(d.gm) };
      } finally {
        await durable.stop();
      }
    }

    // 2. watch: a 50-statement current.sql.
    const statements = Array.from({ length: 50 }, (_, i) => `create table if not exists w${i} (id int primary key, v text, n int default ${i});`).join('\n') + '\n';
    const watchProject = path.join(work, 'watch');
    fs.mkdirSync(path.join(watchProject, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(watchProject, '.gmrc'), '{}\n');
    const measureWatch = async (settings) => {
      const e = new MigrationEngine(settings);
      const ac = new AbortController();
      let waiter;
      const next = () => new Promise((r) => (waiter = r));
      fs.writeFileSync(path.join(watchProject, 'migrations', 'current.sql'), '-- start\n');
      const first = next();
      const watching = e.watch({ signal: ac.signal, onRun: (r) => waiter?.(r) });
      await first;
      const times = [];
      for (let k = 0; k < 11; k++) {
        const p = next();
        const t0 = performance.now();
        fs.writeFileSync(path.join(watchProject, 'migrations', 'current.sql'), statements + `select ${k};\n`);
        const r = await p;
        if (!r.ran) throw new Error(`watch run failed: ${r.message}`);
        times.push(performance.now() - t0);
      }
      ac.abort();
      await watching;
      await e.close();
      return median(times);
    };
    const watchDb = freshDb();
    const watchPg = await measureWatch(loadSettings({ root: watchProject, env: env(watchDb) }));
    fs.rmSync(path.join(watchProject, '.pgmig'), { recursive: true, force: true });
    const watchLite = await measureWatch(loadSettings({ root: watchProject, env: { ...process.env, DATABASE_URL: '', SHADOW_DATABASE_URL: '' } }));
    const gmOnce = [];
    const pgmigOnce = [];
    const onceDb = freshDb();
    for (let k = 0; k < RUNS; k++) {
      fs.writeFileSync(path.join(watchProject, 'migrations', 'current.sql'), statements + `select ${k}; -- gm\n`);
      gmOnce.push(await timeProcess(process.execPath, [gmCli, 'watch', '--once'], { cwd: watchProject, env: env(onceDb) }));
      fs.writeFileSync(path.join(watchProject, 'migrations', 'current.sql'), statements + `select ${k}; -- pgmig\n`);
      pgmigOnce.push(await timeProcess(process.execPath, [cli, 'watch', '--once'], { cwd: watchProject, env: env(onceDb) }));
    }
    results.watch50 = { pgmigInProcessPg: watchPg, pgmigInProcessPglite: watchLite, gmWatchOnce: median(gmOnce), pgmigWatchOnce: median(pgmigOnce) };

    // 3. commit with shadow validation of the 200-migration history.
    const commits = { pgmig: [], gm: [] };
    for (let r = 0; r < RUNS; r++) {
      for (const tool of ['gm', 'pgmig']) {
        const copy = path.join(work, `commit-${tool}-${r}`);
        fs.cpSync(project, copy, { recursive: true });
        const name = freshDb();
        await timeProcess(process.execPath, [cli, 'migrate'], { cwd: copy, env: env(name) });
        fs.writeFileSync(path.join(copy, 'migrations', 'current.sql'), 'create table if not exists committed_now (id int);\n');
        commits[tool].push(await timeProcess(process.execPath, [tool === 'gm' ? gmCli : cli, 'commit', '-m', 'bench'], { cwd: copy, env: env(name) }));
      }
    }
    results.commit200 = { pgmig: median(commits.pgmig), gm: median(commits.gm) };

    // 4. the shadow check after a save (history of 200 replayed once, then reused).
    const checkText = statements + 'select nope from w1;\n';
    const measureCheck = async (settings) => {
      const e = new MigrationEngine(settings);
      const t0 = performance.now();
      const f0 = await e.shadowCheck({ currentText: checkText });
      const cold = performance.now() - t0;
      if (f0.length !== 1) throw new Error(`shadow check found ${f0.length} errors, expected 1`);
      const warm = [];
      for (let k = 0; k < 9; k++) {
        const t = performance.now();
        await e.shadowCheck({ currentText: checkText + `-- save ${k}\n` });
        warm.push(performance.now() - t);
      }
      await e.close();
      return { cold, warm: median(warm) };
    };
    results.shadowCheck = {
      pg: await measureCheck(loadSettings({ root: project, env: env(freshDb()) })),
      pglite: await measureCheck(loadSettings({ root: project, env: { ...process.env, DATABASE_URL: '', SHADOW_DATABASE_URL: '' } })),
    };
  } finally {
    await pg.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const r = results;
  const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
  report('Migration engine vs graphile-migrate 2.0.0-rc.3 (same local PostgreSQL 15, same run; medians)');
  report(`  migrate 200 committed migrations, fresh database (whole process): pgmig ${fmt(r.migrate200.pgmig)}, graphile-migrate ${fmt(r.migrate200.gm)}, ratio ${ratio(r.migrate200.pgmig, r.migrate200.gm)} (goal <= 0.40x); pgmig in-process ${fmt(r.migrate200.pgmigInProcess)}; the server's own time for the same SQL (bare client, one script) ${fmt(r.migrate200.serverFloor)}`);
  if (r.migrate200Durable) {
    report(`  migrate 200 committed migrations, fresh database on a durable server (fsync, synchronous_commit on): pgmig ${fmt(r.migrate200Durable.pgmig)}, graphile-migrate ${fmt(r.migrate200Durable.gm)}, ratio ${ratio(r.migrate200Durable.pgmig, r.migrate200Durable.gm)} (goal <= 0.40x)`);
  }
  report(`  watch, 50-statement current.sql, save-to-applied in a running process: pgmig ${fmt(r.watch50.pgmigInProcessPg)} on PostgreSQL, ${fmt(r.watch50.pgmigInProcessPglite)} on PGlite (goal < 60 ms); graphile-migrate watch --once ${fmt(r.watch50.gmWatchOnce)} (pgmig watch --once ${fmt(r.watch50.pgmigWatchOnce)}); ratio ${ratio(r.watch50.pgmigInProcessPg, r.watch50.gmWatchOnce)}`);
  report(`  commit with shadow validation of a 200-migration history (whole process): pgmig ${fmt(r.commit200.pgmig)}, graphile-migrate ${fmt(r.commit200.gm)}, ratio ${ratio(r.commit200.pgmig, r.commit200.gm)}`);
  report(`  shadow check after a save (in-process, 50 statements + 1 error, history of 200): PostgreSQL ${fmt(r.shadowCheck.pg.warm)} (first run ${fmt(r.shadowCheck.pg.cold)}), PGlite ${fmt(r.shadowCheck.pglite.warm)} (first run ${fmt(r.shadowCheck.pglite.cold)})`);
  const goals = [
    ['migrate 200 <= 0.4x graphile-migrate (test server, fsync off)', r.migrate200.pgmig <= r.migrate200.gm * 0.4],
    ...(r.migrate200Durable ? [['migrate 200 <= 0.4x graphile-migrate (durable server)', r.migrate200Durable.pgmig <= r.migrate200Durable.gm * 0.4]] : []),
    ['watch save-to-applied < 60 ms', r.watch50.pgmigInProcessPg < 60],
  ];
  for (const [g, met] of goals) report(`  ${met ? 'met    ' : 'MISSED '} ${g}`);
  fs.mkdirSync(path.join(benchDir, '.work'), { recursive: true });
  fs.writeFileSync(path.join(benchDir, '.work', 'engine-results.json'), JSON.stringify({ date: new Date().toISOString(), results, goals }, null, 2));
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then(
    () => process.exit(0),
    (e) => {
      console.error(`bench/engine.mjs: ${e?.stack ?? e}`);
      process.exit(1);
    },
  );
}
