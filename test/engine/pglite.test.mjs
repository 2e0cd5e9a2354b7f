// The embedded default: no connection configured -> PGlite in <project>/.pgmig/db, an in-memory PGlite shadow.
// The whole workflow in one engine (as the language server holds it), plus the CLI once, and settings handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, makeProject as makeProjectIn, pgmig, core, cleanup, tempDir } from './helpers.mjs';

const { MigrationEngine } = core('engine/engine.js');
const { loadSettings } = core('engine/settings.js');
const EMBEDDED_ENV = { ...process.env, DATABASE_URL: '', SHADOW_DATABASE_URL: '', ROOT_DATABASE_URL: '' };
const write = (dir, rel, text) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

test('embedded workflow: commit, status, watch, shadow check, rollback, uncommit, schema dump, reset', { timeout: 300_000 }, async () => {
  const dir = makeProject({
    '.gmrc': '{ placeholders: { ":APP_ROLE": "app_role" } }\n',
    'migrations/fixtures/helpers.sql': 'create or replace function one() returns int language sql as $$ select 1 $$;\n',
    'pgmig.json': '{ engine: { dumpSchemaOnCommit: true, schemaFile: "db/schema.sql" } }\n',
  });
  const settings = loadSettings({ root: dir, env: EMBEDDED_ENV });
  assert.equal(settings.main.kind, 'pglite');
  assert.equal(settings.main.dataDir, path.join(fs.realpathSync(dir), '.pgmig/db'));
  assert.equal(settings.shadow.kind, 'pglite-memory');
  const engine = new MigrationEngine(settings);
  try {
    write(dir, 'migrations/current.sql', '--! Message: accounts\n\n--!include helpers.sql\ncreate table if not exists accounts (id int primary key, owner text default \':APP_ROLE\');\n');
    write(dir, 'migrations/current.down.sql', 'drop table accounts;\ndrop function one();\n');
    const c = await engine.commit();
    assert.equal(path.basename(c.file), '000001-accounts.sql');
    assert.equal(path.basename(c.downFile), '000001-accounts.down.sql');
    assert.match(fs.readFileSync(path.join(dir, 'db/schema.sql'), 'utf8'), /CREATE TABLE public\.accounts/);
    let st = await engine.status();
    assert.equal(st.applied.length, 1);
    assert.equal(st.exitCode, 0);

    // watch (in-process): save -> applied, timed.
    const ac = new AbortController();
    let waiter;
    const next = () => new Promise((r) => (waiter = r));
    const first = next();
    const watching = engine.watch({ signal: ac.signal, onRun: (r) => waiter?.(r) });
    await first;
    const statements = Array.from({ length: 50 }, (_, i) => `create table if not exists e${i} (id int primary key, v text);`).join('\n') + '\n';
    const times = [];
    for (let k = 0; k < 5; k++) {
      const p = next();
      const t0 = performance.now();
      write(dir, 'migrations/current.sql', statements + `select ${k};\n`);
      const r = await p;
      times.push(performance.now() - t0);
      assert.equal(r.ran, true, r.message);
    }
    ac.abort();
    await watching;
    const median = times.sort((a, b) => a - b)[2];
    console.log(`# watch save-to-applied (50 statements, PGlite): median ${median.toFixed(1)} ms`);

    // Shadow check: an error in current is a finding at the exact place.
    const text = 'select one();\nselect owner, nope from accounts;\n';
    let findings = await engine.shadowCheck({ currentText: text });
    assert.equal(findings.length, 1);
    assert.equal(text.slice(findings[0].start, findings[0].end), 'nope');
    const t0 = performance.now();
    findings = await engine.shadowCheck({ currentText: 'select one();\n' });
    console.log(`# shadow check after a save (PGlite, migrated shadow reused): ${(performance.now() - t0).toFixed(1)} ms`);
    assert.deepEqual(findings, []);

    // Rollback with the down script, then migrate again.
    write(dir, 'migrations/current.sql', '-- Enter migration here\n');
    const rb = await engine.rollback();
    assert.deepEqual(rb.rolledBack, ['000001-accounts.sql']);
    st = await engine.status();
    assert.equal(st.pending.length, 1);
    await engine.migrate();

    // Schema dump from the catalog (no pg_dump for PGlite), deterministic.
    const d1 = await engine.schemaDump();
    assert.equal(d1.via, 'catalog');
    // Defaults after the functions they may call (the dump replays).
    assert.match(d1.text, /CREATE TABLE public\.accounts \(\n    id integer NOT NULL,\n    owner text\n\);/);
    assert.match(d1.text, /ALTER TABLE ONLY public\.accounts ALTER COLUMN owner SET DEFAULT 'app_role'::text;/);
    assert.match(d1.text, /CREATE OR REPLACE FUNCTION public\.one\(\)/);
    const d2 = await engine.schemaDump();
    assert.equal(d2.text, d1.text);

    // Uncommit: include restored, down script back beside current.
    await engine.uncommit();
    assert.equal(fs.readFileSync(path.join(dir, 'migrations/current.sql'), 'utf8'), '--! Message: accounts\n\n--!include helpers.sql\ncreate table if not exists accounts (id int primary key, owner text default \':APP_ROLE\');\n');
    assert.ok(fs.existsSync(path.join(dir, 'migrations/current.down.sql')));

    // reset --erase: a fresh embedded database.
    await assert.rejects(engine.reset({ erase: false }), /--erase/);
    const r = await engine.reset({ erase: true });
    assert.deepEqual(r.applied, []);
    st = await engine.status();
    assert.equal(st.applied.length, 0);
    assert.equal(st.exitCode, 2);
  } finally {
    await engine.close();
  }
  // The CLI on the same project (the engine above released the embedded database's lock).
  const r = await pgmig(['status', '--json'], { cwd: dir, env: EMBEDDED_ENV });
  assert.equal(r.code, 2, r.out);
  assert.equal(JSON.parse(r.stdout).database, `embedded database ${path.join(fs.realpathSync(dir), '.pgmig/db')}`);
  cleanup(dir);
});

