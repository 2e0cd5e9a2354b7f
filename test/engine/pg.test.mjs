// The engine's commands on a real PostgreSQL server (a throwaway cluster started here): migrate, status, commit,
// uncommit, watch, rollback, reset, schema dump, targets, the shadow check; errors (SQL positions through includes,
// connection failures without passwords, a connection dropped mid-migration); two processes migrating at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres, SUPERUSER_PASSWORD } from '../support/postgres.mjs';
import { makeProject, pgmig, dbEnv, freshDb, core, cleanup } from './helpers.mjs';

let pg;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const GMRC = '{}\n';
const read = (dir, rel) => fs.readFileSync(path.join(dir, rel), 'utf8');
const write = (dir, rel, text) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};
const committedNames = (dir) => fs.readdirSync(path.join(dir, 'migrations/committed')).filter((f) => !f.startsWith('.')).sort();

async function waitFor(cond, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes committed files directly (the lead's formatCommittedFile, checked against graphile-migrate elsewhere). */
function writeCommitted(dir, bodies) {
  const { formatCommittedFile } = core('graphile/committedFile.js');
  let prev = null;
  fs.mkdirSync(path.join(dir, 'migrations/committed'), { recursive: true });
  for (const [i, body] of bodies.entries()) {
    const { text, hash } = formatCommittedFile({ body, previousHash: prev });
    fs.writeFileSync(path.join(dir, `migrations/committed/${String(i + 1).padStart(6, '0')}.sql`), text);
    prev = hash;
  }
}

async function commitAll(dir, env, bodies) {
  for (const [i, body] of bodies.entries()) {
    write(dir, 'migrations/current.sql', body);
    const r = await pgmig(['commit', '-m', `step ${i + 1}`], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
  }
}

test('commit, migrate and status on real PostgreSQL; status exit codes are graphile-migrate\'s', async () => {
  const name = freshDb(pg, 'basic');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  await commitAll(dir, env, ['create table t1 (id int primary key);\n', 'create table t2 (id int references t1);\n']);
  assert.deepEqual(committedNames(dir), ['000001-step-1.sql', '000002-step-2.sql']);
  assert.equal(read(dir, 'migrations/current.sql'), '-- Enter migration here\n');
  let r = await pgmig(['status'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /applied: 2/);

  // A second database: both pending (exit 1), then current not empty too (exit 3).
  const other = freshDb(pg, 'other');
  const env2 = dbEnv(pg, other);
  r = await pgmig(['status', '--json'], { cwd: dir, env: env2 });
  assert.equal(r.code, 1, r.out);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.pending, ['000001-step-1.sql', '000002-step-2.sql']);
  write(dir, 'migrations/current.sql', 'select 1;\n');
  r = await pgmig(['status'], { cwd: dir, env: env2 });
  assert.equal(r.code, 3, r.out);
  r = await pgmig(['migrate'], { cwd: dir, env: env2 });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /2 committed migration\(s\) applied/);
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', other).trim(), '2');
  r = await pgmig(['status'], { cwd: dir, env: env2 });
  assert.equal(r.code, 2, r.out);
  cleanup(dir);
});

test('an SQL error in current names the fixture file, line and column with a caret; the database is unchanged', async () => {
  const name = freshDb(pg, 'sqlerr');
  const env = dbEnv(pg, name);
  const dir = makeProject({
    '.gmrc': GMRC,
    'migrations/fixtures/funcs.sql': '-- helper\ncreate table if not exists a (id int);\nselect nosuch\n  from a;\n',
    'migrations/current.sql': 'create table if not exists b (id int);\n--!include funcs.sql\n',
  });
  const r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  const fixture = fs.realpathSync(path.join(dir, 'migrations/fixtures/funcs.sql'));
  assert.ok(r.stderr.includes(`${fixture}:3:8: 42703: column "nosuch" does not exist`), r.stderr);
  assert.match(r.stderr, /3 \| select nosuch\n\s+\|\s{8}\^/);
  // The whole run was one transaction: table b does not exist.
  assert.equal(pg.psql(`select to_regclass('public.b') is null`, name).trim(), 't');
  cleanup(dir);
});

test('a tampered committed file is refused, AllowInvalidHash lets it run', async () => {
  const name = freshDb(pg, 'tamper');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  await commitAll(dir, env, ['create table x1 (id int);\n']);
  const other = freshDb(pg, 'tamper2');
  const file = path.join(dir, 'migrations/committed/000001-step-1.sql');
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, read(dir, 'migrations/committed/000001-step-1.sql').replace('x1', 'x2'));
  let r = await pgmig(['migrate'], { cwd: dir, env: dbEnv(pg, other) });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Hash for 000001-step-1\.sql does not match .* has the file been tampered with\?/);
  assert.equal(pg.psql(`select to_regclass('public.x2') is null`, other).trim(), 't');
  r = await pgmig(['status'], { cwd: dir, env });
  assert.match(r.stdout, /changed after apply: 000001-step-1\.sql/);
  fs.writeFileSync(file, read(dir, 'migrations/committed/000001-step-1.sql').replace('--! Message', '--! AllowInvalidHash\n--! Message'));
  r = await pgmig(['migrate'], { cwd: dir, env: dbEnv(pg, other) });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /INVALID HASH, allowed/);
  cleanup(dir);
});

