// The embedded database's folder lock (issue 11 §1): an OS-level lock that dies with its process. A stale
// `.pgmig/db.lock` left by a crash used to be deleted by whoever found it, so two processes could both take the lock
// and both open the data folder, corrupting it (duplicate tracking rows, broken indexes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { makeProject, pgmig, core, cleanup, repo } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { formatCommittedFile } = core('graphile/committedFile.js');
const EMBEDDED_ENV = { ...process.env, DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };
/** Runs of the two-migrates race in the suite (each ~10 s); PGMIG_RACE_RUNS=200 for the measurement by hand. */
const RACE_RUNS = Number(process.env.PGMIG_RACE_RUNS) || 3;
const MIGRATIONS = 200;

/** A graphile project with `n` committed migrations (a table, an index, a row each). */
function projectWithMigrations(n) {
  const files = { '.gmrc': '{}\n', 'migrations/current.sql': '-- Enter migration here\n' };
  let previousHash = null;
  for (let i = 1; i <= n; i++) {
    const body = `create table t${i} (id int primary key, v text);\ncreate index t${i}_v on t${i} (v);\ninsert into t${i} values (${i}, 'row ${i}');\n`;
    const c = formatCommittedFile({ body, previousHash, message: `t${i}` });
    files[`migrations/committed/${String(i).padStart(6, '0')}-t${i}.sql`] = c.text;
    previousHash = c.hash;
  }
  return makeProject(files);
}

/** Opens a data folder directly with PGlite (nothing of pgmig in between) and checks it is intact. */
async function inspect(dataDir) {
  const { PGlite } = require(path.join(repo, 'node_modules/@electric-sql/pglite'));
  const db = new PGlite(dataDir);
  try {
    await db.exec('reindex database postgres'); // fails on a corrupted index ("right sibling's left-link ...")
    const [{ n }] = (await db.query('select count(*)::int as n from graphile_migrate.migrations')).rows;
    const [{ tables }] = (await db.query("select count(*)::int as tables from pg_tables where schemaname = 'public'")).rows;
    return { trackingRows: n, tables };
  } finally {
    await db.close();
  }
}

/** A child process that takes the folder lock, says "locked", and holds it until killed. */
function holdLock(dataDir) {
  const code = `
    const { lockDataFolder } = require(${JSON.stringify(path.join(repo, 'out/core/db/folderLock.js'))});
    lockDataFolder(process.argv[1], { owner: 'lock holder (test)' }).then(() => { console.log('locked'); setInterval(() => {}, 1000); },
      (e) => { console.log('failed: ' + e.message); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', code, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('locked')) resolve(child);
      if (out.includes('failed')) reject(new Error(out));
    });
  });
}

test('what a lock file says never breaks a live lock: a live holder keeps it, whatever .pgmig/db.lock contains', { timeout: 120_000 }, async () => {
  const { lockDataFolder } = core('db/folderLock.js');
  const dir = makeProject({ '.gmrc': '{}\n' });
  const dataDir = path.join(dir, '.pgmig/db');
  const holder = await holdLock(dataDir);
  try {
    // The state the race produced: another process's view that the lock is stale (a dead PID in the lock file).
    fs.writeFileSync(dataDir + '.lock', '999999');
    let waited;
    await assert.rejects(
      lockDataFolder(dataDir, { waitMs: 300, onWait: (m) => (waited = m) }),
      (e) => e.code === 'lock' && new RegExp(`is in use by process ${holder.pid} \\(lock holder \\(test\\)\\); gave up after waiting 0.3 s`).test(e.message),
    );
    assert.match(waited, new RegExp(`the embedded database .*db is in use by process ${holder.pid} \\(lock holder \\(test\\)\\); waiting up to 0.3 s…`));
    // The CLI says the same and gives up after its wait.
    const r = await pgmig(['migrate'], { cwd: dir, env: { ...EMBEDDED_ENV, PGMIG_EMBEDDED_LOCK_WAIT_MS: '500' } });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`in use by process ${holder.pid} \\(lock holder \\(test\\)\\); waiting`));
    assert.match(r.stderr, new RegExp(`in use by process ${holder.pid} .*gave up after waiting`));
    // status --json keeps stdout for the JSON: the waiting line goes to stderr.
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'PG_VERSION'), '18\n'); // "a database exists": status must open it
    const st = await pgmig(['status', '--json'], { cwd: dir, env: { ...EMBEDDED_ENV, PGMIG_EMBEDDED_LOCK_WAIT_MS: '300' } });
    assert.equal(st.code, 4, st.out); // status could not be read
    assert.equal(JSON.parse(st.stdout).error.code, 'lock', st.out); // stdout is the JSON, nothing else
    assert.match(st.stderr, new RegExp(`in use by process ${holder.pid} \\(lock holder \\(test\\)\\); waiting up to 0.3 s…`));
    // Another spelling of the same folder is the same lock.
    await assert.rejects(lockDataFolder(path.join(dir, '.pgmig', '..', '.pgmig', 'db')), /in use by process/);
  } finally {
    holder.kill('SIGKILL');
  }
  await new Promise((r) => holder.once('exit', r));
  // kill -9 of the holder frees the lock at once; the stale file is no obstacle either.
  const release = await lockDataFolder(dataDir);
  // ... and this process holding it keeps out a second taker in the same process too.
  await assert.rejects(lockDataFolder(dataDir), new RegExp(`in use by process ${process.pid} \\(.*this process\\)`));
  release();
  const again = await lockDataFolder(dataDir);
  again();
  cleanup(dir);
});

test(`a stale lock and two concurrent migrates: applied exactly once, the database intact (${RACE_RUNS} runs)`, { timeout: 120_000 + RACE_RUNS * 60_000 }, async () => {
  const dir = projectWithMigrations(MIGRATIONS);
  const dataDir = path.join(dir, '.pgmig/db');
  const env = { ...EMBEDDED_ENV, PGMIG_EMBEDDED_LOCK_WAIT_MS: '120000' };
  const t0 = Date.now();
  try {
    for (let run = 1; run <= RACE_RUNS; run++) {
      fs.rmSync(path.join(dir, '.pgmig'), { recursive: true, force: true });
      fs.mkdirSync(path.join(dir, '.pgmig'));
      fs.writeFileSync(path.join(dir, '.pgmig/db.lock'), '999999'); // left by a crash
      const [a, b] = await Promise.all([pgmig(['migrate'], { cwd: dir, env }), pgmig(['migrate'], { cwd: dir, env })]);
      const where = `run ${run}:\n--- a\n${a.out}\n--- b\n${b.out}`;
      assert.equal(a.code, 0, where);
      assert.equal(b.code, 0, where);
      const applied = (r) => (r.stdout.match(/^applied /gm) ?? []).length;
      assert.equal(applied(a) + applied(b), MIGRATIONS, where);
      assert.match(a.out + b.out, /the embedded database .* is in use by process \d+ \(pgmig migrate\); waiting up to 120 s…/, where);
      assert.deepEqual(await inspect(dataDir), { trackingRows: MIGRATIONS, tables: MIGRATIONS }, where);
      const st = await pgmig(['status', '--json'], { cwd: dir, env });
      assert.equal(st.code, 0, st.out);
      assert.equal(JSON.parse(st.stdout).applied.length, MIGRATIONS);
    }
  } finally {
    console.log(`# ${RACE_RUNS} race runs: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    cleanup(dir);
  }
});

