// Every reset of a database runs `.gmrc`'s beforeReset / afterReset actions as graphile-migrate's reset does: the
// shadow resets of commit, `reset --shadow` and the shadow check as much as `reset`. The project is shaped like
// graphile/starter (a non-superuser owner, `!afterReset.sql` run as root creating citext and granting to a role
// named by an `!ENV` placeholder, a pgSettings search_path, command actions) and compared with the real
// graphile-migrate on a copy of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../support/postgres.mjs';
import { makeProject, pgmig, gm, gmCli, core, cleanup } from './helpers.mjs';

let pg;
before(async () => {
  gmCli(2);
  pg = await startPostgres();
  pg.psql(`create role app_owner login password 'owner-pw'; create role app_authenticator login password 'auth-pw' noinherit;`);
});
after(async () => {
  await pg?.stop();
});

const GMRC = JSON.stringify(
  {
    pgSettings: { search_path: 'app_public,public' },
    placeholders: { ':DATABASE_AUTHENTICATOR': '!ENV' },
    beforeReset: [{ _: 'command', command: 'node log.js beforeReset' }],
    afterReset: ['!afterReset.sql', { _: 'command', command: 'node log.js afterReset' }, { _: 'command', root: true, command: 'node log.js afterReset-root' }],
  },
  null,
  2,
);
const AFTER_RESET = `BEGIN;
GRANT CONNECT ON DATABASE :DATABASE_NAME TO :DATABASE_OWNER;
GRANT CONNECT ON DATABASE :DATABASE_NAME TO :DATABASE_AUTHENTICATOR;
GRANT ALL ON DATABASE :DATABASE_NAME TO :DATABASE_OWNER;
ALTER SCHEMA public OWNER TO :DATABASE_OWNER;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
CREATE SCHEMA IF NOT EXISTS app_public AUTHORIZATION :DATABASE_OWNER;
CREATE TABLE public.reset_seen AS SELECT current_setting('search_path') AS search_path, current_user AS who;
COMMIT;
`;
// What each command action saw (no password: the URL's user only).
const LOG_JS = `const u = process.env.GM_DBURL ? new URL(process.env.GM_DBURL) : undefined;
require('fs').appendFileSync('actions.log', [process.argv[2], process.env.GM_DBNAME, process.env.GM_SHADOW || '-', process.env.GM_DBUSER || '-', u ? u.username + '@' + u.pathname.slice(1) : '-'].join(' ') + '\\n');
`;

function project() {
  return makeProject({
    '.gmrc': GMRC,
    'log.js': LOG_JS,
    'migrations/afterReset.sql': AFTER_RESET,
    'migrations/current.sql': '-- users, with a citext email, in app_public (pgSettings search_path)\ncreate table users (id int primary key, email citext not null unique);\n',
  });
}

let n = 0;
function databases() {
  const name = `starter_${process.pid}_${++n}`;
  pg.psql(`create database ${name} owner app_owner`);
  pg.psql(`create database ${name}_shadow owner app_owner`);
  const owner = { user: 'app_owner', password: 'owner-pw' };
  return {
    name,
    env: {
      DATABASE_URL: pg.url(name, owner),
      SHADOW_DATABASE_URL: pg.url(`${name}_shadow`, owner),
      ROOT_DATABASE_URL: pg.url('template1'),
      DATABASE_AUTHENTICATOR: 'app_authenticator',
    },
  };
}

const log = (dir, name) => fs.readFileSync(path.join(dir, 'actions.log'), 'utf8').replaceAll(name, 'DB');

