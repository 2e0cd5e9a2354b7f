// `npm test`: builds once, runs every suite with node's test runner, and ends with one line
// `N passed, N failed` summing all suites (CI counts that line).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function step(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (r.status !== 0) {
    console.error(`${cmd} ${args.join(' ')} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const only = process.argv.slice(2);
step(process.execPath, ['esbuild.mjs']);
step(process.execPath, [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);

// Each suite is a list of test files (a `dir/*.test.mjs` glob or a folder) run in its own `node --test` process.
const suites = [
  { name: 'core', files: ['test/core/'] }, // a folder: node 20's --test takes no globs, and a folder is searched recursively for *.test.mjs
  { name: 'cli', files: ['test/cli/*.test.mjs'] },
  { name: 'corpus', files: ['test/corpus/*.test.mjs'] },
  { name: 'server', files: ['test/server/*.test.mjs'] },
  { name: 'engine', files: ['test/engine/'] }, // a folder (node 20 takes no globs); helpers.mjs is not a *.test.mjs
  { name: 'layouts', files: ['test/layouts/'] }, // numbered, drizzle (real drizzle-kit), alembic (Debian's python3-alembic)
  { name: 'vscode', files: ['test/vscode/*.test.mjs'] }, // not the folder: .state/ may hold a code-server's symlink back to the repo; host/*.host.js run inside VS Code
].filter((s) => only.length === 0 || only.includes(s.name));

let passed = 0;
let failed = 0;
let skipped = 0;
// node 20's --test takes no globs: `dir/*.test.mjs` is expanded here (a folder is passed on as it is).
function expand(pattern) {
  if (!pattern.includes('*')) return existsSync(pattern) ? [pattern] : [];
  const dir = path.dirname(pattern);
  const re = new RegExp('^' + path.basename(pattern).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
  return existsSync(dir) ? readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => path.join(dir, n)) : [];
}

for (const suite of suites) {
  const files = suite.files.flatMap(expand);
  // No files: skip (an empty file list would make node --test run every test it finds).
  if (files.length === 0) continue;
  console.log(`\n=== suite ${suite.name} ===`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', '--test-reporter-destination=' + path.join('out', `tap-${suite.name}.txt`), ...files], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  // The TAP file's summary counts this suite's tests.
  const { readFileSync } = await import('node:fs');
  const tap = readFileSync(path.join('out', `tap-${suite.name}.txt`), 'utf8');
  const num = (k) => Number((tap.match(new RegExp(`^# ${k} (\\d+)`, 'm')) ?? [])[1] ?? 0);
  const p = num('pass');
  const f = num('fail') + num('cancelled');
  passed += p;
  failed += f;
  skipped += num('skipped');
  if (code !== 0 && f === 0) failed += 1; // a suite that crashed without reporting a failing test still fails
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
