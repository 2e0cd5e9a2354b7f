// `pgmig lint PATH...`: files in the context of their project (history included), files outside any project on
// their own; --root; positions in files with non-ASCII text.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { brief, lintJson, makeProject, pgmig, sampleRoot } from './helpers.mjs';

// Committed migration built by hand the way graphile-migrate writes it (hash checked by the lint: no finding).
import { createHash } from 'node:crypto';
function committed(body, previous = null) {
  body = body.trim() + '\n';
  const hash = 'sha1:' + createHash('sha1').update(((previous || '') + '\n' + body.trim()).trim() + '\n').digest('hex');
  return { text: `--! Previous: ${previous ?? '-'}\n--! Hash: ${hash}\n\n${body}`, hash };
}

const HISTORY = committed(
  'create table parent (id bigint primary key);\nalter table parent enable row level security;\ncreate policy p on parent using (true);\n' +
    'create table other (id bigint primary key);\n',
);
// Only the committed history says that `other` and `parent` exist, so only with it is the new key a finding.
const CURRENT = 'alter table other add column if not exists parent_id int references parent (id);\n';

function historyProject(t) {
  return makeProject({ '.gmrc': '{}', 'migrations/committed/000001.sql': HISTORY.text, 'migrations/current.sql': CURRENT, 'scripts/seed.sql': 'insert into other values (1);\nselect 1 frm x;\n' }, t);
}

test('no path: the whole project, history included', async (t) => {
  const r = await lintJson([], { cwd: historyProject(t) });
  assert.deepEqual(brief(r.findings), ['migrations/committed/000001.sql:7:1 missing-rls', 'migrations/current.sql:1:1 constraint-without-not-valid', 'migrations/current.sql:1:1 missing-lock-timeout', 'migrations/current.sql:1:58 unindexed-foreign-key']);
  assert.equal(r.code, 1);
});

test('a path in a project: only that file, analysed with the project history', async (t) => {
  const dir = historyProject(t);
  const r = await lintJson(['migrations/current.sql'], { cwd: dir });
  assert.deepEqual(brief(r.findings), ['migrations/current.sql:1:1 constraint-without-not-valid', 'migrations/current.sql:1:1 missing-lock-timeout', 'migrations/current.sql:1:58 unindexed-foreign-key']);
  assert.equal(r.code, 0, 'the error in the committed file is not this file\'s');
  // From another folder: still named relative to the project root.
  const fromInside = await lintJson(['current.sql'], { cwd: path.join(dir, 'migrations') });
  assert.deepEqual(brief(fromInside.findings), ['migrations/current.sql:1:1 constraint-without-not-valid', 'migrations/current.sql:1:1 missing-lock-timeout', 'migrations/current.sql:1:58 unindexed-foreign-key']);
  const committedOnly = await lintJson(['migrations/committed/000001.sql'], { cwd: dir });
  assert.deepEqual(brief(committedOnly.findings), ['migrations/committed/000001.sql:7:1 missing-rls']);
  assert.equal(committedOnly.code, 1);
});

test('the same text outside any project is linted on its own (no history: no finding)', async (t) => {
  const dir = historyProject(t);
  const alone = path.join(tmpdir(), `pgmig-alone-${process.pid}.sql`);
  copyFileSync(path.join(dir, 'migrations/current.sql'), alone);
  t.after(() => import('node:fs').then((fs) => fs.rmSync(alone, { force: true })));
  const r = await lintJson([alone], { cwd: path.dirname(alone) });
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
});

test('a standalone file gets the per-file rules: syntax errors, tables without RLS', async (t) => {
  const dir = makeProject({ 'loose/a.sql': 'create table a (id int);\nselect 1 frm x;\n' }, t);
  const r = await lintJson(['loose/a.sql'], { cwd: dir });
  assert.deepEqual(brief(r.findings), ['loose/a.sql:1:1 missing-rls', 'loose/a.sql:2:14 syntax-error']);
  assert.equal(r.code, 1);
});

