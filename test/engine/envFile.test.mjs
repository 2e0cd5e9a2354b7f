// A dotenv file completes the environment settings are resolved from (issue 10): `<root>/.env` by default, another
// with LoadOptions.envFile / the CLI's global `--env-file`, none with null; the process environment wins, as with
// dotenv; values are never printed. The CLI part runs a starter-like project (test/vscode/fixtures/starter-env: its
// .gmrc takes role names from !ENV, its .env two folders up holds the URLs) on a real PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cleanup, cli, core, makeProject, tempDir } from './helpers.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { setUpStarter } from '../support/starterFixture.mjs';

const { loadSettings, forTarget, environmentOf } = core('engine/settings.js');
const { executeActions } = core('engine/actions.js');
/** No connection variables from the test's own environment. */
const CLEAN_ENV = { PATH: process.env.PATH, HOME: process.env.HOME };

/** `pgmig ARGS` in `cwd` with exactly `env` (a command that fails at once closes its stdin early: no input given). */
function pgmig(args, { cwd, env }) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

test('<root>/.env fills DATABASE_URL and !ENV placeholders; the process environment wins; null reads none', (t) => {
  const dir = makeProject({
    '.gmrc': '{ placeholders: { ":DATABASE_VISITOR": "!ENV", ":APP_NAME": "!ENV" } }',
    '.env': [
      '# comment line',
      'DATABASE_URL="postgres://owner:s3cret@db.example:5433/app"',
      "export DATABASE_VISITOR=app_visitor # trailing comment",
      "APP_NAME='from file'",
      'EMPTY=',
    ].join('\n'),
  });
  t.after(() => cleanup(dir));
  const s = loadSettings({ root: dir, env: CLEAN_ENV });
  assert.deepEqual(s.main, { kind: 'pg', url: 'postgres://owner:s3cret@db.example:5433/app' });
  assert.equal(s.databaseOwner, 'owner');
  assert.deepEqual(s.placeholders, { ':DATABASE_VISITOR': 'app_visitor', ':APP_NAME': 'from file' });
  assert.equal(s.envFile.path, path.join(dir, '.env'));
  assert.deepEqual(Object.keys(s.envFile.variables).sort(), ['APP_NAME', 'DATABASE_URL', 'DATABASE_VISITOR', 'EMPTY']);

  // A variable set in the process environment wins over the file's (dotenv's precedence).
  const won = loadSettings({ root: dir, env: { ...CLEAN_ENV, DATABASE_VISITOR: 'from_process', DATABASE_URL: 'postgres://other@h/db2' } });
  assert.equal(won.placeholders[':DATABASE_VISITOR'], 'from_process');
  assert.equal(won.main.url, 'postgres://other@h/db2');
  assert.equal(environmentOf(won, { X: '1' }).APP_NAME, 'from file');

  // null: no env file at all; the !ENV placeholders then cannot be resolved.
  assert.throws(() => loadSettings({ root: dir, env: CLEAN_ENV, envFile: null }), /Could not find environmental variable 'DATABASE_VISITOR'/);
});

test('an explicit env file must exist; a missing !ENV names the file, never a value', (t) => {
  const dir = makeProject({
    '.gmrc': '{ placeholders: { ":DATABASE_VISITOR": "!ENV" } }',
    'config/dev.env': 'DATABASE_URL=postgres://owner:s3cret@h/app\nDATABASE_VISITOR=v\n',
    'config/partial.env': 'DATABASE_URL=postgres://owner:s3cret@h/app\n',
  });
  t.after(() => cleanup(dir));
  // Relative to the project root; no <root>/.env is read then.
  assert.equal(loadSettings({ root: dir, env: CLEAN_ENV, envFile: 'config/dev.env' }).placeholders[':DATABASE_VISITOR'], 'v');
  assert.throws(() => loadSettings({ root: dir, env: CLEAN_ENV, envFile: 'config/missing.env' }), (e) => {
    assert.equal(e.code, 'config');
    assert.match(e.message, /env file .*config[/\\]missing\.env cannot be read: not found/);
    return true;
  });
  assert.throws(() => loadSettings({ root: dir, env: CLEAN_ENV, envFile: 'config' }), /env file .*config cannot be read: EISDIR/);
  assert.throws(() => loadSettings({ root: dir, env: CLEAN_ENV, envFile: 'config/partial.env' }), (e) => {
    assert.match(e.message, /Could not find environmental variable 'DATABASE_VISITOR' \(nor in .*partial\.env\)/);
    assert.doesNotMatch(e.message, /s3cret/);
    return true;
  });
  // No .env and none named: as before, nothing read.
  fs.mkdirSync(path.join(dir, 'other'));
  assert.equal(loadSettings({ root: makeProject({}, path.join(dir, 'other')), env: CLEAN_ENV }).envFile, undefined);
});