test('commit and reset --shadow run beforeReset / afterReset on the shadow as graphile-migrate does (graphile/starter shape)', async () => {
  const ours = project();
  const theirs = project();
  const a = databases();
  const b = databases();

  // As graphile/starter's setup does: reset the main database first (afterReset makes citext there).
  let r = await pgmig(['reset', '--erase'], { cwd: ours, env: a.env });
  assert.equal(r.code, 0, r.out);
  const g0 = await gm(2, ['reset', '--erase'], { cwd: theirs, env: b.env });
  assert.equal(g0.code, 0, g0.out);
  assert.equal(log(ours, a.name), log(theirs, b.name));
  assert.match(log(ours, a.name), /^afterReset-root DB - - postgres@DB$/m);
  fs.rmSync(path.join(ours, 'actions.log'));
  fs.rmSync(path.join(theirs, 'actions.log'));

  r = await pgmig(['commit', '-m', 'users'], { cwd: ours, env: a.env });
  assert.equal(r.code, 0, r.out);
  const g = await gm(2, ['commit', '--message', 'users'], { cwd: theirs, env: b.env });
  assert.equal(g.code, 0, g.out);
  assert.deepEqual(fs.readdirSync(path.join(ours, 'migrations/committed')), fs.readdirSync(path.join(theirs, 'migrations/committed')));
  assert.equal(log(ours, a.name), log(theirs, b.name));
  assert.equal(
    log(ours, a.name),
    ['beforeReset DB_shadow 1 app_owner app_owner@DB_shadow', 'afterReset DB_shadow 1 app_owner app_owner@DB_shadow', 'afterReset-root DB_shadow 1 - postgres@DB_shadow', ''].join('\n'),
  );
  // afterReset.sql ran as root, with the placeholders and pgSettings of the shadow.
  assert.equal(pg.psql('select search_path, who from reset_seen', `${a.name}_shadow`).trim(), 'app_public,public|postgres');
  assert.equal(pg.psql(`select has_database_privilege('app_authenticator', '${a.name}_shadow', 'connect')`, `${a.name}_shadow`).trim(), 't');
  assert.equal(pg.psql(`select to_regclass('app_public.users') is not null`, `${a.name}_shadow`).trim(), 't');

  fs.rmSync(path.join(ours, 'actions.log'));
  fs.rmSync(path.join(theirs, 'actions.log'));
  r = await pgmig(['reset', '--shadow', '--erase'], { cwd: ours, env: a.env });
  assert.equal(r.code, 0, r.out);
  const g2 = await gm(2, ['reset', '--shadow', '--erase'], { cwd: theirs, env: b.env });
  assert.equal(g2.code, 0, g2.out);
  assert.equal(log(ours, a.name), log(theirs, b.name));
  assert.equal(pg.psql(`select to_regclass('app_public.users') is not null`, `${a.name}_shadow`).trim(), 't');
  cleanup(ours);
  cleanup(theirs);
});

test('the shadow check resets its shadow with the afterReset actions', async () => {
  const { MigrationEngine } = core('engine/engine.js');
  const { loadSettings } = core('engine/settings.js');
  const dir = project();
  const a = databases();
  fs.writeFileSync(path.join(dir, 'migrations/current.sql'), 'create table t (e citext);\ncreate table t (e citext);\n');
  const engine = new MigrationEngine(loadSettings({ root: dir, env: { ...process.env, ...a.env } }));
  try {
    const findings = await engine.shadowCheck();
    assert.deepEqual(findings.map((f) => f.message), ['relation "t" already exists (SQLSTATE 42P07)']);
    assert.match(fs.readFileSync(path.join(dir, 'actions.log'), 'utf8'), /^afterReset-root \S+_shadow 1 - postgres@/m);
  } finally {
    await engine.close();
  }
  cleanup(dir);
});

test('the embedded database: reset and commit run afterReset on the main database and on the shadow', { timeout: 120_000 }, async () => {
  const dir = makeProject({
    '.gmrc': JSON.stringify({ afterReset: ['!afterReset.sql'] }),
    'migrations/afterReset.sql': 'create schema if not exists app_public;\n',
    'migrations/current.sql': 'create table app_public.things (id int primary key);\n',
  });
  const env = { DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };
  let r = await pgmig(['reset', '--erase'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  r = await pgmig(['commit', '-m', 'things'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  r = await pgmig(['status', '--json'], { cwd: dir, env });
  assert.deepEqual(JSON.parse(r.stdout).applied.map((x) => x.filename), ['000001.sql']);
  cleanup(dir);
});