test('one process opens a data folder once: two engines on the same project share it (no waiting on our own lock)', { timeout: 120_000 }, async () => {
  const { MigrationEngine } = core('engine/engine.js');
  const { loadSettings } = core('engine/settings.js');
  const { lockDataFolder } = core('db/folderLock.js');
  const dir = projectWithMigrations(3);
  const settings = () => loadSettings({ root: dir, env: EMBEDDED_ENV });
  const a = new MigrationEngine(settings(), undefined, { embeddedLockWaitMs: 0 });
  const b = new MigrationEngine(settings(), undefined, { embeddedLockWaitMs: 0 });
  try {
    assert.deepEqual((await a.migrate()).applied.length, 3);
    // b would fail at once (lock wait 0) if it opened the folder a second time.
    const st = await b.status();
    assert.equal(st.applied.length, 3);
    await a.close();
    assert.equal((await b.status()).applied.length, 3, 'b keeps the database after a closed');
    await assert.rejects(lockDataFolder(path.join(dir, '.pgmig/db')), /is in use by/);
  } finally {
    await a.close();
    await b.close();
  }
  // The last user closed it: the folder is free.
  const release = await lockDataFolder(path.join(dir, '.pgmig/db'));
  release();
  cleanup(dir);
});

test('a dead PID in .pgmig/db.lock (what the old lock took for a stale lock) lets no second process into a live database', { timeout: 120_000 }, async () => {
  const { MigrationEngine } = core('engine/engine.js');
  const { loadSettings } = core('engine/settings.js');
  const dir = projectWithMigrations(2);
  const engine = new MigrationEngine(loadSettings({ root: dir, env: EMBEDDED_ENV }));
  try {
    await engine.migrate(); // this process holds the database open
    fs.writeFileSync(path.join(dir, '.pgmig/db.lock'), '999999');
    const r = await pgmig(['migrate'], { cwd: dir, env: { ...EMBEDDED_ENV, PGMIG_EMBEDDED_LOCK_WAIT_MS: '500' } });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, new RegExp(`the embedded database .* is in use by process ${process.pid} \\(.*\\); gave up after waiting 0.5 s`));
    assert.equal((await engine.status()).applied.length, 2);
  } finally {
    await engine.close();
  }
  cleanup(dir);
});
