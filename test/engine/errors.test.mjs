// Errors name the right file, line and column, whatever the engine does behind the scenes: a failure inside a batch
// of committed migrations (compared with the real graphile-migrate on the same files), errors PostgreSQL gives
// without a position (pinned to their statement through includes, for migrate, watch, commit and the shadow check),
// on real PostgreSQL and on PGlite; and watch runs a failing current.sql again only when a watched file changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../support/postgres.mjs';
import { makeProject, pgmig, gm, gmCli, dbEnv, freshDb, core, cleanup, writeCommitted } from './helpers.mjs';

let pg;
before(async () => {
  gmCli(2);
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const GMRC = '{}\n';
const write = (dir, rel, text) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

/** The line of `needle` in a committed file (its headers come first). */
function lineOf(dir, file, needle) {
  const lines = fs.readFileSync(path.join(dir, 'migrations/committed', file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i + 1;
}

const applied = (name) => pg.psql(`select filename from graphile_migrate.migrations order by filename`, name).trim().split('\n').filter(Boolean);

const FIVE = (third) => [
  'create table m1 (id int primary key);\n',
  'create table m2 (id int primary key);\ninsert into m2 values (1);\n',
  third,
  'create table m4 (id int primary key);\n',
  'create table m5 (id int primary key);\n',
];

for (const [label, third, needle, sqlstate = '42601'] of [
  ['a syntax error', 'create table m3 (id int primary key);\n\nselect from where;\n', 'select from where'],
  ['an unterminated dollar quote', 'create table m3 (id int primary key);\ncreate function f() returns int language sql as $$ select 1;\n', 'create function f'],
  // PostgreSQL refuses the whole script ("08P01 invalid message format", no position): pgmig names the byte.
  ['a NUL byte', 'create table m3 (id int primary key);\nselect 1;\0\n', 'select 1;\0', '08P01'],
]) {
  test(`migrate, ${label} in the 3rd of 5 pending migrations: the error names 000003 at its line, 000001-000002 applied, as graphile-migrate does`, async () => {
    const ours = freshDb(pg, 'batch');
    const theirs = freshDb(pg, 'batchgm');
    const dir = makeProject({ '.gmrc': GMRC });
    writeCommitted(dir, FIVE(third));
    const r = await pgmig(['migrate'], { cwd: dir, env: dbEnv(pg, ours) });
    assert.equal(r.code, 1, r.out);
    const line = lineOf(dir, '000003.sql', needle);
    assert.match(r.stderr, new RegExp(`000003\\.sql:${line}:\\d+: ${sqlstate}: `), r.out);
    assert.doesNotMatch(r.out, /000001\.sql:|graphile_migrate\.migrations|pgmig\.started|create table m4/, 'no other file, no batch SQL');
    assert.match(r.stdout, /applied 000001\.sql[\s\S]*applied 000002\.sql/);
    assert.deepEqual(applied(ours), ['000001.sql', '000002.sql']);
    assert.equal(pg.psql(`select to_regclass('m3') is null, to_regclass('m4') is null`, ours).trim(), 't|t');

    const g = await gm(2, ['migrate'], { cwd: dir, env: dbEnv(pg, theirs) });
    assert.notEqual(g.code, 0, g.out);
    assert.deepEqual(applied(theirs), applied(ours), 'the same migrations applied as graphile-migrate');

    // The fixed file: the rest applies.
    writeCommitted(dir, FIVE('create table m3 (id int primary key);\n'));
    const again = await pgmig(['migrate'], { cwd: dir, env: dbEnv(pg, ours) });
    assert.equal(again.code, 0, again.out);
    assert.deepEqual(applied(ours), ['000001.sql', '000002.sql', '000003.sql', '000004.sql', '000005.sql']);
    cleanup(dir);
  });
}

test('a batch records each migration\'s own start date and time', async () => {
  const name = freshDb(pg, 'dates');
  const dir = makeProject({ '.gmrc': GMRC });
  writeCommitted(dir, ['create table d1 (id int);\n', 'select pg_sleep(0.15);\n', 'create table d3 (id int);\n', 'select pg_sleep(0.05);\n']);
  const r = await pgmig(['migrate'], { cwd: dir, env: dbEnv(pg, name) });
  assert.equal(r.code, 0, r.out);
  const ms = Object.fromEntries([...r.stdout.matchAll(/applied (\d+\.sql) \((\d+) ms\)/g)].map((m) => [m[1], Number(m[2])]));
  assert.ok(ms['000002.sql'] >= 140, r.stdout);
  assert.ok(ms['000004.sql'] >= 45 && ms['000004.sql'] < ms['000002.sql'], r.stdout);
  assert.ok(ms['000001.sql'] < ms['000002.sql'], r.stdout); // not the batch's average: no fixed bound (a loaded machine is slow)
  // Dates: distinct, in order, 000003 at least 150 ms after 000002.
  const gaps = pg.psql(`select coalesce(round(extract(epoch from date - lag(date) over (order by filename)) * 1000), 0) from graphile_migrate.migrations order by filename`, name).trim().split('\n');
  assert.ok(Number(gaps[2]) >= 140, `gaps ${gaps}`);
  assert.ok(Number(gaps[1]) >= 0 && Number(gaps[3]) >= 0, `gaps ${gaps}`);
  cleanup(dir);
});

test('migrate in the embedded database: a batch error names 000003, 000001-000002 applied', { timeout: 120_000 }, async () => {
  const dir = makeProject({ '.gmrc': GMRC });
  writeCommitted(dir, FIVE('create table m3 (id int primary key);\nselect from where;\n'));
  const env = { DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };
  let r = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, new RegExp(`000003\\.sql:${lineOf(dir, '000003.sql', 'select from where')}:\\d+: 42601: `), r.out);
  r = await pgmig(['status', '--json'], { cwd: dir, env });
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.applied.map((a) => a.filename), ['000001.sql', '000002.sql']);
  // An error without a position, pinned to its statement.
  writeCommitted(dir, FIVE('create table m3 (id int primary key);\nalter table m2 add column x int;\nalter table m2 add column x int;\n'));
  r = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  const line = lineOf(dir, '000003.sql', 'alter table m2') + 1;
  assert.match(r.stderr, new RegExp(`000003\\.sql:${line}:1: 42701: column "x" of relation "m2" already exists`), r.out);
  cleanup(dir);
});

test('errors without a position from PostgreSQL name their statement: migrate, watch through an include, commit', async () => {
  const name = freshDb(pg, 'nopos');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  const body = 'create table t (id int primary key);\n\n-- comment\nalter table t add column a int;\nalter table t\n  add column a int;\n';
  writeCommitted(dir, ['create table base (id int);\n', body]);
  let r = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  const line = lineOf(dir, '000002.sql', 'alter table t') + 1;
  assert.match(r.stderr, new RegExp(`000002\\.sql:${line}:1: 42701: column "a" of relation "t" already exists`), r.out);
  assert.match(r.stderr, new RegExp(`${line} \\| alter table t\\n\\s+\\| \\^`), r.out);
  assert.deepEqual(applied(name), ['000001.sql']);
  assert.equal(pg.psql(`select to_regclass('t') is null`, name).trim(), 't', 'the replay left nothing behind');

  // watch --once: a role that does not exist, in a fixture included by current.sql.
  fs.rmSync(path.join(dir, 'migrations/committed/000002.sql'));
  write(dir, 'migrations/fixtures/grants.sql', 'grant select on base to public;\n\ngrant select on base to no_such_role;\n');
  write(dir, 'migrations/current.sql', 'create table if not exists c (id int);\n--!include grants.sql\n');
  r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /fixtures\/grants\.sql:3:1: 42704: role "no_such_role" does not exist/, r.out);
  assert.equal(pg.psql(`select to_regclass('c') is null`, name).trim(), 't');

  // commit: the error is in current.sql (the shadow ran the new migration), nothing written.
  write(dir, 'migrations/current.sql', 'create table c2 (id int);\nalter table c2 add column id int;\n');
  r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /current\.sql:2:1: 42701: column "id" of relation "c2" already exists/, r.out);
  assert.equal(fs.readdirSync(path.join(dir, 'migrations/committed')).length, 1);
  cleanup(dir);
});

