// Analysis across layouts: each sample project is detected with its layout, its migrations replay in their order
// as the history (role committed), and `pgmig lint` reports exactly the pinned findings (positions exact, also in
// Drizzle's files with `--> statement-breakpoint`). Several projects of different layouts live in one workspace.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { copySample, core, pgmig, samples, tempDir } from './helpers.mjs';

const { loadProject, findProjectRoot, roleOf, isProjectRoot } = core('project.js');
const { diskFileSystem } = core('fileSystem.js');
const { Analyzer } = core('analysis.js');
const { loadParser } = core('sql/parser.js');
await loadParser();

const expected = JSON.parse(readFileSync(new URL('./samples.expected.json', import.meta.url), 'utf8'));

describe('layout detection and the project the analysis sees', () => {
  test('numbered: migrations in numeric order are the history; rollback files play no role', () => {
    const root = path.join(samples, 'numbered');
    const p = loadProject(diskFileSystem, root);
    assert.equal(p.layout, 'numbered');
    assert.deepEqual(p.committedFiles.map((f) => path.basename(f)), ['001_create_platform_schema.sql', '002_create_invoices.sql', '003_invoice_status.sql', '004_drop_invoice_notes.sql']);
    assert.deepEqual(p.currentFiles, []);
    assert.deepEqual(p.layoutProject.table, { schema: 'platform', name: 'schema_migrations' });
    assert.equal(roleOf(p, p.committedFiles[0]), 'committed');
    assert.equal(roleOf(p, path.join(p.migrationsDir, 'rollback-001.sql')), 'standalone');
    assert.equal(p.layoutProject.dataMigrations.folder, path.join(p.root, 'src', 'data-migrations'));
  });

  test('numbered migrations sort by number, not by name (9 before 10)', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'migrations'));
    for (const n of ['10_b.sql', '9_a.sql', '011_c.sql', 'rollback-9.sql', 'notes.md']) writeFileSync(path.join(dir, 'migrations', n), 'select 1;\n');
    assert.ok(isProjectRoot(diskFileSystem, dir));
    const p = loadProject(diskFileSystem, dir);
    assert.equal(p.layout, 'numbered');
    assert.deepEqual(p.committedFiles.map((f) => path.basename(f)), ['9_a.sql', '10_b.sql', '011_c.sql']);
  });

  test('drizzle: the journal order; alembic: no SQL to analyse; graphile projects keep their layout', () => {
    const d = loadProject(diskFileSystem, path.join(samples, 'drizzle'));
    assert.equal(d.layout, 'drizzle');
    assert.deepEqual(d.committedFiles.map((f) => path.basename(f)), ['0000_init_users.sql', '0001_add_posts.sql', '0002_review_points.sql']);
    const a = loadProject(diskFileSystem, path.join(samples, 'alembic'));
    assert.equal(a.layout, 'alembic');
    assert.deepEqual([a.committedFiles, a.currentFiles], [[], []]);
    const g = loadProject(diskFileSystem, samples);
    assert.equal(g.layout, 'graphile');
    assert.equal(g.layoutProject.folder, g.committedDir);
    assert.equal(g.committedFiles.length, 3);
  });

  test('a workspace with several layouts: each file finds its own project root', () => {
    for (const [file, layout] of [
      [path.join(samples, 'numbered', 'migrations', '002_create_invoices.sql'), 'numbered'],
      [path.join(samples, 'drizzle', 'drizzle', '0001_add_posts.sql'), 'drizzle'],
      [path.join(samples, 'alembic', 'alembic', 'versions', '2b2e1d3c4b5a_add_invoices.py'), 'alembic'],
      [path.join(samples, 'migrations', 'current.sql'), 'graphile'],
    ]) {
      const root = findProjectRoot(diskFileSystem, path.dirname(file));
      assert.equal(loadProject(diskFileSystem, root).layout, layout, file);
    }
  });

  test('a bad layout setting in pgmig.json is one clear line', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'pgmig.json'), '{ "layout": "flyway" }');
    const r = await pgmig(['lint'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /layout\.kind must be one of graphile, numbered, drizzle, alembic/);
  });
});

describe('lint on the layout samples', () => {
  for (const name of ['numbered', 'drizzle', 'alembic']) {
    test(`migrations-sample/${name}: exactly the pinned findings`, async () => {
      const r = await pgmig(['lint', '--format', 'json', '--root', path.join(samples, name)]);
      assert.equal(r.stderr, '');
      const got = JSON.parse(r.stdout).map(({ file, line, column, endLine, endColumn, severity, rule }) => ({ file, line, column, endLine, endColumn, severity, rule }));
      assert.deepEqual(got, expected[name]);
    });
  }

  test('drizzle: findings point at the statement, never into the breakpoint comment', () => {
    const root = path.join(samples, 'drizzle');
    const a = new Analyzer(diskFileSystem).analyzeProject(loadProject(diskFileSystem, root));
    for (const f of a.findings) {
      const text = readFileSync(f.file, 'utf8').slice(f.start, f.end);
      assert.ok(!text.includes('-->'), `${f.rule}: ${JSON.stringify(text)}`);
      assert.ok(!text.endsWith(';'), `${f.rule}: ${JSON.stringify(text)}`);
    }
    const notNull = a.findings.filter((f) => f.rule === 'not-null-without-default');
    assert.deepEqual(notNull.map((f) => readFileSync(f.file, 'utf8').slice(f.start, f.end)), ['ALTER TABLE "users" ADD COLUMN "display_name" text NOT NULL', 'ALTER TABLE "posts" ALTER COLUMN "views" SET NOT NULL']);
  });

  test('the history replays across migrations: RLS enabled in a later numbered migration counts', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'migrations'));
    writeFileSync(path.join(dir, 'migrations', '001_a.sql'), 'begin;\ncreate table if not exists a (id int primary key);\ncommit;\n');
    writeFileSync(path.join(dir, 'migrations', '002_b.sql'), 'begin;\nalter table a enable row level security;\ncreate policy p on a using (true);\ncommit;\n');
    const rules = (p) => new Analyzer(diskFileSystem).analyzeProject(loadProject(diskFileSystem, p)).findings.map((f) => f.rule);
    assert.ok(!rules(dir).includes('missing-rls'));
    writeFileSync(path.join(dir, 'migrations', '002_b.sql'), 'begin;\ncommit;\n');
    assert.ok(rules(dir).includes('missing-rls'));
  });

  test('severity per layout: non-idempotent-statement is a warning in numbered projects, and a setting still wins', () => {
    const dir = copySample('numbered');
    const sev = () => new Analyzer(diskFileSystem).analyzeProject(loadProject(diskFileSystem, dir)).findings.filter((f) => f.rule === 'non-idempotent-statement').map((f) => f.severity);
    assert.ok(sev().length > 0 && sev().every((s) => s === 'warning'));
    const cfg = JSON.parse(readFileSync(path.join(dir, 'pgmig.json'), 'utf8'));
    writeFileSync(path.join(dir, 'pgmig.json'), JSON.stringify({ ...cfg, rules: { 'non-idempotent-statement': 'error' } }));
    assert.ok(sev().every((s) => s === 'error'));
  });
});