test('the embedded database is one process at a time: a second process waits, then gets a clear message', { timeout: 120_000 }, async () => {
  const dir = makeProject({ '.gmrc': '{}\n', 'migrations/current.sql': 'select 1;\n' });
  const engine = new MigrationEngine(loadSettings({ root: dir, env: EMBEDDED_ENV }));
  try {
    await engine.migrate();
    const t0 = Date.now();
    const r = await pgmig(['migrate'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(r.code, 1);
    assert.ok(Date.now() - t0 >= 10_000, 'the CLI waits up to 10 s for the folder');
    assert.match(r.stderr, new RegExp(`embedded database .* is in use by process ${process.pid}`));
  } finally {
    await engine.close();
  }
  let r = await pgmig(['migrate'], { cwd: dir, env: EMBEDDED_ENV });
  assert.equal(r.code, 0, r.out);
  // A long-running host that releases the database when idle lets the CLI in.
  const host = new MigrationEngine(loadSettings({ root: dir, env: EMBEDDED_ENV }), undefined, { embeddedIdleCloseMs: 300 });
  try {
    await host.status();
    r = await pgmig(['status'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(r.code, 2, r.out);
    assert.equal((await host.status()).exitCode, 2);
  } finally {
    await host.close();
  }
  cleanup(dir);
});

test('settings are validated as graphile-migrate does; pgmig.json targets and engine settings', (ctx) => {
  const env = { DATABASE_URL: 'postgres://u:pw@h/db', SHADOW_DATABASE_URL: 'postgres://u:pw@h/db_shadow', REGION_URL: 'postgres://r@h/region', SECRET_ROLE: 'visitor' };
  const base = tempDir();
  let n = 0;
  const makeProject = (files) => makeProjectIn(files, path.join(base, String(++n)));
  ctx.after(() => cleanup(base));
  let dir = makeProject({ '.gmrc': '{ connectionString: "postgres://x@h/a", unknownKey: 1, "// comment": 2 }' });
  assert.throws(() => loadSettings({ root: dir, env }), /The following config settings were not understood: 'unknownKey'/);
  dir = makeProject({ '.gmrc': '{ placeholders: { ":ROLE": "!ENV", "bad": "x" } }' });
  assert.throws(() => loadSettings({ root: dir, env }), /Invalid placeholders keys 'bad'/);
  dir = makeProject({ '.gmrc': '{ placeholders: { ":SECRET_ROLE": "!ENV", ":MISSING_ONE": "!ENV" } }' });
  assert.throws(() => loadSettings({ root: dir, env }), /Could not find environmental variable 'MISSING_ONE'/);
  dir = makeProject({
    '.gmrc': '{ placeholders: { ":SECRET_ROLE": "!ENV" }, pgSettings: { search_path: "app,public" }, migrationsFolder: "db/migrations" }',
    'pgmig.json': '{ rules: {}, engine: { schemaFile: "db/schema.sql" }, targets: { eu: { urlEnv: "REGION_URL", pgSettings: { "app.region_id": 7 } } } }',
  });
  const s = loadSettings({ root: dir, env });
  assert.equal(s.main.url, env.DATABASE_URL);
  assert.equal(s.shadow.url, env.SHADOW_DATABASE_URL);
  assert.equal(s.databaseOwner, 'u');
  assert.equal(s.placeholders[':SECRET_ROLE'], 'visitor');
  assert.equal(s.migrationsFolder, path.join(dir, 'db/migrations'));
  assert.equal(s.engine.schemaFile, 'db/schema.sql');
  const t = loadSettings({ root: dir, env, target: 'eu' });
  assert.equal(t.main.url, env.REGION_URL);
  assert.deepEqual(t.pgSettings, { search_path: 'app,public', 'app.region_id': '7' });
  assert.throws(() => loadSettings({ root: dir, env: { SECRET_ROLE: 'x' }, target: 'eu' }), /environment variable REGION_URL is not set/);
  // The lead's lint config loader accepts pgmig.json with engine keys.
  const { loadProject } = core('project.js');
  const { diskFileSystem } = core('fileSystem.js');
  assert.doesNotThrow(() => loadProject(diskFileSystem, dir));
});

test('placeholder substitution keeps a map back to the source; redaction removes passwords', () => {
  const { substitutePlaceholders, sqlFingerprint, isBlankSql } = core('engine/sourceText.js');
  const { redactSecrets, describeConnection } = core('db/connection.js');
  const src = 'grant select on t to :ROLE;\nselect :ROLE, :ROLEX, x;';
  const { text, toInput } = substitutePlaceholders(src, { ':ROLE': 'a_much_longer_role_name' });
  assert.equal(text, 'grant select on t to a_much_longer_role_name;\nselect a_much_longer_role_name, :ROLEX, x;');
  assert.equal(src[toInput(text.indexOf('x;'))], 'x');
  assert.equal(toInput(text.indexOf(':ROLEX')), src.indexOf(':ROLEX'));
  assert.equal(toInput(text.indexOf('much')), src.indexOf(':ROLE'));
  assert.equal(sqlFingerprint('-- a\nselect 1;\n\n-- b\nselect 2;'), sqlFingerprint('select 1;\n/* c */ select 2;\n'));
  assert.notEqual(sqlFingerprint('select 1;'), sqlFingerprint('select 2;'));
  assert.ok(isBlankSql('-- Enter migration here\n/* x */\n'));
  assert.ok(!isBlankSql('-- x\n;'));
  assert.equal(describeConnection('postgres://bob:s3cr%40t@db.example:6543/app'), 'postgres://bob@db.example:6543/app');
  assert.equal(redactSecrets('failed for postgres://bob:s3cr@t@host/db and s3cr@t', ['postgres://bob:s3cr%40t@host/db']), 'failed for postgres://bob:***@host/db and ***');
});