test('a NUL byte in current.sql or a fixture: watch and commit name its file, line and column; nothing committed', async () => {
  const name = freshDb(pg, 'nul');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  write(dir, 'migrations/fixtures/f.sql', 'create table if not exists f (id int);\n\0\n');
  write(dir, 'migrations/current.sql', 'create table if not exists c (id int);\nselect 1;\0\n');
  let r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  // Not PostgreSQL's bare "current.sql: 08P01: invalid message format".
  assert.match(r.stderr, /current\.sql:2:10: 08P01: NUL byte in the text/, r.out);
  assert.match(r.stderr, /2 \| select 1;\\x00\n\s+\| {10}\^/, 'the NUL shown escaped, the caret under it');
  r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /current\.sql:2:10: 08P01: NUL byte in the text/, r.out);
  assert.doesNotMatch(r.out, /000001/, 'no file that was never written is named');
  assert.equal(fs.existsSync(path.join(dir, 'migrations/committed/000001.sql')), false);
  write(dir, 'migrations/current.sql', 'create table if not exists c (id int);\n--!include f.sql\n');
  r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /fixtures\/f\.sql:2:1: 08P01: NUL byte in the text/, r.out);
  assert.equal(pg.psql(`select to_regclass('c') is null`, name).trim(), 't');
  cleanup(dir);
});

