// Nothing lost: `pgmig commit` killed (SIGKILL) right after each of its steps, on real PostgreSQL and on the
// embedded PGlite. Afterwards current.sql is intact or the commit is complete, there is never a half-written
// committed file, and after the next run the database agrees with the files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../support/postgres.mjs';
import { makeProject, pgmig, dbEnv, freshDb, core, cleanup } from './helpers.mjs';

let pg;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const STEPS = ['current-read', 'shadow-reset', 'shadow-migrated', 'shadow-current-ran', 'file-temp-written', 'file-renamed', 'main-migrated', 'current-blanked'];
const CURRENT = '--! Message: second\n\ncreate table if not exists second_table (id int);\ninsert into first_table values (2);\n';

function checkFiles(dir) {
  const { parseCommittedFile, calculateHash, COMMITTED_NAME } = core('graphile/committedFile.js');
  const names = fs.readdirSync(path.join(dir, 'migrations/committed')).filter((f) => COMMITTED_NAME.test(f)).sort();
  for (const f of names) {
    const parsed = parseCommittedFile(fs.readFileSync(path.join(dir, 'migrations/committed', f), 'utf8'));
    assert.deepEqual(parsed.problems, [], `${f} is malformed`);
    assert.equal(calculateHash(parsed.body, parsed.previous), parsed.hash, `${f} is half-written`);
  }
  return names;
}

const EDIT = 'create table if not exists edited_after (id int);\n';
/** Committed files holding `text`. */
const holding = (dir, names, text) => names.filter((f) => fs.readFileSync(path.join(dir, 'migrations/committed', f), 'utf8').includes(text));

/**
 * Kills `pgmig commit` right after `step`; with `edit`, current.sql is then edited (a statement appended) before any
 * other command runs. Whatever the step: status says what the kill left, the next commands finish or undo it, and no
 * SQL is ever committed twice.
 */
async function crashAt(step, kind, { edit = false } = {}) {
  const name = kind === 'pg' ? freshDb(pg, 'crash') : undefined;
  const env = kind === 'pg' ? dbEnv(pg, name) : { DATABASE_URL: '', SHADOW_DATABASE_URL: '' };
  const dir = makeProject({ '.gmrc': '{}\n', 'migrations/current.sql': 'create table if not exists first_table (n int);\n' });
  let r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  fs.writeFileSync(path.join(dir, 'migrations/current.sql'), CURRENT);
  r = await pgmig(['commit'], { cwd: dir, env: { ...env, PGMIG_TEST_SIGKILL_AT: step } });
  assert.equal(r.signal, 'SIGKILL', `commit was not killed at ${step}: ${r.out}`);
  const names = checkFiles(dir);
  const current = fs.readFileSync(path.join(dir, 'migrations/current.sql'), 'utf8');
  const committedNow = names.length === 2;
  if (!committedNow) assert.equal(current, CURRENT, `current.sql lost its text after a kill at ${step}`);
  else assert.ok(current === CURRENT || current === '-- Enter migration here\n', `current.sql is neither intact nor blank after ${step}`);
  if (edit) fs.appendFileSync(path.join(dir, 'migrations/current.sql'), EDIT);

  // status tells what the kill left and what the next command will do.
  r = await pgmig(['status', '--json'], { cwd: dir, env });
  const before = JSON.parse(r.stdout);
  const journaled = ['file-temp-written', 'file-renamed', 'main-migrated'].includes(step);
  assert.equal(!!before.interruptedCommit, journaled, `status after a kill at ${step}: ${r.stdout}`);
  if (journaled) {
    assert.equal(before.interruptedCommit.written, committedNow);
    assert.equal(before.interruptedCommit.currentEdited, edit);
    assert.ok(before.interruptedCommit.next.length > 20);
    r = await pgmig(['status'], { cwd: dir, env });
    assert.match(r.stdout, /interrupted commit of 000002-second\.sql: /);
  }

  // The next run completes or discards: the database agrees with the files.
  r = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  let files = checkFiles(dir);
  r = await pgmig(['status', '--json'], { cwd: dir, env });
  // Exit 0 (up to date) or 2 (current.sql not empty); anything else is a failure whose reason is in the output.
  assert.ok(r.code === 0 || r.code === 2, `status after a kill at ${step} exited ${r.code}: ${r.out}`);
  const status = JSON.parse(r.stdout);
  assert.deepEqual(status.pending, []);
  assert.deepEqual(status.changed, []);
  assert.equal(status.applied.length, files.length);
  const after = fs.readFileSync(path.join(dir, 'migrations/current.sql'), 'utf8');
  if (!edit) {
    if (committedNow) assert.equal(after, '-- Enter migration here\n');
    else assert.equal(after, CURRENT);
  } else assert.ok(after.endsWith(EDIT), 'the edit is kept');

  // Committing again: never the same SQL twice. Where the kill's file is applied and current.sql still holds its
  // statements, commit refuses until the user removes them.
  if (edit || !committedNow) {
    r = await pgmig(['commit'], { cwd: dir, env });
    if (r.code !== 0) {
      assert.match(r.stderr, /interrupted commit wrote and applied 000002-second\.sql; current\.sql was edited since and still holds/, r.out);
      assert.equal(checkFiles(dir).length, files.length, 'a refused commit writes nothing');
      fs.writeFileSync(path.join(dir, 'migrations/current.sql'), EDIT);
      r = await pgmig(['commit'], { cwd: dir, env });
    }
    assert.equal(r.code, 0, r.out);
  }
  files = checkFiles(dir);
  assert.equal(holding(dir, files, 'second_table').length, 1, `second_table committed once after ${step}`);
  if (edit) assert.equal(holding(dir, files, 'edited_after').length, 1, `the edit committed once after ${step}`);
  r = await pgmig(['status', '--json'], { cwd: dir, env });
  const final = JSON.parse(r.stdout);
  assert.equal(final.interruptedCommit, undefined);
  assert.deepEqual(final.pending, []);
  assert.equal(final.applied.length, files.length);
  if (kind === 'pg') assert.equal(pg.psql('select count(*) from first_table where n = 2', name).trim(), '1');
  cleanup(dir);
  return committedNow ? 'committed' : 'intact';
}

