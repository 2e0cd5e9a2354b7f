// Bytes that PostgreSQL refuses or that a terminal obeys, and statements too large for the parser (issue 11 §6):
// each is a finding where it is, the rest of the file is still analysed, and nothing from a file drives the terminal.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { brief, lintJson, makeProject, pgmig } from './helpers.mjs';

test('a NUL byte is a syntax error at its place, and the statements after it are still analysed', async (t) => {
  const dir = makeProject({ 'a.sql': 'select 1;\0\ncreate table a(id int);\nselect from where;\n' }, t);
  const r = await lintJson(['a.sql'], { cwd: dir });
  assert.deepEqual(brief(r.findings), ['a.sql:1:10 syntax-error', 'a.sql:2:1 missing-rls', 'a.sql:3:13 syntax-error']);
  assert.match(r.findings[0].message, /^NUL byte .*08P01 invalid message format/);
  assert.equal(r.code, 1);
});

test('a NUL byte in current.sql of a project: reported there, and the rest of current is still analysed', async (t) => {
  const dir = makeProject({ '.gmrc': '{}\n', 'migrations/current.sql': 'select 1;\0\0\ncreate table a(id int);\n' }, t);
  const r = await lintJson([], { cwd: dir });
  assert.deepEqual(brief(r.findings), ['migrations/current.sql:1:10 syntax-error', 'migrations/current.sql:2:1 missing-rls', 'migrations/current.sql:2:1 non-idempotent-statement']);
  assert.equal(r.findings[0].endColumn, 12, 'the run of two NULs');
});

test('bytes that are not UTF-8 are a syntax error at their place, in a standalone file and in a fixture', async (t) => {
  const dir = makeProject({}, t);
  writeFileSync(path.join(dir, 'latin1.sql'), Buffer.from('-- caf\xe9 au lait\nselect 1;\n', 'latin1'));
  const r = await lintJson(['latin1.sql'], { cwd: dir });
  assert.deepEqual(brief(r.findings), ['latin1.sql:1:7 syntax-error']);
  assert.match(r.findings[0].message, /^invalid byte sequence for encoding "UTF8": 0xe9\b/);

  const project = makeProject({ '.gmrc': '{}\n', 'migrations/current.sql': 'select 1;\n--!include seed.sql\nselect 2;\n', 'migrations/fixtures/seed.sql': '' }, t);
  writeFileSync(path.join(project, 'migrations/fixtures/seed.sql'), Buffer.concat([Buffer.from('select 3;\nselect \'\u20ac'), Buffer.from([0xe2, 0x82]), Buffer.from("';\n")]));
  const p = await lintJson([], { cwd: project });
  assert.deepEqual(brief(p.findings), ['migrations/fixtures/seed.sql:2:10 syntax-error']);
  assert.match(p.findings[0].message, /0xe2 0x82/);
});

test('valid UTF-8 that contains U+FFFD itself is no finding', async (t) => {
  const dir = makeProject({ 'a.sql': "select 'replacement: \uFFFD';\n" }, t);
  assert.deepEqual((await lintJson(['a.sql'], { cwd: dir })).findings, []);
});

test('text output escapes control characters from files: no escape sequence reaches the terminal, carets still line up', async (t) => {
  const dir = makeProject({ 'a.sql': 'select 1 from \x1b[31mred\x1b[0m x where;\n', '\x1b[2Jb.sql': 'selec 1;\n', 'c.sql': '/* \u202e */ selec 1;\n' }, t);
  const r = await pgmig(['lint', '.'], { cwd: dir });
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/.test(r.stdout), JSON.stringify(r.stdout));
  const lines = r.stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith('a.sql:'));
  assert.equal(lines[at], 'a.sql:1:15: error syntax-error syntax error at or near "\\x1b"');
  assert.equal(lines[at + 1], '  1 | select 1 from \\x1b[31mred\\x1b[0m x where;');
  assert.equal(lines[at + 2], '    |               ^^^^');
  assert.ok(lines.some((l) => l.startsWith('\\x1b[2Jb.sql:1:1: error syntax-error')));
  const c = lines.findIndex((l) => l.startsWith('c.sql:'));
  assert.equal(lines[c + 1], '  1 | /* \\u202e */ selec 1;');
  assert.equal(lines[c + 2], '    |              ^^^^^');
});

/** One INSERT of about 45 MB: its parse tree (about 210 MB of JSON) does not fit in the parser's memory. */
function hugeInsert() {
  const rows = [];
  for (let i = 0; i < 1_000_000; i++) rows.push(`(${i}, 'some text value ${i}', ${i * 1.5})`);
  return 'insert into t(a,b,c) values\n' + rows.join(',\n') + ';\n';
}

test('a statement too large for the parser is a statement-too-large warning, never a crash or a syntax error', async (t) => {
  const sql = hugeInsert();
  const dir = makeProject({ 'big.sql': sql, '.gmrc': '{}\n', 'migrations/current.sql': 'select 1;\n' + sql + 'selec 2;\ncreate table if not exists u(id int);\n' }, t);
  // Alone (the large-file path, parsed on two threads).
  const alone = await lintJson(['big.sql'], { cwd: dir });
  assert.equal(alone.stderr, '');
  assert.deepEqual(brief(alone.findings), ['big.sql:1:1 statement-too-large']);
  assert.match(alone.findings[0].message, /^statement too large for the parser \(45\.0 MB\)/);
  assert.deepEqual([alone.findings[0].endLine, alone.findings[0].endColumn], [1, 28], 'its first line');
  assert.equal(alone.code, 0);
  // In a project, between other statements: those are still analysed.
  const inProject = await lintJson([], { cwd: dir });
  assert.deepEqual(brief(inProject.findings), ['migrations/current.sql:2:1 statement-too-large', 'migrations/current.sql:1000003:1 syntax-error', 'migrations/current.sql:1000004:1 missing-rls']);
});
