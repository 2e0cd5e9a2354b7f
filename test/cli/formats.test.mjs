// The three output formats describe the same findings: JSON (the contract other tools parse), text for people,
// SARIF 2.1.0 for code scanning.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { lintJson, makeProject, pgmig, repoRoot, sampleRoot } from './helpers.mjs';

const expectedSample = JSON.parse(readFileSync(new URL('./sample.expected.json', import.meta.url), 'utf8'));
const CLEAN = {
  '.gmrc': '{}\n',
  'migrations/current.sql':
    'create table if not exists t (id bigint primary key);\nalter table t enable row level security;\ndrop policy if exists p on t;\ncreate policy p on t using (true);\n',
};

test('json: every finding has exactly the documented fields, 1-based positions, relative forward-slash paths', async () => {
  const { findings } = await lintJson(['--root', 'migrations-sample']);
  assert.ok(findings.length > 0);
  for (const f of findings) {
    assert.deepEqual(Object.keys(f), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'rule', 'message']);
    for (const k of ['line', 'column', 'endLine', 'endColumn']) assert.ok(Number.isInteger(f[k]) && f[k] >= 1, `${k} ${f[k]}`);
    assert.ok(f.endLine > f.line || (f.endLine === f.line && f.endColumn > f.column), 'a range that is not empty');
    assert.ok(!path.isAbsolute(f.file) && !f.file.includes('\\') && !f.file.startsWith('..'), f.file);
    assert.ok(['error', 'warning', 'info', 'hint'].includes(f.severity));
    assert.ok(f.message.length > 0 && !f.message.includes('\n'));
  }
});

test('json: the position points at the text the finding is about', async () => {
  for (const f of expectedSample) {
    const lines = readFileSync(path.join(sampleRoot, f.file), 'utf8').split('\n');
    const at = lines[f.line - 1].slice(f.column - 1);
    const expectedStart = {
      'missing-rls': /^create table app\.tags/,
      'non-idempotent-statement': /^(alter|create) table/,
      'policy-without-rls': /^create policy tags_select/,
      'rls-without-policy': /^alter table app\.post_tags enable row level security/,
      'syntax-error': /^;/,
      'unindexed-foreign-key': /^references app\.posts \(id\)/,
      'column-type-change': /^alter table app\.posts alter column title type/,
      'not-null-without-default': /^alter table app\.posts add column if not exists slug/,
      'missing-lock-timeout': /^create table if not exists app\.comments/,
      'drop-loses-data': /^alter table app\.users drop column/,
    }[f.rule];
    assert.match(at, expectedStart, `${f.file}:${f.line}:${f.column} ${f.rule}`);
  }
});

test('json: a clean project prints [] and exits 0', async (t) => {
  const dir = makeProject(CLEAN, t);
  const r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
  assert.equal(r.stdout.trim(), '[]');
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
});

