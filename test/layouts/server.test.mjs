// The language server on projects of the other layouts (a workspace holding a numbered and a Drizzle project): each
// migration gets its diagnostics with the whole ordered history behind it, and an unsaved edit of a Drizzle
// migration is re-analysed like any SQL file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LspClient } from '../server/lspClient.mjs';
import { ALEMBIC, alembicMissing, copySample, freshDb, run, tempDir, TEMPLATE_ENV_PY } from './helpers.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const codes = (diagnostics) => diagnostics.map((d) => d.code).sort();

describe('language server on numbered and Drizzle projects in one workspace', () => {
  let client;
  let ws;
  before(async () => {
    ws = tempDir();
    for (const s of ['numbered', 'drizzle']) cpSync(copySample(s), path.join(ws, s), { recursive: true });
    client = await LspClient.start({ rootDir: ws });
  });
  after(async () => {
    await client?.stop();
  });

  test('a numbered migration: its own findings, with the history before it (RLS, foreign keys)', async () => {
    const file = path.join(ws, 'numbered', 'migrations', '003_invoice_status.sql');
    client.open(file);
    const d = await client.waitForDiagnostics(file, (x) => x.length > 0);
    assert.deepEqual(codes(d), ['missing-lock-timeout', 'missing-rls', 'missing-rollback', 'non-idempotent-statement', 'non-idempotent-statement', 'not-null-without-default', 'unindexed-foreign-key']);
  });

  test('a Drizzle migration: review findings at exact ranges; an unsaved edit that adds a backfill clears one', async () => {
    const file = path.join(ws, 'drizzle', 'drizzle', '0002_review_points.sql');
    client.open(file);
    let d = await client.waitForDiagnostics(file, (x) => x.length > 0);
    assert.deepEqual(codes(d), ['column-type-change', 'drop-loses-data', 'missing-lock-timeout', 'not-null-without-default', 'not-null-without-default', 'prefer-timestamptz', 'set-not-null-scans-table']);
    const setNotNull = d.filter((x) => x.code === 'not-null-without-default').find((x) => x.range.start.line === 2);
    assert.deepEqual(setNotNull.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 53 } });
    const text = readFileSync(file, 'utf8').replace('ALTER TABLE "posts" ALTER COLUMN "views" SET NOT NULL', 'UPDATE "posts" SET "views" = 0 WHERE "views" IS NULL;--> statement-breakpoint\nALTER TABLE "posts" ALTER COLUMN "views" SET NOT NULL');
    client.change(file, text);
    d = await client.waitForDiagnostics(file, (x) => x.filter((y) => y.code === 'not-null-without-default').length === 1);
    assert.deepEqual(codes(d), ['column-type-change', 'drop-loses-data', 'missing-lock-timeout', 'not-null-without-default', 'prefer-timestamptz', 'set-not-null-scans-table']);
  });
});

// Issue 10 / issue 12 item 2: the editor's status of an Alembic project reads the database alembic uses and never
// creates an embedded database for it.

describe('language server: Alembic status in the database alembic uses', () => {
  const skip = alembicMissing();
  let pg;
  let client;
  let ws;
  before(async () => {
    if (skip) return;
    pg = await startPostgres();
    ws = tempDir();
    const name = freshDb(pg);
    // alembic.ini names the database (the template env.py reads it); alembic itself upgrades it.
    const own = path.join(ws, 'own');
    cpSync(copySample('alembic'), own, { recursive: true });
    writeFileSync(path.join(own, 'alembic.ini'), readFileSync(path.join(own, 'alembic.ini'), 'utf8').replace(/^sqlalchemy\.url =.*$/m, `sqlalchemy.url = ${pg.url(name).replace(/^postgres:/, 'postgresql:').replace(/%/g, '%%')}`));
    writeFileSync(path.join(own, 'alembic', 'env.py'), TEMPLATE_ENV_PY);
    const r = await run(`${ALEMBIC} upgrade heads`, [], { cwd: own, shell: true, env: { DATABASE_URL: '' } });
    assert.equal(r.code, 0, r.out);
    // The sample as it is: env.py reads DATABASE_URL, which the server's environment does not set.
    cpSync(copySample('alembic'), path.join(ws, 'fromenv'), { recursive: true });
    client = await LspClient.start({ rootDir: ws, trusted: true });
    await client.waitIdle();
  });
  after(async () => {
    await client?.stop();
    await pg?.stop();
  });
  const status = (root) => client.request('workspace/executeCommand', { command: 'pgmig.engine.layoutStatus', arguments: [{ root }] });

  test('URL in alembic.ini: applied from alembic_version there; no embedded database', { skip }, async () => {
    const s = await status(path.join(ws, 'own'));
    assert.equal(s.reachable, true, JSON.stringify(s.error));
    assert.equal(s.pending, 0);
    assert.equal(s.current.length, 2);
    assert.ok(!existsSync(path.join(ws, 'own', '.pgmig')), 'no embedded database');
  });

  test('env.py reads an unset DATABASE_URL: not reachable, saying why; no embedded database', { skip }, async () => {
    const s = await status(path.join(ws, 'fromenv'));
    assert.equal(s.reachable, false);
    assert.match(s.error.message, /cannot tell which database alembic uses: env\.py takes the database URL from \$DATABASE_URL, which is not set/);
    assert.ok(!existsSync(path.join(ws, 'fromenv', '.pgmig')), 'no embedded database');
  });
});

