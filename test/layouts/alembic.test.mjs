// The Alembic layout: the revision graph read from the version files as text (no Python), checked against what the
// real Alembic (Debian's python3-alembic) says of the same folder; status from alembic_version on real PostgreSQL
// after Alembic itself upgraded; the commands pgmig builds (Upgrade to here, Downgrade to here, Upgrade head, Show
// SQL) run for real; the multiple-heads diagnostic and its fix `alembic merge heads`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPostgres } from '../support/postgres.mjs';
import { ALEMBIC, alembicMissing, copySample, core, freshDb, pgmig, run, tempDir } from './helpers.mjs';

const { PgProvider } = core('db/pg.js');
const { detectLayout } = core('layouts/detect.js');
const { AlembicLayout } = core('layouts/alembic.js');
const { readAlembicGraph, parseVersionFile, preparePythonSyntaxErrors, pythonSyntaxErrors } = core('layouts/alembicGraph.js');
const { runToolCommand } = core('layouts/tool.js');
const { diskFileSystem } = core('fileSystem.js');

const skip = alembicMissing();
let pg;
before(async () => {
  if (!skip) pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const A = '1a1f0c2d3e4f';
const B = '2b2e1d3c4b5a';
const C = '3c3d2e4f5a6b';
const D = '4d4e3f5a6b7c';

function sample() {
  const dir = copySample('alembic');
  // The Debian package installs no `alembic` script: the project's command is set in pgmig.json.
  writeFileSync(path.join(dir, 'pgmig.json'), JSON.stringify({ layout: { kind: 'alembic', command: ALEMBIC } }));
  const project = detectLayout(diskFileSystem, dir, { layout: { kind: 'alembic', command: ALEMBIC } });
  return { dir, project, layout: new AlembicLayout(project) };
}

describe('alembic graph from the version files', () => {
  test('detected from alembic.ini; revisions in order from the base; two heads', () => {
    const dir = copySample('alembic');
    const project = detectLayout(diskFileSystem, dir, undefined);
    assert.equal(project.kind, 'alembic');
    assert.equal(project.folder, path.join(dir, 'alembic', 'versions'));
    assert.deepEqual(project.table, { schema: 'public', name: 'alembic_version' });
    assert.equal(project.command, 'alembic');
    const g = readAlembicGraph(diskFileSystem, project.folder);
    assert.deepEqual(g.revisions.map((r) => r.revision), [A, B, C, D]);
    assert.deepEqual(g.bases, [A]);
    assert.deepEqual(g.heads, [C, D]);
    assert.deepEqual(g.problems, []);
    assert.equal(g.revisions[1].message, 'add invoices');
  });

  test('down_revision forms: None, a string, the typed form, a tuple over several lines (merge), a list', () => {
    const f = (text) => parseVersionFile('/v/x.py', text);
    assert.deepEqual(f("revision = 'a'\ndown_revision = None\n").downRevisions, []);
    assert.deepEqual(f('revision: str = "b"\ndown_revision: Union[str, None] = "a"\n').downRevisions, ['a']);
    assert.deepEqual(f("revision = 'm'\ndown_revision = (\n    'b',\n    'c',\n)\n").downRevisions, ['b', 'c']);
    assert.deepEqual(f("revision = 'm'\ndown_revision = ['b', 'c']\n").downRevisions, ['b', 'c']);
    assert.equal(f('import os\n'), undefined, 'not a version file');
    assert.match(f("revision = 'x'\ndown_revision = some_call()\n").problem, /not None, a string or a tuple/);
    const text = "revision = 'abc'\ndown_revision = None\n";
    const r = f(text);
    assert.equal(text.slice(r.revisionAt.start, r.revisionAt.end), "'abc'");
  });

  test("Python's answers asked without blocking (the language server) are the ones the analysis then uses", { skip: spawnSync('python3', ['-c', 'pass']).status === 0 ? false : 'no python3' }, async () => {
    const stamp = `${process.pid}_${Date.now()}`; // texts no earlier test had checked
    const valid = `revision = 'ok_${stamp}'\ndown_revision = None\n`;
    const invalid = `revision = 'bad_${stamp}'\ndown_revision = None\n\ndef upgrade(:\n    pass\n`;
    await preparePythonSyntaxErrors([valid, invalid]);
    // No Python to ask now: what the analysis gets comes from the answers above.
    const pathBefore = process.env.PATH;
    process.env.PATH = '';
    let errors;
    try {
      errors = pythonSyntaxErrors([valid, invalid]);
    } finally {
      process.env.PATH = pathBefore;
    }
    assert.equal(errors[0], undefined);
    assert.equal(errors[1]?.line, 4, JSON.stringify(errors[1]));
    assert.ok(errors[1].message, 'Python says what is wrong');
  });

  test('a down_revision that matches no file is a problem, not a crash', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.py'), "revision = 'a'\ndown_revision = 'zzz'\n");
    const g = readAlembicGraph(diskFileSystem, dir);
    assert.deepEqual(g.revisions.map((r) => r.revision), ['a']);
    assert.match(g.problems[0].message, /has down_revision zzz, which matches no revision/);
  });

  test('the multiple-heads diagnostic on each head file, at its revision; gone after a merge revision', async () => {
    const { dir } = sample();
    let r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.out);
    const findings = JSON.parse(r.stdout);
    assert.deepEqual(findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endColumn} ${f.rule}`), [
      `alembic/versions/${C}_add_account_email.py:11:12-26 alembic-multiple-heads`,
      `alembic/versions/${D}_add_invoice_total.py:11:12-26 alembic-multiple-heads`,
    ]);
    assert.match(findings[0].message, /alembic merge heads/);
    writeFileSync(path.join(dir, 'alembic', 'versions', '5e5f_merge.py'), `"""merge"""\nrevision = '5e5f'\ndown_revision = ('${C}', '${D}')\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`);
    r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});

describe('alembic with the real Alembic on real PostgreSQL', { skip }, () => {
  test("the graph pgmig reads is the graph Alembic reads (heads, history)", async () => {
    const { dir, layout } = sample();
    const heads = await run(`${ALEMBIC} heads`, [], { cwd: dir, shell: true });
    assert.equal(heads.code, 0, heads.out);
    assert.deepEqual(heads.stdout.trim().split('\n').map((l) => l.split(' ')[0]).sort(), layout.graph().heads.sort());
    const history = await run(`${ALEMBIC} history`, [], { cwd: dir, shell: true });
    for (const r of layout.migrations()) assert.ok(history.stdout.includes(r.revision), r.revision);
  });

  test('Upgrade to here, status from alembic_version, Upgrade head (heads), Downgrade to here', async () => {
    const { dir, layout } = sample();
    const name = freshDb(pg);
    const env = { ...process.env, DATABASE_URL: pg.url(name) };
    const db = new PgProvider(pg.url(name));
    const out = [];
    const output = (_s, t) => out.push(t);
    try {
      let s = await layout.status(db);
      assert.deepEqual(s.current, []);
      assert.ok(s.migrations.every((m) => m.state === 'pending'));
      await runToolCommand(layout.command('upgrade-to', B), { env, output });
      s = await layout.status(db);
      assert.deepEqual(s.current, [B]);
      assert.deepEqual(s.migrations.map((m) => m.state), ['applied', 'applied', 'pending', 'pending']);
      assert.equal(pg.psql(`select to_regclass('public.invoices') is not null`, name).trim(), 't');
      const head = layout.command('upgrade-head');
      assert.equal(head.commandLine, `${ALEMBIC} upgrade heads`, 'two heads: upgrade heads');
      await runToolCommand(head, { env, output });
      s = await layout.status(db);
      assert.deepEqual([...s.current].sort(), [C, D]);
      assert.ok(s.migrations.every((m) => m.state === 'applied'));
      await runToolCommand(layout.command('downgrade-to', A), { env, output });
      s = await layout.status(db);
      assert.deepEqual(s.current, [A]);
      assert.deepEqual(s.migrations.map((m) => m.state), ['applied', 'pending', 'pending', 'pending']);
    } finally {
      await db.close();
    }
  });

  test('Show SQL: offline SQL of one revision, from its parent to it', async () => {
    const { dir, layout } = sample();
    let sql = '';
    const cmd = layout.command('show-sql', C);
    assert.equal(cmd.commandLine, `${ALEMBIC} upgrade ${B}:${C} --sql`);
    await runToolCommand(cmd, { output: (stream, t) => stream === 'stdout' && (sql += t) });
    assert.match(sql, /ALTER TABLE accounts ADD COLUMN email TEXT/);
    assert.doesNotMatch(sql, /CREATE TABLE invoices/);
    void dir;
  });

  test('CLI: pgmig migrate runs the project command, status reads alembic_version, rollback downgrades one', async () => {
    const { dir } = sample();
    const name = freshDb(pg);
    const env = { DATABASE_URL: pg.url(name) };
    let r = await pgmig(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, new RegExp(`\\$ ${ALEMBIC.replace(/[.]/g, '\\.')} upgrade heads`));
    r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /layout: alembic \(alembic\/versions\/, tracked in public\.alembic_version\)/);
    assert.match(r.stdout, new RegExp(`current revision: (${C}, ${D}|${D}, ${C})`));
    r = await pgmig(['migrate', '--to', A], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    r = await pgmig(['status', '--json'], { cwd: dir, env });
    assert.equal(JSON.parse(r.stdout).migrations.filter((m) => m.state === 'applied').length, 4);
    r = await pgmig(['rollback', '--to', A], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    r = await pgmig(['status', '--json'], { cwd: dir, env });
    assert.deepEqual(JSON.parse(r.stdout).current, [A]);
  });

  test('alembic merge heads (the fix the diagnostic names) leaves one head; pgmig reads the merge revision', async () => {
    const { dir, layout } = sample();
    const r = await run(`${ALEMBIC} merge heads -m "merge heads"`, [], { cwd: dir, shell: true });
    assert.equal(r.code, 0, r.out);
    const g = layout.graph();
    assert.equal(g.heads.length, 1);
    const merge = g.revisions.find((x) => x.revision === g.heads[0]);
    assert.deepEqual([...merge.downRevisions].sort(), [C, D]);
    assert.ok(readdirSync(path.join(dir, 'alembic', 'versions')).some((f) => f.endsWith('_merge_heads.py')));
    assert.equal(layout.command('upgrade-head').commandLine, `${ALEMBIC} upgrade head`);
  });
});
