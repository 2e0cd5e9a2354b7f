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

async function crashAt(step, kind) {
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
  // The next run completes or discards: the database agrees with the files.
  r = await pgmig(['migrate'], { cwd: dir, env });
  assert.equal(r.code, 0, r.out);
  r = await pgmig(['status', '--json'], { cwd: dir, env });
  // Exit 0 (up to date) or 2 (current.sql not empty); anything else is a failure whose reason is in the output.
  assert.ok(r.code === 0 || r.code === 2, `status after a kill at ${step} exited ${r.code}: ${r.out}`);
  const status = JSON.parse(r.stdout);
  assert.deepEqual(status.pending, []);
  assert.deepEqual(status.changed, []);
  assert.equal(status.applied.length, names.length);
  const after = fs.readFileSync(path.join(dir, 'migrations/current.sql'), 'utf8');
  if (committedNow) assert.equal(after, '-- Enter migration here\n');
  else assert.equal(after, CURRENT);
  // And committing again (if the kill lost the commit) succeeds.
  if (!committedNow) {
    r = await pgmig(['commit'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.equal(checkFiles(dir).length, 2);
  }
  if (kind === 'pg') assert.equal(pg.psql('select count(*) from first_table where n = 2', name).trim(), '1');
  cleanup(dir);
  return committedNow ? 'committed' : 'intact';
}

for (const kind of ['pg', 'pglite']) {
  test(`commit killed at each step (${kind === 'pg' ? 'real PostgreSQL' : 'embedded PGlite'}): current intact or committed completely`, { timeout: 600_000 }, async () => {
    const outcomes = {};
    for (const step of STEPS) outcomes[step] = await crashAt(step, kind);
    assert.deepEqual(outcomes, {
      'current-read': 'intact',
      'shadow-reset': 'intact',
      'shadow-migrated': 'intact',
      'shadow-current-ran': 'intact',
      'file-temp-written': 'intact',
      'file-renamed': 'committed',
      'main-migrated': 'committed',
      'current-blanked': 'committed',
    });
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
