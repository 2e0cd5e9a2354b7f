// The sample projects are the documented demonstration of every rule: their exact findings are pinned in
// sample.expected.json / broken-history.expected.json (other suites, e.g. the VS Code tests, reuse those files).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { brief, lintJson, pgmig, repoRoot, sampleRoot } from './helpers.mjs';

const expectedSample = JSON.parse(readFileSync(new URL('./sample.expected.json', import.meta.url), 'utf8'));
const expectedBroken = JSON.parse(readFileSync(new URL('./broken-history.expected.json', import.meta.url), 'utf8'));
const brokenRoot = path.join(sampleRoot, 'broken-history');

test('migrations-sample: exactly the findings in sample.expected.json, exit code 1', async () => {
  const r = await lintJson(['--root', 'migrations-sample']);
  assert.deepEqual(r.findings, expectedSample);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, '');
});

test('migrations-sample/broken-history: exactly the findings in broken-history.expected.json', async () => {
  const r = await lintJson(['--root', 'migrations-sample/broken-history']);
  // Messages name paths relative to the project root, so the output is the same on every machine.
  assert.ok(!JSON.stringify(r.findings).includes(realpathSync(brokenRoot)), 'no absolute path in the output');
  assert.deepEqual(r.findings, expectedBroken);
  assert.equal(r.code, 1);
});

// Rules of the other layouts (numbered, Alembic): a graphile-migrate project cannot show them.
const OTHER_LAYOUTS = new Set(['migration-without-transaction', 'missing-rollback', 'alembic-multiple-heads', 'applied-migration-edited']);
// A statement of tens of megabytes has no place in a sample (test/cli/badBytes.test.mjs shows it).
const NOT_IN_SAMPLES = new Set(['statement-too-large']);
// The rules of issue 2, which the samples must show whatever else changes.
const GRAPHILE_RULES = [
  'syntax-error', 'non-idempotent-statement', 'missing-rls', 'rls-without-policy', 'policy-without-rls', 'unindexed-foreign-key',
  'include-not-found', 'include-cycle', 'include-outside-fixtures', 'committed-hash-mismatch', 'committed-chain-broken',
];

test('the two sample projects show every rule the CLI knows that applies to graphile-migrate projects', async () => {
  const sarif = JSON.parse((await pgmig(['lint', '--format', 'sarif', '--root', 'migrations-sample'])).stdout);
  const known = sarif.runs[0].tool.driver.rules.map((r) => r.id);
  for (const id of GRAPHILE_RULES) assert.ok(known.includes(id), `the CLI knows ${id}`);
  const shown = new Set([...expectedSample, ...expectedBroken].map((f) => f.rule));
  assert.deepEqual([...shown].sort(), known.filter((id) => !OTHER_LAYOUTS.has(id) && !NOT_IN_SAMPLES.has(id)).sort());
});

test('the main sample keeps a valid history (it must stay migratable) and compiling includes', () => {
  const historyOrInclude = expectedSample.filter((f) => f.rule.startsWith('committed-') || f.rule.startsWith('include-'));
  assert.deepEqual(historyOrInclude, []);
});

test('the sample README lists every finding of both projects (file:line and rule)', () => {
  const readme = readFileSync(path.join(sampleRoot, 'README.md'), 'utf8');
  for (const f of expectedSample) assert.match(readme, new RegExp('`' + f.file + ':' + f.line + '`[^\\n]*\\| ' + f.rule + ' \\|'), `${f.file}:${f.line} ${f.rule}`);
  for (const f of expectedBroken) assert.match(readme, new RegExp('`' + f.file + ':' + f.line + '`[^\\n]*\\| ' + f.rule + ' \\|'), `${f.file}:${f.line} ${f.rule}`);
});

test('lint without --root from a folder inside the sample finds the project and reports the same', async () => {
  const r = await lintJson([], { cwd: path.join(sampleRoot, 'migrations', 'fixtures', 'tables') });
  assert.deepEqual(r.findings, expectedSample);
});

test('paths mode on the sample: one fixture, with the project around it', async () => {
  const r = await lintJson(['migrations/fixtures/tables/comments.sql'], { cwd: sampleRoot });
  assert.deepEqual(brief(r.findings), ['migrations/fixtures/tables/comments.sql:1:1 missing-lock-timeout', 'migrations/fixtures/tables/comments.sql:3:27 unindexed-foreign-key']);
  assert.equal(r.code, 0, 'a warning alone exits 0');
});

test('the sample script (npm run sample without the build) lints both projects and succeeds despite findings', () => {
  const r = spawnSync(process.execPath, [path.join(sampleRoot, 'run.mjs')], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /5 errors, 6 warnings/);
  assert.match(r.stdout, /committed-chain-broken/);
});
