// What the migration commands tell a user at the edges: settings errors named by their source, connection settings
// without a main database, a protected target, `status` when the database cannot be read (exit 4, a JSON error), a
// commit the database refuses, `.gmrc.js`, and the live progress line (on a terminal only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres, SUPERUSER_PASSWORD } from '../support/postgres.mjs';
import { makeProject, pgmig, dbEnv, freshDb, core, cleanup, cli, writeCommitted } from './helpers.mjs';

let pg;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const NO_DB = { DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };

test('settings errors name their source: .gmrc, the environment, pgmig.json', () => {
  const { loadSettings } = core('engine/settings.js');
  const dir = makeProject({
    '.gmrc': '{ unknownKey: 1, placeholders: { ":ROLE": "!ENV" } }',
    'pgmig.json': '{ engine: { nope: true } }',
  });
  let message = '';
  try {
    loadSettings({ root: dir, env: { DATABASE_URL: 'postgres://u@h/db' } });
  } catch (e) {
    message = e.message;
  }
  assert.match(message, new RegExp(`${path.join(dir, '.gmrc').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: The following config settings were not understood: 'unknownKey'`));
  assert.match(message, /environment: Could not find environmental variable 'ROLE'/);
  assert.match(message, /pgmig\.json: engine\.nope: unknown setting/);
  assert.doesNotMatch(message, /\.gmrc[^|]*ROLE/, 'the missing variable is not blamed on .gmrc');
  cleanup(dir);
});

test('SHADOW_DATABASE_URL without DATABASE_URL stops with a message, as graphile-migrate does; nothing is created', async () => {
  const dir = makeProject({ '.gmrc': '{}\n' });
  const env = { ...NO_DB, SHADOW_DATABASE_URL: pg.url('whatever_shadow') };
  let r = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /SHADOW_DATABASE_URL is set, but not DATABASE_URL .*does not fall back to the embedded database/);
  r = await pgmig(['status', '--json'], { cwd: dir, env });
  assert.equal(r.code, 4, r.out);
  assert.equal(JSON.parse(r.stdout).error.code, 'config');
  assert.equal(fs.existsSync(path.join(dir, '.pgmig/db')), false);
  cleanup(dir);
});

test('a connection string that is not a URL is named as such, never "cannot connect to postgres://base/..."; its value is not echoed', async () => {
  const dir = makeProject({ '.gmrc': '{}\n' });
  for (const [variable, value] of [['DATABASE_URL', 'notaurl'], ['SHADOW_DATABASE_URL', 'host=localhost password=hunter2secret']]) {
    const env = { ...NO_DB, DATABASE_URL: pg.url('whatever'), [variable]: value };
    const r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 4, r.out);
    assert.match(r.stderr, new RegExp(`environment: ${variable} is not a connection URL: expected one such as postgres://user@host:5432/database`));
    assert.doesNotMatch(r.out, /postgres:\/\/base|hunter2secret|Could not determine the database name/);
  }
  const r = await pgmig(['status'], { cwd: makeProject({ '.gmrc': '{ connectionString: "mydb" }\n' }), env: NO_DB });
  assert.match(r.stderr, /\.gmrc: Setting 'connectionString' is not a connection URL/);
  cleanup(dir);
});

test('reset --erase refuses a target marked protected in pgmig.json', async () => {
  const name = freshDb(pg, 'prod');
  pg.psql('create table keep_me (id int)', name);
  const dir = makeProject({ '.gmrc': '{}\n', 'pgmig.json': '{ targets: { production: { urlEnv: "PROD_URL", protected: true } } }' });
  const r = await pgmig(['reset', '--erase', '--target', 'production'], { cwd: dir, env: { ...dbEnv(pg, name), PROD_URL: pg.url(name) } });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /target 'production' is protected \(pgmig\.json\): reset --erase will not drop its database/);
  assert.equal(pg.psql(`select to_regclass('keep_me') is not null`, name).trim(), 't');
  cleanup(dir);
});

