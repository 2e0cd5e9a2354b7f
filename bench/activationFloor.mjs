// VS Code's own share of bench/activation.mjs: a no-op extension with pgmig's activation events, measured the same way
// (first start, then a reload of the window), from VS Code starting to load it (its mark willLoadExtensionCode) to
// activate() being called. Between the two VS Code waits for the extension's stored state from the window
// (didLoadExtensionCode -> willActivateExtension): no extension can be ready sooner than this.
// BENCH_RUNS=N (default 5). Needs `bash test/vscode/setup.sh`.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const extension = mkdtempSync(path.join(os.tmpdir(), 'pgmig-noop-'));
const { activationEvents } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
mkdirSync(path.join(extension, 'dist'));
writeFileSync(path.join(extension, 'package.json'), JSON.stringify({ name: 'noop', publisher: 'pgmigbench', version: '0.0.1', engines: { vscode: '^1.91.0' }, main: './dist/client.js', activationEvents }));
writeFileSync(path.join(extension, 'dist', 'client.js'), `exports.activate = function () {
  const now = Date.now();
  const marks = globalThis.MonacoPerformanceMarks ? globalThis.MonacoPerformanceMarks.getMarks() : [];
  const mark = (n) => (marks.find((m) => m.name === 'code/extHost/' + n + '/pgmigbench.noop') || {}).startTime;
  require('fs').appendFileSync(process.env.PGMIG_ACTIVATION_LOG, JSON.stringify({ willLoad: mark('willLoadExtensionCode'), didLoad: mark('didLoadExtensionCode'), willActivate: mark('willActivateExtension'), activate: now }) + '\\n');
};
`);
// codeServer.mjs installs the extension it finds here (read when it is imported).
process.env.PGMIG_VSCODE_EXTENSION_PATH = extension;
const { copyWorkspace, launchChromium, missingPrerequisite, startCodeServer } = await import('../test/vscode/codeServer.mjs');
const missing = missingPrerequisite();
if (missing) {
  console.log(`activation floor bench skipped: ${missing}`);
  process.exit(0);
}

const results = { first: [], reload: [] };
try {
  for (let run = 0; run < RUNS; run++) {
    const workspace = copyWorkspace();
    const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-floor-')), 'a.jsonl');
    const server = await startCodeServer({ workspace, installExtension: true, env: { PGMIG_ACTIVATION_LOG: logFile } });
    const browser = await launchChromium();
    try {
      for (const [n, kind] of [[1, 'first'], [2, 'reload']]) {
        if (n === 1) await browser.page.goto(server.workbenchUrl());
        else {
          await new Promise((r) => setTimeout(r, 4000)); // as bench/activation.mjs
          await browser.page.reload();
        }
        const since = performance.now();
        const lines = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean) : []);
        while (lines().length < n) {
          if (performance.now() - since > 60_000) throw new Error('the no-op extension never activated');
          await new Promise((r) => setTimeout(r, 50));
        }
        const l = JSON.parse(lines()[n - 1]);
        results[kind].push(l.activate - l.willLoad);
        console.log(`run ${run + 1}, ${kind === 'first' ? 'first start' : 'reload'}: activate() called ${l.activate - l.willLoad} ms after VS Code started loading the extension (loaded in ${l.didLoad - l.willLoad} ms, then ${l.willActivate - l.didLoad} ms waiting for its stored state)`);
      }
    } finally {
      await browser.close();
      await server.stop();
      rmSync(path.dirname(workspace), { recursive: true, force: true });
      rmSync(path.dirname(logFile), { recursive: true, force: true });
    }
  }
} finally {
  rmSync(extension, { recursive: true, force: true });
}
for (const [kind, v] of Object.entries(results)) {
  v.sort((a, b) => a - b);
  if (v.length) console.log(`no-op extension, ${kind === 'first' ? 'first start' : 'window reloaded'}: activation event -> activate() median ${v[Math.floor(v.length / 2)]} ms, min ${v[0]} ms, max ${v.at(-1)} ms over ${v.length} runs`);
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