test('a file inside a project folder that plays no role in it is linted on its own', async (t) => {
  const dir = historyProject(t);
  const r = await lintJson(['scripts/seed.sql'], { cwd: dir });
  assert.deepEqual(brief(r.findings), ['scripts/seed.sql:2:14 syntax-error']);
});

test('several paths: a project file and a standalone file together', async (t) => {
  const dir = historyProject(t);
  const other = makeProject({ 'x.sql': 'select 1 frm x;\n' }, t);
  const r = await lintJson(['migrations/current.sql', path.join(other, 'x.sql')], { cwd: dir });
  assert.deepEqual(r.findings.map((f) => f.rule).sort(), ['constraint-without-not-valid', 'missing-lock-timeout', 'syntax-error', 'unindexed-foreign-key']);
  assert.equal(r.code, 1);
});

test('--root: lints that project from anywhere, also through a symbolic link, names stay relative', async (t) => {
  const dir = historyProject(t);
  const link = path.join(tmpdir(), `pgmig-link-${process.pid}`);
  symlinkSync(dir, link);
  t.after(() => import('node:fs').then((fs) => fs.rmSync(link, { force: true })));
  for (const root of [dir, link, path.relative(process.cwd(), dir)]) {
    const r = await lintJson(['--root', root]);
    assert.deepEqual(brief(r.findings), ['migrations/committed/000001.sql:7:1 missing-rls', 'migrations/current.sql:1:1 constraint-without-not-valid', 'migrations/current.sql:1:1 missing-lock-timeout', 'migrations/current.sql:1:58 unindexed-foreign-key'], root);
  }
});

test('columns count UTF-16 code units after non-ASCII text (accents, CJK, an emoji)', async (t) => {
  const lines = [
    "-- Ünïcödé 日本語 🎉 comment",
    "create table if not exists café (id bigint primary key, naïve_id bigint references café (id));",
    "alter table café enable row level security;",
    "drop policy if exists p on café;",
    "create policy p on café using (true);",
    "select 'é🎉日' as x frm y;",
  ];
  const dir = makeProject({ '.gmrc': '{}', 'migrations/current.sql': lines.join('\n') + '\n' }, t);
  const r = await lintJson([], { cwd: dir });
  const fk = r.findings.find((f) => f.rule === 'unindexed-foreign-key');
  assert.ok(fk, JSON.stringify(r.findings));
  assert.equal(fk.line, 2);
  assert.equal(fk.column, lines[1].indexOf('references') + 1);
  assert.equal(fk.endColumn, lines[1].indexOf('))') + 2);
  const syntax = r.findings.find((f) => f.rule === 'syntax-error');
  assert.equal(syntax.line, 6);
  assert.equal(syntax.column, lines[5].indexOf(' frm') + 2);
  assert.deepEqual(r.findings.map((f) => f.rule).sort(), ['syntax-error', 'unindexed-foreign-key']);
});

test('a folder with only migrations/committed is a project; an empty project is clean', async (t) => {
  const dir = makeProject({ 'migrations/committed/.keep': '' }, t);
  mkdirSync(path.join(dir, 'migrations', 'fixtures'), { recursive: true });
  const r = await lintJson([], { cwd: dir });
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
});

test('a folder as PATH stands for the .sql files under it; a folder without any is an error', async (t) => {
  const r = await lintJson(['migrations/fixtures'], { cwd: sampleRoot });
  assert.deepEqual(brief(r.findings), ['migrations/fixtures/drafts/search.sql:4:91 syntax-error', 'migrations/fixtures/tables/comments.sql:1:1 missing-lock-timeout', 'migrations/fixtures/tables/comments.sql:3:27 unindexed-foreign-key']);
  assert.equal(r.code, 1);
  const empty = makeProject({ 'docs/readme.txt': 'no sql here' }, t);
  const noSql = await pgmig(['lint', 'docs'], { cwd: empty });
  assert.equal(noSql.code, 2);
  assert.equal(noSql.stderr, 'pgmig: no .sql files in docs\n');
});
