// Compatibility with the real graphile-migrate, both directions, with 1.4.1 (no includes) and 2.0.0-rc.3
// (includes): committed files byte-identical, each accepts the other's projects and databases, watch's
// graphile_migrate.current bookkeeping shared, uncommit identical.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../support/postgres.mjs';
import { makeProject, pgmig, gm, gmCli, dbEnv, freshDb, core, cleanup } from './helpers.mjs';

let pg;
before(async () => {
  gmCli(1);
  gmCli(2);
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const read = (dir, rel) => fs.readFileSync(path.join(dir, rel), 'utf8');
const write = (dir, rel, text) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};
const committed = (dir) => {
  const d = path.join(dir, 'migrations/committed');
  return fs.existsSync(d) ? Object.fromEntries(fs.readdirSync(d).sort().map((f) => [f, fs.readFileSync(path.join(d, f), 'utf8')])) : {};
};

const FIXTURE = 'create or replace function app_user_id() returns int language sql stable as $$\n  select nullif(current_setting(\'app.user_id\', true), \'\')::int\n$$;\n';
/** A series of current.sql texts, with headers, messages, placeholders and (for 2.x) includes. */
function currents(withIncludes) {
  return [
    '--! Message: create users\n\ncreate table if not exists users (\n  id serial primary key,\n  name text not null\n);\n\n\n',
    (withIncludes ? '--!include functions/app_user_id.sql\n' : FIXTURE) + 'comment on table users is \'owner :DATABASE_OWNER\';\n',
    '-- no message, trailing spaces   \nalter table users add column if not exists email text;   \n',
    '--! Message: Ünïcode & punctuation!! (v2)\n--! AllowInvalidHash\n\ncreate index if not exists users_email on users (email);\n',
  ].map((t, i) => (i === 3 ? t.replace('--! AllowInvalidHash\n', '') : t));
}

for (const major of [1, 2]) {
  const withIncludes = major === 2;
  const fixtures = withIncludes ? { 'migrations/fixtures/functions/app_user_id.sql': FIXTURE } : {};

  test(`graphile-migrate ${major === 1 ? '1.4.1' : '2.0.0-rc.3'}: pgmig commit writes byte-identical files; each accepts the other's databases`, async () => {
    const a = freshDb(pg, `gm${major}a`);
    const b = freshDb(pg, `gm${major}b`);
    const envA = dbEnv(pg, a);
    const envB = dbEnv(pg, b);
    const gmDir = makeProject({ '.gmrc': '{}\n', ...fixtures });
    const pgmigDir = makeProject({ '.gmrc': '{}\n', ...fixtures });
    for (const text of currents(withIncludes)) {
      write(gmDir, 'migrations/current.sql', text);
      write(pgmigDir, 'migrations/current.sql', text);
      const g = await gm(major, ['commit'], { cwd: gmDir, env: envA });
      assert.equal(g.code, 0, g.out);
      const p = await pgmig(['commit'], { cwd: pgmigDir, env: envB });
      assert.equal(p.code, 0, p.out);
      assert.equal(read(pgmigDir, 'migrations/current.sql'), read(gmDir, 'migrations/current.sql'));
    }
    assert.deepEqual(committed(pgmigDir), committed(gmDir));
    assert.equal(Object.keys(committed(gmDir)).length, 4);
    if (withIncludes) assert.match(Object.values(committed(gmDir))[1], /^--! Included functions\/app_user_id\.sql$/m);
    for (const f of Object.keys(committed(gmDir))) {
      assert.equal(fs.statSync(path.join(pgmigDir, 'migrations/committed', f)).mode & 0o777, 0o440);
    }
    // The database graphile-migrate migrated is up to date for pgmig, and the other way round.
    let r = await pgmig(['status'], { cwd: gmDir, env: envA });
    assert.equal(r.code, 0, r.out);
    r = await gm(major, ['status'], { cwd: pgmigDir, env: envB });
    assert.equal(r.code, 0, r.out);
    // Fresh databases: graphile-migrate migrates pgmig's project, pgmig migrates graphile-migrate's.
    const c = freshDb(pg, `gm${major}c`);
    const d = freshDb(pg, `gm${major}d`);
    r = await gm(major, ['migrate'], { cwd: pgmigDir, env: dbEnv(pg, c) });
    assert.equal(r.code, 0, r.out);
    r = await pgmig(['migrate'], { cwd: gmDir, env: dbEnv(pg, d) });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /4 committed migration\(s\) applied/, r.out);
    assert.equal(
      pg.psql('select string_agg(hash || filename, \',\' order by filename) from graphile_migrate.migrations', c),
      pg.psql('select string_agg(hash || filename, \',\' order by filename) from graphile_migrate.migrations', d),
    );
    r = await pgmig(['status'], { cwd: pgmigDir, env: dbEnv(pg, c) });
    assert.equal(r.code, 0, r.out);
    r = await gm(major, ['status'], { cwd: gmDir, env: dbEnv(pg, d) });
    assert.equal(r.code, 0, r.out);
    // Half by one, half by the other: graphile-migrate applies two, pgmig the rest.
    const e = freshDb(pg, `gm${major}e`);
    const firstTwo = makeProject({ '.gmrc': '{}\n', ...fixtures });
    fs.mkdirSync(path.join(firstTwo, 'migrations/committed'), { recursive: true });
    for (const [f, text] of Object.entries(committed(gmDir)).slice(0, 2)) write(firstTwo, `migrations/committed/${f}`, text);
    r = await gm(major, ['migrate'], { cwd: firstTwo, env: dbEnv(pg, e) });
    assert.equal(r.code, 0, r.out);
    r = await pgmig(['status', '--json'], { cwd: pgmigDir, env: dbEnv(pg, e) });
    assert.equal(r.code, 1, r.out);
    assert.equal(JSON.parse(r.stdout).pending.length, 2);
    r = await pgmig(['migrate'], { cwd: pgmigDir, env: dbEnv(pg, e) });
    assert.equal(r.code, 0, r.out);
    r = await gm(major, ['status'], { cwd: gmDir, env: dbEnv(pg, e) });
    assert.equal(r.code, 0, r.out);
    for (const dir of [gmDir, pgmigDir, firstTwo]) cleanup(dir);
  });

  test(`graphile-migrate ${major === 1 ? '1.4.1' : '2.0.0-rc.3'}: uncommit gives the same current as graphile-migrate's; watch bookkeeping is shared`, async () => {
    const a = freshDb(pg, `un${major}a`);
    const b = freshDb(pg, `un${major}b`);
    const gmDir = makeProject({ '.gmrc': '{}\n', ...fixtures });
    const pgmigDir = makeProject({ '.gmrc': '{}\n', ...fixtures });
    const text = currents(withIncludes)[1].replace(/^/, '--! Message: with function\n\ncreate table if not exists users (id int);\n');
    for (const [dir, env, tool] of [[gmDir, dbEnv(pg, a), 'gm'], [pgmigDir, dbEnv(pg, b), 'pgmig']]) {
      write(dir, 'migrations/current.sql', text);
      const r = tool === 'gm' ? await gm(major, ['commit'], { cwd: dir, env }) : await pgmig(['commit'], { cwd: dir, env });
      assert.equal(r.code, 0, r.out);
      const u = tool === 'gm' ? await gm(major, ['uncommit'], { cwd: dir, env }) : await pgmig(['uncommit'], { cwd: dir, env });
      assert.equal(u.code, 0, u.out);
    }
    assert.equal(read(pgmigDir, 'migrations/current.sql'), read(gmDir, 'migrations/current.sql'));
    assert.deepEqual(committed(pgmigDir), committed(gmDir));
    // graphile-migrate's watch ran current; pgmig sees the same compiled text and skips it (and vice versa).
    const env = dbEnv(pg, a);
    let r = await gm(major, ['watch', '--once'], { cwd: gmDir, env });
    assert.equal(r.code, 0, r.out);
    r = await pgmig(['watch', '--once'], { cwd: gmDir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /unchanged, skipped/);
    write(gmDir, 'migrations/current.sql', read(gmDir, 'migrations/current.sql') + 'select 1;\n');
    r = await pgmig(['watch', '--once'], { cwd: gmDir, env });
    assert.match(r.out, /current migration applied/);
    r = await gm(major, ['watch', '--once'], { cwd: gmDir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /unchanged, skipping/);
    cleanup(gmDir);
    cleanup(pgmigDir);
  });
}

test("the lead's formatCommittedFile serialises exactly as graphile-migrate's serializeMigration", () => {
  const { formatCommittedFile, calculateHash } = core('graphile/committedFile.js');
  const gmMigration = (m) => import(path.join(path.dirname(gmCli(m)), 'migration.js'));
  return Promise.all([gmMigration(2), import(path.join(path.dirname(gmCli(2)), 'hash.js'))]).then(([mig, hash]) => {
    const { serializeMigration } = mig.default ?? mig;
    const gmHash = (hash.default ?? hash).calculateHash;
    const cases = [
      { body: 'create table if not exists foo (id serial primary key);', previousHash: null, message: null },
      { body: '\n\n  select 1;  \n\n', previousHash: 'sha1:e00ec93314a423ee5cc68d1182ad52f16442d7df', message: 'hello world' },
      { body: 'select 2;\n', previousHash: 'sha1:abc', message: '', extraHeaders: ['--! AllowInvalidHash'] },
    ];
    for (const c of cases) {
      const ours = formatCommittedFile(c);
      const h = gmHash(c.body, c.previousHash);
      assert.equal(ours.hash, h);
      assert.equal(calculateHash(c.body, c.previousHash), h);
      const headers = { Previous: c.previousHash ?? '-', Hash: h, Message: c.message ? c.message : undefined };
      if (c.extraHeaders) headers.AllowInvalidHash = null;
      assert.equal(ours.text, serializeMigration(c.body, headers));
    }
    assert.equal(calculateHash('create table if not exists foo (id serial primary key);', null), 'sha1:e00ec93314a423ee5cc68d1182ad52f16442d7df');
  });
});

test('graphile-migrate 2.0.0-rc.3: current/ folder and nested includes compile and commit identically', async () => {
  const a = freshDb(pg, 'folder_a');
  const b = freshDb(pg, 'folder_b');
  const files = {
    '.gmrc': '{}\n',
    'migrations/fixtures/outer.sql': '\n-- outer\n--!include inner/one.sql\ncreate or replace view two as select 2 as n;\n\n',
    'migrations/fixtures/inner/one.sql': 'create or replace view one as select 1 as n;\n',
    'migrations/current/001-tables.sql': '--! Message: folder commit\ncreate table if not exists folder_t (id int);\n',
    'migrations/current/002.sql': '--!include outer.sql\nselect * from one, two;\n',
  };
  const gmDir = makeProject(files);
  const pgmigDir = makeProject(files);
  // The compiled text equals graphile-migrate's readCurrentMigration output.
  const gmCurrent = await import(path.join(path.dirname(gmCli(2)), 'current.js'));
  const { getCurrentMigrationLocation, readCurrentMigration } = gmCurrent.default ?? gmCurrent;
  const parsed = { migrationsFolder: path.join(gmDir, 'migrations') };
  const theirs = await readCurrentMigration(parsed, await getCurrentMigrationLocation(parsed));
  const { readCurrent } = core('engine/current.js');
  assert.equal(readCurrent(path.join(gmDir, 'migrations')).text, theirs);
  let r = await gm(2, ['commit'], { cwd: gmDir, env: dbEnv(pg, a) });
  assert.equal(r.code, 0, r.out);
  r = await pgmig(['commit'], { cwd: pgmigDir, env: dbEnv(pg, b) });
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(committed(pgmigDir), committed(gmDir));
  const list = (dir) => fs.readdirSync(path.join(dir, 'migrations/current')).sort().map((f) => [f, read(dir, 'migrations/current/' + f)]);
  assert.deepEqual(list(pgmigDir), list(gmDir));
  for (const [dir, tool] of [[gmDir, 'gm'], [pgmigDir, 'pgmig']]) {
    const env = dbEnv(pg, tool === 'gm' ? a : b);
    r = tool === 'gm' ? await gm(2, ['uncommit'], { cwd: dir, env }) : await pgmig(['uncommit'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
  }
  assert.deepEqual(list(pgmigDir), list(gmDir));
  cleanup(gmDir);
  cleanup(pgmigDir);
});
