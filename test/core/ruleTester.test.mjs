// The harness itself: it must fail when a rule's findings differ from what a case expects, or every rule test
// built on it could pass without checking anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFix, assertFindings, lint, readProjectFile } from './ruleTester.mjs';

const finding = (over = {}) => ({
  file: 'migrations/current.sql', rule: 'missing-rls', severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 15,
  message: 'table a does not have row level security enabled', text: 'create table a', fixes: [], related: [], ...over,
});
const want = (over = {}) => ({ line: 1, column: 1, endLine: 1, endColumn: 15, message: 'row level security', ...over });

test('assertFindings passes on an exact match and fails on any difference', () => {
  assertFindings([finding()], [want()], 'missing-rls');
  const wrong = [
    [[], [want()]],
    [[finding(), finding()], [want()]],
    [[finding()], [want({ column: 2 })]],
    [[finding()], [want({ endLine: 2 })]],
    [[finding()], [want({ endColumn: 14 })]],
    [[finding()], [want({ line: 2 })]],
    [[finding()], [want({ message: 'policy' })]],
    [[finding()], [want({ message: /^policy/ })]],
    [[finding()], [want({ severity: 'warning' })]],
    [[finding()], [want({ file: 'migrations/fixtures/a.sql' })]],
    [[finding()], [want({ text: 'create table b' })]],
    [[finding()], [want({ fixes: 1 })]],
    [[finding()], [{ line: 1, column: 1, endLine: 1 }]], // a position left out is an error in the test case
  ];
  for (const [actual, expected] of wrong) assert.throws(() => assertFindings(actual, expected, 'missing-rls'), assert.AssertionError, JSON.stringify(expected));
});

test('committed bodies get a valid hash chain; raw text is kept as written', () => {
  const { findings, dir } = lint({
    'migrations/committed/000001.sql': 'create table a (id int);\nalter table a enable row level security;\ncreate policy p on a using (true);',
    'migrations/committed/000002-second.sql': 'select 1;',
    'migrations/committed/000003.sql': { raw: '--! Previous: -\n--! Hash: sha1:0\n\nselect 2;\n' },
    'migrations/current.sql': '',
  });
  assert.deepEqual(findings.map((f) => `${f.file} ${f.rule}`), ['migrations/committed/000003.sql committed-chain-broken', 'migrations/committed/000003.sql committed-hash-mismatch']);
  assert.match(readProjectFile(dir, 'migrations/committed/000002-second.sql'), /^--! Previous: sha1:[0-9a-f]{40}\n--! Hash: sha1:[0-9a-f]{40}\n\nselect 1;\n$/);
});

test('applyFix edits the files on disk and returns their new text', () => {
  const { dir, findings } = lint('create table a (id int);');
  const f = findings.find((x) => x.rule === 'non-idempotent-statement');
  assert.deepEqual(applyFix(dir, f), { 'migrations/current.sql': 'create table IF NOT EXISTS a (id int);' });
  assert.equal(readProjectFile(dir, 'migrations/current.sql'), 'create table IF NOT EXISTS a (id int);');
  assert.throws(() => applyFix(dir, f, 1), /has no fix #1/);
});