test('text: one "file:line:column: severity rule message" line per finding, an excerpt with a caret, a summary', async () => {
  const r = await pgmig(['lint', '--root', 'migrations-sample']);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colors when NO_COLOR is set and stdout is not a terminal');
  const lines = r.stdout.trimEnd().split('\n');
  const heads = lines.filter((l) => /^\S+:\d+:\d+: /.test(l));
  assert.deepEqual(
    heads,
    expectedSample.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule} ${f.message}`),
  );
  for (const f of expectedSample) {
    const i = lines.indexOf(`${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule} ${f.message}`);
    const source = readFileSync(path.join(sampleRoot, f.file), 'utf8').split('\n')[f.line - 1];
    assert.equal(lines[i + 1], `  ${f.line} | ${source}`);
    const caret = lines[i + 2];
    const bar = caret.indexOf('| ') + 2;
    assert.equal(caret.indexOf('^'), bar + f.column - 1, `caret under column ${f.column}`);
    const width = f.endLine === f.line ? f.endColumn - f.column : source.length - (f.column - 1);
    assert.equal(caret.slice(bar + f.column - 1), '^'.repeat(width));
  }
  assert.equal(lines.at(-1), '5 errors, 6 warnings');
});

test('text: a clean project says so; --color paints severities', async (t) => {
  const dir = makeProject(CLEAN, t);
  assert.equal((await pgmig(['lint'], { cwd: dir })).stdout, 'no problems found\n');
  const colored = await pgmig(['lint', '--color', '--root', 'migrations-sample']);
  assert.match(colored.stdout, /\x1b\[31merror\x1b\[0m/);
});

test('sarif: a valid SARIF 2.1.0 log with the rule catalogue and one result per JSON finding', async () => {
  const r = await pgmig(['lint', '--format', 'sarif', '--root', 'migrations-sample']);
  assert.equal(r.code, 1);
  const log = JSON.parse(r.stdout);
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif-2\.1\.0/);
  assert.equal(log.runs.length, 1);
  const run = log.runs[0];
  const driver = run.tool.driver;
  assert.equal(driver.name, 'pgmig');
  assert.match(driver.version, /^\d+\.\d+\.\d+/);
  const ids = driver.rules.map((rule) => rule.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const rule of driver.rules) {
    assert.match(rule.id, /^[a-z]+(-[a-z]+)*$/);
    assert.ok(rule.shortDescription.text.length > 0);
    assert.equal(rule.helpUri, `https://github.com/pgmig/pgmig/blob/main/README.md#rule-${rule.id}`);
    // The anchor exists: a heading "### rule-<id>" (GitHub's anchor for it is rule-<id>).
    assert.match(readme, new RegExp(`^#+ rule-${rule.id}\\s*$`, 'm'), `README has a heading for rule-${rule.id}`);
    assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
  }
  assert.match(run.originalUriBaseIds.SRCROOT.uri, /^file:\/\/\/.*\/$/);
  assert.equal(run.results.length, expectedSample.length);
  run.results.forEach((res, i) => {
    const f = expectedSample[i];
    assert.equal(res.ruleId, f.rule);
    assert.equal(driver.rules[res.ruleIndex].id, res.ruleId);
    assert.equal(res.level, { error: 'error', warning: 'warning', info: 'note', hint: 'note' }[f.severity]);
    assert.equal(res.message.text, f.message);
    assert.equal(res.locations.length, 1);
    const loc = res.locations[0].physicalLocation;
    assert.deepEqual(loc.artifactLocation, { uri: f.file, uriBaseId: 'SRCROOT' });
    assert.deepEqual(loc.region, { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn });
  });
});

test('sarif: a clean project has a run with no results', async (t) => {
  const dir = makeProject(CLEAN, t);
  const r = await pgmig(['lint', '--format', 'sarif'], { cwd: dir });
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout).runs[0].results, []);
});

test('sarif: URIs are percent-encoded and resolve to the files; a file outside the root gets a file URL', async (t) => {
  const { fileURLToPath } = await import('node:url');
  const { realpathSync } = await import('node:fs');
  const dir = makeProject({ 'my project/.gmrc': '{}', 'my project/migrations/fixtures/a fixture#1.sql': 'select 1 frm x;\n' }, t);
  const root = path.join(dir, 'my project');
  const r = await pgmig(['lint', '--format', 'sarif'], { cwd: root });
  const run = JSON.parse(r.stdout).runs[0];
  const base = run.originalUriBaseIds.SRCROOT.uri;
  assert.equal(fileURLToPath(base), realpathSync(root) + '/');
  const loc = run.results[0].locations[0].physicalLocation.artifactLocation;
  assert.equal(loc.uri, 'migrations/fixtures/a%20fixture%231.sql');
  assert.equal(fileURLToPath(new URL(loc.uri, base)), realpathSync(path.join(root, 'migrations/fixtures/a fixture#1.sql')));

  const outside = makeProject({ 'x.sql': 'select 1 frm x;\n' }, t);
  const o = await pgmig(['lint', '--format', 'sarif', path.join(outside, 'x.sql')], { cwd: root });
  const oloc = JSON.parse(o.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation;
  assert.equal(fileURLToPath(oloc.uri), realpathSync(path.join(outside, 'x.sql')));
  assert.equal(oloc.uriBaseId, undefined);
});

test('text: the caret lines up under the finding when tabs come before it', async (t) => {
  const dir = makeProject({ 'migrations/current.sql': '\tselect\t1 frm y;\n' }, t);
  const r = await pgmig(['lint'], { cwd: dir });
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'migrations/current.sql:1:15: error syntax-error syntax error at or near "y"');
  assert.equal(lines[1], '  1 | \tselect\t1 frm y;');
  assert.equal(lines[2], '    | \t      \t      ^');
});