// Issue 12 (each tool's own database; a template config): a workspace shaped like Yara-Afaneh/Blog-Aggregator: the
// root's drizzle.config.json names the database in dbCredentials.url, and src/drizzle.config.ts is a template whose
// `out` folder does not exist.
describe('language server: a Drizzle project reads the database its config names; a template config is no project', () => {
  let pg;
  let client;
  let ws;
  let name;
  before(async () => {
    pg = await startPostgres();
    ws = tempDir();
    name = freshDb(pg);
    cpSync(copySample('drizzle'), ws, { recursive: true });
    rmSync(path.join(ws, 'drizzle.config.ts'));
    writeFileSync(path.join(ws, 'drizzle.config.json'), JSON.stringify({ schema: './src/schema.ts', out: './drizzle', dialect: 'postgresql', dbCredentials: { url: pg.url(name) } }, null, 2));
    writeFileSync(path.join(ws, 'src', 'drizzle.config.ts'), 'export default defineConfig({\n  out: "src/<path_to_generated_files>",\n  dialect: "postgresql",\n  dbCredentials: { url: "your_connection_string" },\n});\n');
    pg.psql('create schema drizzle; create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)', name);
    // A second project whose config takes the URL from a variable nobody set.
    cpSync(copySample('drizzle'), path.join(ws, 'unset'), { recursive: true });
    writeFileSync(path.join(ws, 'unset', 'drizzle.config.ts'), "export default { dialect: 'postgresql', out: './drizzle', dbCredentials: { url: process.env.PGMIG_TEST_UNSET_URL! } };\n");
    client = await LspClient.start({ rootDir: ws, trusted: true });
    await client.waitIdle();
  });
  after(async () => {
    await client?.stop();
    await pg?.stop();
  });

  test('status reads the config\'s database (not the embedded one); the template is reported on its file, not listed', async () => {
    const projects = await client.request('pgmig/projects', null);
    assert.deepEqual(projects.layouts.map((l) => l.root).sort(), [ws, path.join(ws, 'unset')]);
    const s = await client.request('workspace/executeCommand', { command: 'pgmig.engine.layoutStatus', arguments: [{ root: ws }] });
    assert.equal(s.reachable, true, JSON.stringify(s.error));
    assert.match(s.database, new RegExp(`/${name} \\(from drizzle\\.config\\.json\\)$`));
    assert.equal(s.pending, 3);
    assert.ok(!existsSync(path.join(ws, '.pgmig')), 'no embedded database');
    const d = await client.waitForDiagnostics(path.join(ws, 'src', 'drizzle.config.ts'), (x) => x.length > 0);
    assert.match(d[0].message, /the migrations folder src\/<path_to_generated_files> \(`out` in drizzle\.config\.ts\) does not exist/);
    assert.equal(d[0].severity, 2, 'a warning: nothing is broken before the first drizzle-kit generate, there is only nothing to show');
 
    const unset = await client.request('workspace/executeCommand', { command: 'pgmig.engine.layoutStatus', arguments: [{ root: path.join(ws, 'unset') }] });
    assert.equal(unset.reachable, false);
    assert.match(unset.error.message, /cannot tell which database drizzle-kit uses: drizzle\.config\.ts: dbCredentials\.url is process\.env\.PGMIG_TEST_UNSET_URL, which is not set/);
    assert.ok(!existsSync(path.join(ws, 'unset', '.pgmig')), 'no embedded database');
  });
});
