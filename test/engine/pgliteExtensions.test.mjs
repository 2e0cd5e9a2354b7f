// Contrib extensions in the embedded database (issue 11 §5): the ones PGlite provides (uuid-ossp, citext, pgcrypto,
// ...) load when the project's SQL creates them, in the main database and the in-memory shadow; for one it does not
// provide, the error says so and how to point pgmig at a real PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, pgmig, core, cleanup } from './helpers.mjs';

const { MigrationEngine } = core('engine/engine.js');
const { loadSettings } = core('engine/settings.js');
const { formatCommittedFile } = core('graphile/committedFile.js');
const { extensionsCreatedIn, availableExtensions } = core('db/pgliteExtensions.js');
const EMBEDDED_ENV = { ...process.env, DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };

test('extension names are read from SQL as PostgreSQL reads them', () => {
  assert.deepEqual(extensionsCreatedIn('create extension if not exists "uuid-ossp";\nCREATE EXTENSION CitExt schema public;\ncreate  extension\n pgcrypto;'), ['uuid-ossp', 'citext', 'pgcrypto']);
  assert.deepEqual(extensionsCreatedIn('drop extension citext; select 1'), []);
  for (const n of ['uuid-ossp', 'citext', 'pgcrypto', 'hstore', 'pg_trgm', 'moddatetime', 'btree_gist']) assert.ok(availableExtensions().has(n), n);
});

test('a migration that creates uuid-ossp, citext and pgcrypto runs on the embedded database (main and shadow, reopened)', { timeout: 240_000 }, async () => {
  const first = formatCommittedFile({
    body: 'create extension if not exists "uuid-ossp";\ncreate extension if not exists citext;\ncreate table users (id uuid primary key default uuid_generate_v4(), email citext unique);\n',
    previousHash: null,
  });
  const dir = makeProject({
    '.gmrc': '{}\n',
    'migrations/committed/000001.sql': first.text,
    'migrations/current.sql': "--! Message: secrets\ncreate extension if not exists pgcrypto;\ncreate table if not exists secrets (h bytea default digest('x', 'sha256'));\ninsert into users (email) values ('A@example.com');\n",
  });
  try {
    let r = await pgmig(['migrate'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(r.code, 0, r.out);
    // commit: current runs on the in-memory shadow (after the committed history), then on main.
    r = await pgmig(['commit'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(r.code, 0, r.out);
    // A later process reopens the data folder with the extensions loaded: their functions and types work.
    fs.writeFileSync(path.join(dir, 'migrations/current.sql'), "select 1 from users where email = 'a@EXAMPLE.com' and id is not null having count(*) = 1;\nselect encode(h, 'hex') from secrets;\n");
    r = await pgmig(['watch', '--once'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(r.code, 0, r.out);
    // status reads only the tracking tables: it starts the database without the extensions, which work afterwards.
    r = await pgmig(['status', '--json'], { cwd: dir, env: EMBEDDED_ENV });
    assert.deepEqual(JSON.parse(r.stdout).applied.map((a) => a.filename), ['000001.sql', '000002.sql'], r.out);
    const engine = new MigrationEngine(loadSettings({ root: dir, env: EMBEDDED_ENV }));
    try {
      const rows = await engine.db('main').withSession((s) => s.query("select extname from pg_extension where extname <> 'plpgsql' order by 1"));
      assert.deepEqual(rows.map((x) => x.extname), ['citext', 'pgcrypto', 'uuid-ossp']);
      // The editor's shadow check on an unsaved buffer that creates one more (hstore, named in no file yet).
      const findings = await engine.shadowCheck({ currentText: "create extension if not exists hstore;\nselect 'a=>1'::hstore;\n" });
      assert.deepEqual(findings, []);
    } finally {
      await engine.close();
    }
  } finally {
    cleanup(dir);
  }
});

test('an extension PGlite does not provide: the error names it, where, and how to use a real PostgreSQL', { timeout: 120_000 }, async () => {
  const dir = makeProject({ '.gmrc': '{}\n', 'migrations/current.sql': 'select 1;\ncreate extension if not exists postgis;\n' });
  try {
    const r = await pgmig(['watch', '--once'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /current\.sql(:\d+:\d+)?: 0A000: extension "postgis" is not available/);
    assert.match(r.stderr, /hint: the embedded database \(PGlite\) does not provide the extension "postgis" \(it provides .*citext.*\); to use it, point pgmig at a PostgreSQL server that has it: set DATABASE_URL .* \.env file, or add a target to pgmig\.json/);
  } finally {
    cleanup(dir);
  }
});