// Each round kills commit after every step with current.sql left alone, and after the last four with current.sql
// edited after the kill: 12 kills per round and database; raise it locally for a longer soak.
const KILL_ROUNDS = 1;

for (const kind of ['pg', 'pglite']) {
  test(`commit killed at each step (${kind === 'pg' ? 'real PostgreSQL' : 'embedded PGlite'}): current intact or committed completely, status tells, never committed twice`, { timeout: 900_000 }, async () => {
    for (let round = 0; round < KILL_ROUNDS; round++) {
      const expected = {
        'current-read': 'intact',
        'shadow-reset': 'intact',
        'shadow-migrated': 'intact',
        'shadow-current-ran': 'intact',
        'file-temp-written': 'intact',
        'file-renamed': 'committed',
        'main-migrated': 'committed',
        'current-blanked': 'committed',
      };
      const outcomes = {};
      for (const step of STEPS) outcomes[step] = await crashAt(step, kind);
      assert.deepEqual(outcomes, expected);
      // Edited after the kill: the steps from the temp file on (before it, an edit is just an edit).
      for (const step of STEPS.slice(STEPS.indexOf('file-temp-written'))) assert.equal(await crashAt(step, kind, { edit: true }), expected[step]);
    }
  });
}

test('an SQL error in a committed migration names file:line:column; the database is unchanged', async () => {
  const name = freshDb(pg, 'migerr');
  const dir = makeProject({ '.gmrc': '{}\n' });
  const { formatCommittedFile } = core('graphile/committedFile.js');
  const first = formatCommittedFile({ body: 'create table ok_table (id int);\n', previousHash: null });
  const second = formatCommittedFile({ body: '-- :DATABASE_NAME is substituted before running\ncreate table bad_table (id int);\ninsert into bad_table values (:DATABASE_NAME);\n', previousHash: first.hash });
  fs.mkdirSync(path.join(dir, 'migrations/committed'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'migrations/committed/000001.sql'), first.text);
  fs.writeFileSync(path.join(dir, 'migrations/committed/000002-bad.sql'), second.text);
  const r = await pgmig(['migrate'], { cwd: dir, env: dbEnv(pg, name) });
  assert.equal(r.code, 1, r.out);
  // The substituted database name shifts positions; the error still points at the placeholder in the file.
  assert.ok(r.stderr.includes(`${path.join(dir, 'migrations/committed/000002-bad.sql')}:6:31: 42703: column "${name}" does not exist`), r.stderr);
  assert.match(r.stderr, /6 \| insert into bad_table values \(:DATABASE_NAME\);\n\s+\|\s{31}\^/);
  assert.equal(pg.psql(`select to_regclass('public.bad_table') is null, to_regclass('public.ok_table') is not null`, name).trim(), 't|t');
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', name).trim(), '1');
  cleanup(dir);
});

test('a commit interrupted after writing its file: another target does not apply that file until the commit is finished or undone', async () => {
  const main = freshDb(pg, 'crashmain');
  const staging = freshDb(pg, 'crashstg');
  const env = { ...dbEnv(pg, main), STAGING_URL: pg.url(staging) };
  const dir = makeProject({ '.gmrc': '{}\n', 'pgmig.json': '{ targets: { staging: { urlEnv: "STAGING_URL" } } }', 'migrations/current.sql': 'create table if not exists first_table (n int);\n' });
  let r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  fs.writeFileSync(path.join(dir, 'migrations/current.sql'), CURRENT);
  r = await pgmig(['commit'], { cwd: dir, env: { ...env, PGMIG_TEST_SIGKILL_AT: 'file-renamed' } });
  assert.equal(r.signal, 'SIGKILL', r.out);
  // staging: 000002 is held back (the default database's next command may undo it and commit other text as 000002).
  r = await pgmig(['migrate', '--target', 'staging'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /000002-second\.sql not applied: a commit on the default database wrote it and was interrupted/);
  assert.match(r.stdout, /1 committed migration\(s\) applied; 000002-second\.sql held back \(above\)/);
  r = await pgmig(['migrate', '--target', 'staging'], { cwd: dir, env });
  assert.match(r.stdout, /nothing applied; 000002-second\.sql held back \(above\)/);
  assert.doesNotMatch(r.stdout, /up to date/, 'not "up to date" while a migration is held back');
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', staging).trim(), '1');
  r = await pgmig(['commit', '--target', 'staging'], { cwd: dir, env });
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /commit refused, current\.sql kept: 000002-second\.sql is not finished/);
  // The default database undoes it (current.sql edited since), the edit is committed as 000002 with other text.
  fs.appendFileSync(path.join(dir, 'migrations/current.sql'), EDIT);
  r = await pgmig(['commit'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /undid an interrupted commit of 000002-second\.sql/);
  // staging gets the committed text, and nothing differs from the files.
  r = await pgmig(['migrate', '--target', 'staging'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  r = await pgmig(['status', '--json', '--target', 'staging'], { cwd: dir, env });
  const status = JSON.parse(r.stdout);
  assert.deepEqual(status.changed, []);
  assert.deepEqual(status.pending, []);
  assert.equal(pg.psql(`select to_regclass('edited_after') is not null`, staging).trim(), 't');
  cleanup(dir);
});