test('connection failures: one clear line each, the password never printed', async () => {
  const dir = makeProject({ '.gmrc': GMRC, 'migrations/current.sql': 'select 1;\n' });
  const secret = 'Sup3r-Secret-Pw';
  const cases = [
    [`postgres://postgres:${secret}@127.0.0.1:${pg.port}/postgres`, /password authentication failed for user "postgres"/],
    [`postgres://postgres:${secret}@127.0.0.1:1/postgres`, /connection refused/],
    [`postgres://postgres:${secret}@no-such-host.invalid:5432/postgres`, /host "no-such-host\.invalid" not found/],
    [pg.url('no_such_database_here'), /database "no_such_database_here" does not exist/],
  ];
  for (const [url, why] of cases) {
    const r = await pgmig(['migrate'], { cwd: dir, env: { DATABASE_URL: url } });
    assert.equal(r.code, 1, r.out);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^pgmig: cannot connect to postgres:\/\/postgres@/);
    assert.match(lines[0], why);
    assert.ok(!r.out.includes(secret) && !r.out.includes(SUPERUSER_PASSWORD), r.out);
  }
  cleanup(dir);
});

test('a connection dropped in the middle of a migration: rolled back, a clear error, the next run resumes', async () => {
  const name = freshDb(pg, 'drop');
  const env = dbEnv(pg, name);
  pg.psql('create table gate (x int)', name);
  const dir = makeProject({ '.gmrc': GMRC });
  writeCommitted(dir, ['create table d1 (id int);\n', 'create table d2 (id int);\ninsert into gate values (1);\n']);
  // Another session holds a lock the second migration needs; its backend is killed while it waits.
  const { spawn } = await import('node:child_process');
  const locker = spawn('runuser', ['-u', 'postgres', '--', path.join(pg.bin, 'psql'), '-h', pg.socketDir, '-p', String(pg.port), '-d', name, '-c', 'begin; lock table gate; select pg_sleep(60);'], { stdio: 'ignore' });
  await waitFor(() => pg.psql(`select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'gate' and l.granted`, name).trim() !== '0');
  const migrating = pgmig(['migrate'], { cwd: dir, env });
  await waitFor(() => pg.psql(`select count(*) from pg_stat_activity where datname = '${name}' and query like '%insert into gate%' and wait_event_type = 'Lock'`).trim() !== '0');
  pg.psql(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and query like '%insert into gate%' and pid <> pg_backend_pid()`);
  const r = await migrating;
  locker.kill('SIGKILL');
  pg.psql(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /lost the connection to postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+: .*rolled back/);
  assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('pgmig:')).length, 1, r.stderr);
  assert.equal(pg.psql(`select to_regclass('public.d2') is null, to_regclass('public.d1') is not null`, name).trim(), 't|t');
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', name).trim(), '1');
  const again = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(again.code, 0, again.out);
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', name).trim(), '2');
  cleanup(dir);
});

test('two processes migrating the same database at once apply every migration exactly once', async () => {
  const name = freshDb(pg, 'race');
  const dir = makeProject({ '.gmrc': GMRC });
  writeCommitted(dir, Array.from({ length: 25 }, (_, k) => (k === 0 ? 'create table log (n int);\n' : '') + `insert into log values (${k + 1});\nselect pg_sleep(0.01);\n`));
  const env = dbEnv(pg, name);
  const [a, b, c] = await Promise.all([pgmig(['migrate'], { cwd: dir, env }), pgmig(['migrate'], { cwd: dir, env }), pgmig(['migrate'], { cwd: dir, env })]);
  for (const r of [a, b, c]) assert.equal(r.code, 0, r.out);
  assert.equal(pg.psql('select count(*), count(distinct n) from log', name).trim(), '25|25');
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', name).trim(), '25');
  cleanup(dir);
});

test('uncommit restores includes and the message; commit again gives the same hash', async () => {
  const name = freshDb(pg, 'uncommit');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC, 'migrations/fixtures/f.sql': 'create or replace function f() returns int language sql as $$ select 1 $$;\n' });
  write(dir, 'migrations/current.sql', '--! Message: add f\n\n--!include f.sql\nselect f();\n');
  let r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  const [file] = committedNames(dir);
  assert.equal(file, '000001-add-f.sql');
  const committed = read(dir, 'migrations/committed/' + file);
  assert.match(committed, /--! Included f\.sql\ncreate or replace function f\(\).*\n--! EndIncluded f\.sql\n/);
  r = await pgmig(['uncommit'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(read(dir, 'migrations/current.sql'), '--! Message: add f\n\n--!include f.sql\nselect f();\n');
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', name).trim(), '0');
  r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(read(dir, 'migrations/committed/' + file), committed);
  cleanup(dir);
});

test('rollback runs down scripts newest first and refuses where one is missing', async () => {
  const name = freshDb(pg, 'rollback');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  for (const [i, t] of ['r1', 'r2', 'r3'].entries()) {
    write(dir, 'migrations/current.sql', `create table ${t} (id int);\n`);
    if (i > 0) write(dir, 'migrations/current.down.sql', `drop table ${t};\n`);
    const r = await pgmig(['commit'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.equal(fs.existsSync(path.join(dir, 'migrations/current.down.sql')), false);
  }
  assert.deepEqual(committedNames(dir), ['000001.sql', '000002.down.sql', '000002.sql', '000003.down.sql', '000003.sql']);
  let r = await pgmig(['rollback', '--to', '0'], { cwd: dir, env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot roll back: no down script for 000001\.down\.sql/);
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', name).trim(), '3');
  r = await pgmig(['rollback'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(pg.psql(`select to_regclass('public.r3') is null, to_regclass('public.r2') is null`, name).trim(), 't|f');
  r = await pgmig(['rollback', '--to', '1'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(pg.psql('select string_agg(filename, \',\') from graphile_migrate.migrations', name).trim(), '000001.sql');
  r = await pgmig(['status'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  r = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  cleanup(dir);
});

test('reset refuses without --erase; with it drops, recreates and migrates', async () => {
  const name = freshDb(pg, 'reset');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  await commitAll(dir, env, ['create table keep (id int);\n']);
  pg.psql('create table junk (id int)', name);
  let r = await pgmig(['reset'], { cwd: dir, env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--erase/);
  assert.equal(pg.psql(`select to_regclass('public.junk') is not null`, name).trim(), 't');
  r = await pgmig(['reset', '--erase'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(pg.psql(`select to_regclass('public.junk') is null, to_regclass('public.keep') is not null`, name).trim(), 't|t');
  cleanup(dir);
});

test('schema dump is deterministic', async () => {
  const name = freshDb(pg, 'dump');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  await commitAll(dir, env, ['create table s1 (id serial primary key, name text not null);\ncreate index on s1 (name);\nalter table s1 enable row level security;\ncreate policy p on s1 using (true);\n']);
  let r = await pgmig(['schema', 'dump'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  const first = read(dir, 'schema.sql');
  assert.match(first, /CREATE TABLE public\.s1/);
  assert.match(first, /CREATE POLICY p ON public\.s1/);
  assert.ok(!/graphile_migrate/.test(first));
  assert.ok(!/^\\restrict/m.test(first) && !/Dumped from database version/.test(first));
  r = await pgmig(['schema', 'dump'], { cwd: dir, env });
  assert.equal(read(dir, 'schema.sql'), first);
  cleanup(dir);
});

test('targets: --all-targets migrates each with its own pgSettings; target init stores settings and runs seeds', async () => {
  const eu = freshDb(pg, 'eu');
  const us = freshDb(pg, 'us');
  const dir = makeProject({
    '.gmrc': GMRC,
    'pgmig.json': JSON.stringify({
      targets: {
        eu: { urlEnv: 'EU_URL', pgSettings: { 'app.region_id': 'eu' }, seeds: ['seeds/region.sql'] },
        us: { urlEnv: 'US_URL', pgSettings: { 'app.region_id': 'us' }, seeds: ['seeds/region.sql'] },
      },
    }),
    'seeds/region.sql': "insert into region values (current_setting('app.region_id'));\n",
  });
  const env = { ...dbEnv(pg, eu), EU_URL: pg.url(eu), US_URL: pg.url(us) };
  write(dir, 'migrations/current.sql', "create table region (id text);\ncreate table made_in (region text default current_setting('app.region_id'));\ninsert into made_in default values;\n");
  let r = await pgmig(['commit', '--target', 'eu'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  r = await pgmig(['migrate', '--all-targets'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /\[us\] 1 committed migration\(s\) applied/);
  assert.equal(pg.psql('select region from made_in', us).trim(), 'us');
  r = await pgmig(['target', 'init', 'us'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(pg.psql('select id from region', us).trim(), 'us');
  assert.equal(pg.psql("select current_setting('app.region_id')", us).trim(), 'us');
  r = await pgmig(['status', '--all-targets', '--json'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(JSON.parse(r.stdout).map((x) => x.target), ['eu', 'us']);
  // A target whose database does not exist yet: target init creates it through the root connection.
  const cfg = JSON.parse(read(dir, 'pgmig.json'));
  cfg.targets.ap = { urlEnv: 'AP_URL', pgSettings: { 'app.region_id': 'ap' }, seeds: ['seeds/region.sql'] };
  write(dir, 'pgmig.json', JSON.stringify(cfg));
  const ap = `ap_${process.pid}`;
  r = await pgmig(['target', 'init', 'ap'], { cwd: dir, env: { ...env, AP_URL: pg.url(ap) } });
  assert.equal(r.code, 0, r.out);
  assert.equal(pg.psql('select id from region', ap).trim(), 'ap');
  r = await pgmig(['status', '--target', 'asia'], { cwd: dir, env });
  assert.equal(r.code, 4, 'status that cannot be read exits 4, never 1 (pending)');
  assert.match(r.stderr, /unknown target 'asia' \(known: eu, us, ap\)/);
  cleanup(dir);
});

test('watch in a running process: applies on save, skips unchanged text, reports failures; save-to-applied time', async () => {
  const { MigrationEngine } = core('engine/engine.js');
  const { loadSettings } = core('engine/settings.js');
  const name = freshDb(pg, 'watch');
  const dir = makeProject({ '.gmrc': GMRC, 'migrations/current.sql': '-- empty\n' });
  const engine = new MigrationEngine(loadSettings({ root: dir, env: { ...process.env, ...dbEnv(pg, name) } }));
  const ac = new AbortController();
  const results = [];
  let waiter;
  const next = () => new Promise((r) => (waiter = r));
  const watching = engine.watch({ signal: ac.signal, onRun: (r) => { results.push(r); waiter?.(r); } });
  await next();
  const statements = Array.from({ length: 50 }, (_, i) => `create table if not exists w${i} (id int primary key, v text);`).join('\n') + '\n';
  const times = [];
  for (let k = 0; k < 5; k++) {
    const p = next();
    const t0 = performance.now();
    fs.writeFileSync(path.join(dir, 'migrations/current.sql'), statements + `-- save ${k}\nselect ${k};\n`);
    const r = await p;
    times.push(performance.now() - t0);
    assert.equal(r.ran, true, String(r?.message));
  }
  assert.equal(pg.psql(`select count(*) from pg_tables where tablename like 'w%'`, name).trim(), '50');
  // A comment-only change is skipped.
  let p = next();
  fs.writeFileSync(path.join(dir, 'migrations/current.sql'), statements + `-- another comment\nselect 4;\n`);
  assert.equal((await p).unchanged, true);
  p = next();
  fs.writeFileSync(path.join(dir, 'migrations/current.sql'), 'select nope;\n');
  const failed = await p;
  assert.equal(failed.code, 'sql');
  assert.equal(failed.location.line, 1);
  ac.abort();
  await watching;
  await engine.close();
  const median = times.sort((a, b) => a - b)[2];
  console.log(`# watch save-to-applied (50 statements, real PostgreSQL): median ${median.toFixed(1)} ms`);
  assert.ok(median < 200, `median ${median} ms`);
  cleanup(dir);
});

test('shadow check: runtime errors of current as findings with exact positions, fast after the first run', async () => {
  const { MigrationEngine } = core('engine/engine.js');
  const { loadSettings } = core('engine/settings.js');
  const name = freshDb(pg, 'check');
  const dir = makeProject({ '.gmrc': GMRC });
  const env = { ...process.env, ...dbEnv(pg, name) };
  await commitAll(dir, dbEnv(pg, name), ['create table users (id int primary key, name text);\n']);
  const engine = new MigrationEngine(loadSettings({ root: dir, env }));
  const text = 'alter table users add column if not exists email text;\nselect emial from users;\nselect nme from users;\n';
  let findings = await engine.shadowCheck({ currentText: text });
  assert.equal(findings.length, 2);
  assert.equal(findings[0].rule, 'shadow-error');
  assert.equal(findings[0].file, path.join(fs.realpathSync(dir), 'migrations/current.sql'));
  assert.equal(text.slice(findings[0].start, findings[0].end), 'emial');
  assert.match(findings[0].message, /column "emial" does not exist/);
  assert.equal(text.slice(findings[1].start, findings[1].end), 'nme');
  // A runtime error without a position (NOT NULL), statements after it that depend on statements before it, and a
  // statement that cannot run in a transaction (not reported).
  const text2 = 'create table t2 (id int not null);\ninsert into t2 values (null);\ncreate index concurrently on users (name);\ninsert into t2 values (1);\nselect zzz from t2;\n';
  findings = await engine.shadowCheck({ currentText: text2 });
  assert.deepEqual(findings.map((f) => [f.sqlstate, text2.slice(f.start, f.end)]), [['23502', 'insert'], ['42703', 'zzz']]);
  const t0 = performance.now();
  findings = await engine.shadowCheck({ currentText: 'alter table users add column if not exists email text;\nselect email from users;\n' });
  const ms = performance.now() - t0;
  assert.deepEqual(findings, []);
  console.log(`# shadow check after a save (real PostgreSQL): ${ms.toFixed(1)} ms`);
  await engine.close();
  cleanup(dir);
});

test('commit refuses current that fails on the shadow: error in current.sql, nothing written, current intact', async () => {
  const name = freshDb(pg, 'badcommit');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  await commitAll(dir, env, ['create table good (id int);\n']);
  const text = '--! Message: broken\n\ncreate table if not exists fine (id int);\nselect missing_col from good;\n';
  write(dir, 'migrations/current.sql', text);
  const r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.ok(r.stderr.includes(`${path.join(fs.realpathSync(dir), 'migrations/current.sql')}:4:8: 42703: column "missing_col" does not exist`), r.stderr);
  assert.deepEqual(committedNames(dir), ['000001-step-1.sql']);
  assert.equal(read(dir, 'migrations/current.sql'), text);
  assert.equal(pg.psql(`select to_regclass('public.fine') is null`, name).trim(), 't');
  cleanup(dir);
});

test('actions run as graphile-migrate runs them: SQL files and commands with GM_* variables', async () => {
  const name = freshDb(pg, 'actions');
  const env = dbEnv(pg, name);
  const dir = makeProject({
    '.gmrc': JSON.stringify({
      beforeAllMigrations: ['before.sql'],
      afterAllMigrations: [{ _: 'command', command: 'echo "$GM_DBNAME|$GM_DBUSER|$DATABASE_URL|${GM_SHADOW:-main}" >> actions.log' }],
      afterCurrent: [{ _: 'command', command: 'echo current >> actions.log', shadow: false }],
    }),
    'migrations/before.sql': "create table if not exists action_log (db text default ':DATABASE_NAME', at timestamptz default now());\ninsert into action_log default values;\n",
  });
  await commitAll(dir, env, ['create table acted (id int);\n']);
  const log = read(dir, 'actions.log').trim().split('\n');
  // As graphile-migrate: the reset shadow had nothing to run (no actions), then the new migration on the shadow, then main.
  assert.deepEqual(log, [`${name}_shadow|postgres|postgres://PLEASE:USE@GM_DBURL/INSTEAD|1`, `${name}|postgres|postgres://PLEASE:USE@GM_DBURL/INSTEAD|main`]);
  assert.equal(pg.psql('select db from action_log', name).trim(), name);
  write(dir, 'migrations/current.sql', 'select 1;\n');
  const r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(read(dir, 'actions.log').trim().split('\n').at(-1), 'current');
  cleanup(dir);
});

test('watch reruns when an included fixture changes', async () => {
  const { MigrationEngine } = core('engine/engine.js');
  const { loadSettings } = core('engine/settings.js');
  const name = freshDb(pg, 'watchfix');
  const dir = makeProject({ '.gmrc': GMRC, 'migrations/fixtures/sub/v.sql': 'create or replace view v as select 1 as a;\n', 'migrations/current.sql': '--!include sub/v.sql\n' });
  const engine = new MigrationEngine(loadSettings({ root: dir, env: { ...process.env, ...dbEnv(pg, name) } }));
  const ac = new AbortController();
  let waiter;
  const next = () => new Promise((r) => (waiter = r));
  const first = next();
  const watching = engine.watch({ signal: ac.signal, onRun: (r) => waiter?.(r) });
  assert.equal((await first).ran, true);
  const p = next();
  write(dir, 'migrations/fixtures/sub/v.sql', 'create or replace view v as select 1 as a, 2 as b;\n');
  assert.equal((await p).ran, true);
  assert.equal(pg.psql('select b from v', name).trim(), '2');
  ac.abort();
  await watching;
  await engine.close();
  cleanup(dir);
});

test('--! no-transaction is honoured in committed migrations and in current.sql', async () => {
  const name = freshDb(pg, 'notx');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  writeCommitted(dir, [
    'create table nt (id int, name text);\n',
    '--! no-transaction\ncreate index concurrently if not exists nt_name on nt (name);\n',
    'create table nt2 (id int);\n',
  ]);
  let r = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(pg.psql(`select count(*) from pg_indexes where indexname = 'nt_name'`, name).trim(), '1');
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', name).trim(), '3');
  write(dir, 'migrations/current.sql', '--! no-transaction\ncreate index concurrently if not exists nt_id on nt (id);\n');
  r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.equal(pg.psql(`select count(*) from pg_indexes where indexname = 'nt_id'`, name).trim(), '1');
  cleanup(dir);
});
