// Exit codes: 0 no error finding, 1 an error finding, 2 bad arguments / no project / unreadable config, with a
// one-line reason on stderr and nothing on stdout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeProject, pgmig } from './helpers.mjs';

const RLS_TABLE = 'create table if not exists t (id bigint primary key);\nalter table t enable row level security;\ndrop policy if exists p on t;\ncreate policy p on t using (true);\n';

async function assertUsageError(args, options, reason) {
  const r = await pgmig(args, options);
  assert.equal(r.code, 2, `exit code of pgmig ${args.join(' ')}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, /^pgmig: [^\n]+\n$/, 'exactly one line on stderr');
  assert.match(r.stderr, reason);
}

test('0: no finding; 0: warnings only; 1: an error finding', async (t) => {
  const clean = makeProject({ '.gmrc': '{}', 'migrations/current.sql': RLS_TABLE }, t);
  assert.equal((await pgmig(['lint'], { cwd: clean })).code, 0);
  const warning = makeProject({ '.gmrc': '{}', 'migrations/current.sql': 'create table if not exists t (id bigint primary key);\nalter table t enable row level security;\n' }, t);
  const w = await pgmig(['lint', '--format', 'json'], { cwd: warning });
  assert.deepEqual(JSON.parse(w.stdout).map((f) => f.severity), ['warning']);
  assert.equal(w.code, 0);
  const error = makeProject({ '.gmrc': '{}', 'migrations/current.sql': 'select 1 frm x;\n' }, t);
  assert.equal((await pgmig(['lint'], { cwd: error })).code, 1);
});

test('pgmig.json severities decide the exit code: an error turned into a warning exits 0, "off" removes it', async (t) => {
  const files = { 'migrations/current.sql': 'create table if not exists t (id bigint primary key);\n' };
  const asWarning = makeProject({ ...files, 'pgmig.json': '{ rules: { "missing-rls": "warning" } }' }, t);
  const w = await pgmig(['lint', '--format', 'json'], { cwd: asWarning });
  assert.deepEqual(JSON.parse(w.stdout).map((f) => `${f.rule} ${f.severity}`), ['missing-rls warning']);
  assert.equal(w.code, 0);
  const off = makeProject({ ...files, 'pgmig.json': '// JSON5 with comments\n{ "rules": { "missing-rls": "off" }, }' }, t);
  const o = await pgmig(['lint', '--format', 'json'], { cwd: off });
  assert.equal(o.stdout.trim(), '[]');
  assert.equal(o.code, 0);
  const excluded = makeProject({ ...files, 'pgmig.json': '{ "excludedTables": ["t"] }' }, t);
  assert.equal((await pgmig(['lint', '--format', 'json'], { cwd: excluded })).stdout.trim(), '[]');
});

test('2: an unknown option, a bad or missing --format value, an unknown command', async () => {
  await assertUsageError(['lint', '--bogus'], {}, /--bogus/);
  await assertUsageError(['lint', '--format', 'xml', '--root', 'migrations-sample'], {}, /--format must be text, json or sarif/);
  await assertUsageError(['lint', '--root', 'migrations-sample', '--format'], {}, /--format/);
  await assertUsageError(['frobnicate'], {}, /unknown command 'frobnicate'/);
});

test('2: no project here or above, a --root that is not a project, a path that does not exist', async (t) => {
  const empty = makeProject({ 'notes.txt': 'not a project' }, t);
  await assertUsageError(['lint'], { cwd: empty }, /no migrations project found/);
  await assertUsageError(['lint', '--root', empty], {}, /no migrations project found at /);
  await assertUsageError(['lint', '--root', empty + '/does-not-exist'], {}, /no migrations project found/);
  await assertUsageError(['lint', 'missing.sql'], { cwd: empty }, /cannot read missing\.sql/);
});

test('2: a pgmig.json that is not JSON5, or holds a bad setting; a .gmrc that is not JSON5', async (t) => {
  const current = { 'migrations/current.sql': 'select 1;\n' };
  await assertUsageError(['lint'], { cwd: makeProject({ ...current, 'pgmig.json': '{ rules: {' }, t) }, /pgmig\.json: not valid JSON5/);
  await assertUsageError(['lint'], { cwd: makeProject({ ...current, 'pgmig.json': '{ "rules": { "missing-rls": "fatal" } }' }, t) }, /severity must be one of/);
  await assertUsageError(['lint'], { cwd: makeProject({ ...current, 'pgmig.json': '{ "excludedSchema": [] }' }, t) }, /unknown setting "excludedSchema"/);
  await assertUsageError(['lint'], { cwd: makeProject({ ...current, '.gmrc': '{ placeholders: ' }, t) }, /\.gmrc: not valid JSON5/);
  // The same in paths mode: the project's config is read too.
  const broken = makeProject({ ...current, 'pgmig.json': '[1,' }, t);
  await assertUsageError(['lint', 'migrations/current.sql'], { cwd: broken }, /pgmig\.json: not valid JSON5/);
});

test('--help and --version exit 0; no command prints the help and exits 2', async () => {
  const help = await pgmig(['lint', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: pgmig lint/);
  const version = await pgmig(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  const none = await pgmig([]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /Usage: pgmig <command>/);
});

test('a reader that stops early (pgmig lint | head -1) is no crash: no stack trace, the usual exit code', async (t) => {
  const { spawn } = await import('node:child_process');
  const { cli } = await import('./helpers.mjs');
  const big = Array.from({ length: 3000 }, (_, i) => `create table t${i} (id bigint primary key);`).join('\n') + '\n';
  const dir = makeProject({ 'big.sql': big }, t);
  const { code, stderr } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'lint', 'big.sql'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    // Take the first chunk, then close the pipe, as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stderr: err }));
  });
  assert.equal(stderr, '');
  assert.equal(code, 1);
});