test('bytes that are not UTF-8 in current.sql or a fixture: watch and commit refuse at their place; nothing run, nothing committed, current.sql kept byte for byte', async () => {
  const name = freshDb(pg, 'latin1');
  const env = dbEnv(pg, name);
  const dir = makeProject({ '.gmrc': GMRC });
  const latin1 = Buffer.concat([Buffer.from('create table if not exists c (id int);\ninsert into c values (1);\nselect $$caf'), Buffer.from([0xe9]), Buffer.from('$$;\n')]);
  fs.writeFileSync(path.join(dir, 'migrations/current.sql'), latin1);
  let r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /current\.sql:3:13: invalid byte sequence for encoding "UTF8": 0xe9: the file is not UTF-8 here/, r.out);
  assert.equal(pg.psql(`select to_regclass('c') is null`, name).trim(), 't', 'nothing ran');
  r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /current\.sql:3:13: invalid byte sequence for encoding "UTF8": 0xe9/, r.out);
  assert.equal(fs.existsSync(path.join(dir, 'migrations/committed/000001.sql')), false);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'migrations/current.sql')), latin1, 'current.sql as it was');
  // In a fixture, named there.
  write(dir, 'migrations/current.sql', '--!include f.sql\n');
  fs.mkdirSync(path.join(dir, 'migrations/fixtures'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'migrations/fixtures/f.sql'), latin1);
  r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /fixtures\/f\.sql:3:13: invalid byte sequence/, r.out);
  // Valid UTF-8 holding U+FFFD itself is text like any other.
  write(dir, 'migrations/current.sql', 'select $$caf\uFFFD$$;\n');
  r = await pgmig(['watch', '--once'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  cleanup(dir);
});

test('errors of the engine commands show control characters from files escaped: no escape sequence reaches the terminal', async () => {
  const name = freshDb(pg, 'esc');
  const dir = makeProject({ '.gmrc': GMRC, 'migrations/current.sql': "select 1;\nselect '\x1b]0;title\x07\x1b[31mred', 'x'::int;\n" });
  const r = await pgmig(['watch', '--once'], { cwd: dir, env: dbEnv(pg, name) });
  assert.equal(r.code, 1, r.out);
  assert.doesNotMatch(r.out, /[\x1b\x07]/);
  assert.match(r.stderr, /current\.sql:2:30: 22P02: invalid input syntax for type integer: "x"/, r.out);
  // The caret stays under 'x' in the escaped line.
  const shown = String.raw`select '\x1b]0;title\x07\x1b[31mred', 'x'::int;`;
  assert.ok(r.stderr.includes(`2 | ${shown}\n      | ${' '.repeat(shown.indexOf("'x'"))}^`), r.out);
  cleanup(dir);
});

test('the shadow check pins errors without a position to their statement, through includes', async () => {
  const { MigrationEngine } = core('engine/engine.js');
  const { loadSettings } = core('engine/settings.js');
  const name = freshDb(pg, 'checknopos');
  const dir = makeProject({
    '.gmrc': GMRC,
    'migrations/fixtures/cols.sql': 'alter table s add column a int;\n-- again\nalter table s add column a int;\n',
    // A transaction-control statement must not end the check's own transaction (it would commit onto the shadow).
    'migrations/current.sql': 'create table s (id int);\ncommit;\n--!include cols.sql\n',
  });
  const engine = new MigrationEngine(loadSettings({ root: dir, env: { ...process.env, ...dbEnv(pg, name) } }));
  try {
    for (let run = 0; run < 2; run++) {
      const findings = await engine.shadowCheck();
      assert.equal(findings.length, 1, JSON.stringify(findings));
      const f = findings[0];
      assert.equal(f.file, path.join(dir, 'migrations/fixtures/cols.sql'));
      assert.equal(f.sqlstate, '42701');
      assert.equal(f.start, 'alter table s add column a int;\n-- again\n'.length);
    }
  } finally {
    await engine.close();
  }
  cleanup(dir);
});

test('watch runs a failing current.sql again only when a watched file changes', async () => {
  const { MigrationEngine } = core('engine/engine.js');
  const { loadSettings } = core('engine/settings.js');
  const name = freshDb(pg, 'watchfail');
  const dir = makeProject({
    '.gmrc': GMRC,
    'migrations/fixtures/f.sql': 'select 1;\n',
    'migrations/current.sql': '--!include f.sql\nalter table nope add column x int;\n',
  });
  const engine = new MigrationEngine(loadSettings({ root: dir, env: { ...process.env, ...dbEnv(pg, name) } }));
  const ac = new AbortController();
  const results = [];
  const watching = engine.watch({ signal: ac.signal, pollMs: 20, onRun: (r) => results.push(r) });
  const settle = async (n, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (results.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 400)); // 20 polls: none may run it again
  };
  try {
    await settle(1);
    assert.equal(results.length, 1);
    assert.equal(results[0].code, 'sql');
    // A save without an edit (a new modification time) runs it again, as graphile-migrate does on a save.
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(path.join(dir, 'migrations/current.sql'), later, later);
    await settle(2);
    assert.equal(results.length, 2);
    // An unrelated file in the migrations folder does not.
    write(dir, 'migrations/notes.txt', 'x');
    write(dir, 'migrations/.current.sql.swp', 'x');
    await settle(3, 300);
    assert.equal(results.length, 2);
    // An included fixture does.
    write(dir, 'migrations/fixtures/f.sql', 'create table nope (id int);\n');
    await settle(3);
    assert.equal(results.length, 3);
    assert.equal(results[2].ran, true, String(results[2].message));
  } finally {
    ac.abort();
    await watching;
    await engine.close();
  }
  cleanup(dir);
});