test('a protected target\'s database is not dropped when reached another way: as the default database, or as the shadow a commit resets', async () => {
  const name = freshDb(pg, 'prodalias');
  pg.psql('create table keep_me (id int)', name);
  const dir = makeProject({ '.gmrc': '{}\n', 'pgmig.json': '{ targets: { production: { urlEnv: "PROD_URL", protected: true } } }', 'migrations/current.sql': 'create table t (id int);\n' });
  // The same database, spelled with localhost instead of 127.0.0.1.
  const prodUrl = pg.url(name).replace('127.0.0.1', 'localhost');
  let r = await pgmig(['reset', '--erase'], { cwd: dir, env: { ...dbEnv(pg, name), PROD_URL: prodUrl } });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, new RegExp(`'${name}' is the database of target 'production', which is protected \\(pgmig\\.json\\): pgmig will not drop it`));
  const other = freshDb(pg, 'dev');
  r = await pgmig(['commit'], { cwd: dir, env: { ...dbEnv(pg, other), SHADOW_DATABASE_URL: pg.url(name), PROD_URL: prodUrl } });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /is the database of target 'production', which is protected/);
  assert.equal(pg.psql(`select to_regclass('keep_me') is not null`, name).trim(), 't');
  assert.equal(fs.existsSync(path.join(dir, 'migrations/committed/000001.sql')), false);
  cleanup(dir);
});

test('status when the database cannot be read: exit 4, an error object with --json, no password', async () => {
  const dir = makeProject({ '.gmrc': '{}\n' });
  const env = { ...NO_DB, DATABASE_URL: pg.url('postgres', { password: 'wrong-' + SUPERUSER_PASSWORD }) };
  let r = await pgmig(['status', '--json'], { cwd: dir, env });
  assert.equal(r.code, 4, r.out);
  const report = JSON.parse(r.stdout);
  assert.equal(report.error.code, 'connect');
  assert.ok(report.error.message.length > 10);
  assert.ok(!r.out.includes(SUPERUSER_PASSWORD), 'no password in the output');
  r = await pgmig(['status'], { cwd: dir, env });
  assert.equal(r.code, 4, r.out);
  assert.match(r.stderr, /^pgmig: /m);
  cleanup(dir);
});

test('a commit the database refuses is aborted: nothing committed, current.sql kept and named, no deleted file named', async () => {
  const name = freshDb(pg, 'abort');
  pg.psql('create table clash (id int)', name); // only in the main database: the shadow accepts the commit
  const dir = makeProject({ '.gmrc': '{}\n', 'migrations/current.sql': '-- clash\ncreate table clash (id int);\n' });
  const r = await pgmig(['commit', '-m', 'clash'], { cwd: dir, env: dbEnv(pg, name) });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /commit aborted, nothing committed, current\.sql kept: .*current\.sql:2:1: 42P07: relation "clash" already exists/);
  assert.doesNotMatch(r.stderr, /000001/);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'migrations/committed')).filter((f) => !f.startsWith('.')), []);
  assert.equal(fs.readFileSync(path.join(dir, 'migrations/current.sql'), 'utf8'), '-- clash\ncreate table clash (id int);\n');
  assert.equal(fs.existsSync(path.join(dir, '.pgmig/commit.json')), false);
  cleanup(dir);
});

test('.gmrc.js is read by the command line as graphile-migrate reads it; the editor says it does not run it', async () => {
  const dir = makeProject({ '.gmrc.js': 'module.exports = { placeholders: { ":GREETING": "hello" }, notASetting: 1 };\n' });
  const r = await pgmig(['status', '--skip-database'], { cwd: dir, env: NO_DB });
  assert.equal(r.code, 4, r.out);
  assert.match(r.stderr, /\.gmrc\.js: The following config settings were not understood: 'notASetting'/);
  const { loadSettings } = core('engine/settings.js');
  assert.throws(() => loadSettings({ root: dir, env: NO_DB }), /\.gmrc\.js is code; pgmig only runs it from the command line/);
  fs.writeFileSync(path.join(dir, '.gmrc.js'), 'module.exports = { placeholders: { ":GREETING": "hello" } };\n');
  assert.equal(loadSettings({ root: dir, env: NO_DB, allowJsConfig: true }).placeholders[':GREETING'], 'hello');
  cleanup(dir);
});