test("pgmig.json targets' urlEnv and action commands see the file's variables", async (t) => {
  const dir = makeProject({
    'pgmig.json': '{ "targets": { "eu": { "urlEnv": "EU_DATABASE_URL" } } }',
    '.env': 'EU_DATABASE_URL=postgres://eu_owner:pw@eu.example/eu\nFROM_DOTENV=hello from .env\n',
  });
  t.after(() => cleanup(dir));
  const s = loadSettings({ root: dir, env: CLEAN_ENV });
  assert.equal(forTarget(s, 'eu').main.url, 'postgres://eu_owner:pw@eu.example/eu');
  assert.equal(loadSettings({ root: dir, env: CLEAN_ENV, target: 'eu' }).databaseOwner, 'eu_owner');
  const out = path.join(dir, 'action-output.txt');
  await executeActions(undefined, {
    settings: s, shadow: false, databaseName: 'x', placeholders: {}, runRootSql: async () => {}, output: () => {},
  }, [{ _: 'command', command: `node -e "require('fs').writeFileSync(process.argv[1], process.env.FROM_DOTENV)" ${JSON.stringify(out)}` }]);
  assert.equal(fs.readFileSync(out, 'utf8'), 'hello from .env');
});

test('CLI --env-file (before or after the command) on a starter-like project and a real PostgreSQL', { timeout: 120_000 }, async (t) => {
  const pg = await startPostgres();
  const work = tempDir('pgmig-envfile-');
  t.after(async () => {
    await pg.stop();
    cleanup(work);
  });
  setUpStarter(pg, work);
  const envPath = path.join(work, '.env');
  const db = path.join(work, '@app', 'db');

  // Without the file (it is two folders up, not beside .gmrc) the placeholders are missing.
  let r = pgmig(['migrate'], { cwd: db, env: CLEAN_ENV });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /Could not find environmental variable 'DATABASE_AUTHENTICATOR' \(placeholder :DATABASE_AUTHENTICATOR is '!ENV' in \.gmrc; no \.env beside it: --env-file PATH reads another\)/);

  r = pgmig(['--env-file', '../../.env', 'migrate'], { cwd: db, env: CLEAN_ENV });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /2 committed migration\(s\) applied/);
  assert.doesNotMatch(r.out, /owner-secret|test-secret-pw/);
  assert.equal(pg.psql("select has_table_privilege('starter_visitor', 'app_public.users', 'select')", 'starter'), 't\n');

  r = pgmig(['status', `--env-file=${envPath}`], { cwd: db, env: CLEAN_ENV });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /starter/);
  assert.doesNotMatch(r.out, /owner-secret|test-secret-pw/);

  // A file beside .gmrc is read without the option.
  fs.copyFileSync(envPath, path.join(db, '.env'));
  r = pgmig(['migrate'], { cwd: db, env: CLEAN_ENV });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /already up to date/);

  // The .env as graphile/starter's `yarn setup` writes it: no DATABASE_URL (its scripts build it from the parts). pgmig
  // stops as graphile-migrate does, and says how to write the line from the parts that are set, without the password.
  const setupEnv = path.join(work, 'setup.env');
  fs.writeFileSync(setupEnv, [
    `ROOT_DATABASE_URL=${pg.url('template1')}`, `DATABASE_HOST=127.0.0.1:${pg.port}`, 'DATABASE_NAME=starter', 'DATABASE_OWNER=starter_owner',
    'DATABASE_OWNER_PASSWORD=owner-secret', 'DATABASE_AUTHENTICATOR=starter_authenticator', 'DATABASE_VISITOR=starter_visitor', '',
  ].join('\n'));
  r = pgmig(['--env-file', setupEnv, 'status'], { cwd: db, env: CLEAN_ENV });
  assert.equal(r.code, 4, r.out);
  assert.match(r.stderr, /ROOT_DATABASE_URL is set, but not DATABASE_URL/);
  assert.match(r.stderr, new RegExp(`add DATABASE_URL=postgres://starter_owner@127\\.0\\.0\\.1:${pg.port}/starter to .*setup\\.env, with DATABASE_OWNER_PASSWORD's value after "starter_owner:"`));
  assert.doesNotMatch(r.out, /owner-secret|test-secret-pw/);

  // A file that does not exist: Node 20 itself looks for `--env-file` among a script's arguments too (nodejs/node#54232)
  // and stops with its own message (exit 9) before pgmig runs; either way the user reads which file is missing.
  r = pgmig(['migrate', '--env-file', 'nope.env'], { cwd: db, env: CLEAN_ENV });
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.stderr, /nope\.env.*not found/);
  r = pgmig(['migrate', '--env-file'], { cwd: db, env: CLEAN_ENV });
  assert.equal(r.code, 2, r.out);
});
