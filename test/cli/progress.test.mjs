// Long lint work says what it is doing on a terminal (issue 11 §6: a 53 MB file printed nothing for 18.6 s), and
// nothing anywhere else: not in a pipe, not in CI, not with --format json or sarif.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, makeProject, pgmig, repoRoot } from './helpers.mjs';

const { lintProgress } = await import(path.join(repoRoot, 'out/cli/lintProgress.js'));
const { lint } = await import(path.join(repoRoot, 'out/core/lint.js'));
const { generate } = await import(path.join(repoRoot, 'bench/generate.mjs'));

function fakeTerminal(isTTY) {
  const written = [];
  return { stream: { isTTY, write: (s) => written.push(s) }, written };
}

test('lintProgress: one rewritten line on a terminal, erased before the results; nothing in CI, a pipe or JSON', () => {
  let clock = 0;
  const t = fakeTerminal(true);
  const p = lintProgress(t.stream, {}, 'text', () => clock);
  p.show('linting the project in .'); // quick runs stay quiet
  assert.deepEqual(t.written, []);
  p.show('linting big.sql (53.0 MB)', true);
  clock = 400;
  p.show('linting 4088 files on 2 threads');
  p.clear();
  assert.deepEqual(t.written, ['\r\x1b[Kpgmig: linting big.sql (53.0 MB)…', '\r\x1b[Kpgmig: linting 4088 files on 2 threads…', '\r\x1b[K']);
  assert.equal(lintProgress(fakeTerminal(false).stream, {}, 'text'), undefined, 'a pipe');
  assert.equal(lintProgress(fakeTerminal(true).stream, { CI: 'true' }, 'text'), undefined, 'CI');
  assert.equal(lintProgress(fakeTerminal(true).stream, {}, 'json'), undefined, '--format json');
  assert.equal(lintProgress(fakeTerminal(true).stream, {}, 'sarif'), undefined, '--format sarif');
});

test('lint reports progress for a large file: announced, parsed in pieces, checked', async (t) => {
  const dir = makeProject({}, t);
  writeFileSync(path.join(dir, 'big.sql'), generate(14_000)); // 1.4 MB: above the size announced and parsed on two threads
  const events = [];
  const r = await lint({ cwd: dir, paths: ['big.sql'], workerScript: path.join(repoRoot, 'dist/lintWorker.js'), progress: (m, large) => events.push([m, large]) });
  assert.ok(r.findings.length > 0);
  assert.match(events[0][0], /^linting big\.sql \(1\.\d MB\)$/);
  assert.ok(events.some(([m]) => /^parsing big\.sql \(1\.\d MB\): \d+%$/.test(m)), JSON.stringify(events));
  assert.equal(events.at(-1)[0], 'checked big.sql; reporting');
  assert.ok(events.every(([, large]) => large === true));
});

test('pgmig lint on a terminal shows the progress line and erases it; in a pipe stderr stays empty', { skip: spawnSync('script', ['--version']).error ? 'no `script` (util-linux) to give the CLI a terminal' : false }, async (t) => {
  const dir = makeProject({}, t);
  writeFileSync(path.join(dir, 'big.sql'), generate(14_000));
  // `script` runs the CLI on a pseudo-terminal: stdout and stderr both arrive here, as a terminal shows them.
  const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} lint big.sql`, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '', NO_COLOR: '1' } });
  assert.match(r.stdout, /\r\x1b\[Kpgmig: linting big\.sql \(1\.\d MB\)…/);
  assert.match(r.stdout, /\r\x1b\[Kbig\.sql:\d+:\d+: /, 'erased before the first finding');
  const piped = await pgmig(['lint', 'big.sql'], { cwd: dir });
  assert.equal(piped.stderr, '');
  assert.match(piped.stdout, /^big\.sql:/);
});

test('lint announces a project with a large file at once', async (t) => {
  const dir = makeProject({ '.gmrc': '{}\n', 'migrations/committed/.keep': '' }, t);
  writeFileSync(path.join(dir, 'migrations/current.sql'), generate(14_000));
  const events = [];
  await lint({ cwd: dir, progress: (m, large) => events.push([m, large]) });
  assert.deepEqual(events, [['linting the project in . (1 file, the largest 1.4 MB)', true]]);
});