test('pgmig lint reads .gmrc.js as text, never running it: a literal migrationsFolder and the placeholder names; a computed folder is a note', async () => {
  const dir = makeProject({
    '.gmrc.js': "require('fs').writeFileSync(__dirname + '/ran', '');\nmodule.exports = {\n  connectionString: process.env.DATABASE_URL,\n  migrationsFolder: './db',\n  placeholders: { ':APP_USER': process.env.APP_USER },\n};\n",
    'db/current.sql': 'create table if not exists a (id int);\nalter table a enable row level security;\ngrant select on a to :APP_USER;\nselect from where;\n',
  });
  let r = await pgmig(['lint', '--format', 'json'], { cwd: dir, env: NO_DB });
  assert.equal(r.code, 1, r.out);
  // db/current.sql is linted (it used to be "no problems found"), and :APP_USER is a known placeholder.
  assert.deepEqual(JSON.parse(r.stdout).map((f) => `${f.file}:${f.line} ${f.rule}`).filter((f) => !/rls-without-policy/.test(f)), ['db/current.sql:4 syntax-error']);
  assert.equal(r.stderr, '');
  assert.equal(fs.existsSync(path.join(dir, 'ran')), false, 'lint never runs project code');
  // A folder computed by code cannot be known without running it: lint says so.
  fs.writeFileSync(path.join(dir, '.gmrc.js'), "const path = require('path');\nmodule.exports = { migrationsFolder: path.join(__dirname, 'db') };\n");
  r = await pgmig(['lint'], { cwd: dir, env: NO_DB });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stderr, /^pgmig: note: \.gmrc\.js: migrationsFolder is set with code here, and the analysis never runs project code: it looks in the default folder, migrations\/, instead/);
  cleanup(dir);
});

test('migrate shows a live progress line on a terminal, and none in CI or into a pipe', async () => {
  const name = freshDb(pg, 'progress');
  const dir = makeProject({ '.gmrc': '{}\n' });
  writeCommitted(dir, Array.from({ length: 30 }, (_, i) => `create table p${i} (id int);\nselect pg_sleep(0.01);\n`));
  const env = { ...process.env, ...dbEnv(pg, name), NO_COLOR: '1', CI: '' };
  // `script` gives the command a terminal.
  const onTerminal = spawnSync('script', ['-qec', `${process.execPath} ${cli} migrate`, '/dev/null'], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(onTerminal.status, 0, onTerminal.stdout + onTerminal.stderr);
  assert.match(onTerminal.stdout, /\r\x1b\[K\[\d+\/30\] applying 0000\d\d\.sql\.\.\./);
  assert.match(onTerminal.stdout, /30 committed migration\(s\) applied/);
  const name2 = freshDb(pg, 'progress');
  const inCi = spawnSync('script', ['-qec', `${process.execPath} ${cli} migrate`, '/dev/null'], { cwd: dir, env: { ...env, ...dbEnv(pg, name2), CI: 'true' }, encoding: 'utf8' });
  assert.equal(inCi.status, 0, inCi.stdout);
  assert.doesNotMatch(inCi.stdout, /\x1b\[K/);
  const name3 = freshDb(pg, 'progress');
  const piped = await pgmig(['migrate'], { cwd: dir, env: dbEnv(pg, name3) });
  assert.equal(piped.code, 0, piped.out);
  assert.doesNotMatch(piped.out, /\x1b\[K|applying/);
  cleanup(dir);
});

test('reset on PostgreSQL without a root connection says which setting is missing, not only "connection refused"', async () => {
  const name = freshDb(pg, 'noroot');
  const dir = makeProject({ '.gmrc': '{}\n' });
  // No ROOT_DATABASE_URL: graphile-migrate's default postgres:///template1 (a local socket no server listens on here).
  const env = { ...dbEnv(pg, name), ROOT_DATABASE_URL: '', PGHOST: path.join(dir, 'no-server-here') };
  const r = await pgmig(['reset', '--erase'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /cannot connect to/);
  assert.match(r.stderr, /ROOT_DATABASE_URL \(environment or \.env\) or rootConnectionString in \.gmrc; postgres:\/\/\/template1, graphile-migrate's default, was tried/);
  assert.doesNotMatch(r.stderr, new RegExp(SUPERUSER_PASSWORD));
  cleanup(dir);
});
