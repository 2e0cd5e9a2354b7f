// Activation time of the VS Code extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3, headless
// Chromium): from VS Code starting to load the extension's code (the bundle's first line) to the language client
// ready (the server answered `initialize`), as the extension itself measures it (PGMIG_ACTIVATION_LOG). The
// extension is installed from the packaged .vsix when there is one (`npm run package`), else from the repository.
// Goal: under 100 ms. BENCH_RUNS=N (default 5). Needs `bash test/vscode/setup.sh`.
import { existsSync, readFileSync, rmSync, statSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyWorkspace, launchChromium, missingPrerequisite, startCodeServer } from '../test/vscode/codeServer.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GOAL_MS = 100;

const missing = missingPrerequisite();
if (missing) {
  console.log(`activation bench skipped: ${missing}`);
  process.exit(0);
}
const { version, name } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const vsix = process.argv[2] ?? path.join(repoRoot, `${name}-${version}.vsix`);
const useVsix = existsSync(vsix);
if (useVsix) console.log(`activation: installing ${path.relative(repoRoot, vsix)} (${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MB) with code-server --install-extension`);
else console.log('activation: no .vsix (npm run package); loading the extension from the repository');

const results = [];
for (let run = 0; run < RUNS; run++) {
  const workspace = copyWorkspace();
  const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-act-')), 'activation.jsonl');
  const server = await startCodeServer({ workspace, installExtension: !useVsix, installVsix: useVsix ? vsix : undefined, env: { PGMIG_ACTIVATION_LOG: logFile } });
  const browser = await launchChromium();
  try {
    const opened = performance.now();
    await browser.page.goto(server.workbenchUrl());
    while (!existsSync(logFile) || !readFileSync(logFile, 'utf8').trim()) {
      if (performance.now() - opened > 60_000) throw new Error('the extension never reported its activation (PGMIG_ACTIVATION_LOG)');
      await new Promise((r) => setTimeout(r, 50));
    }
    const line = JSON.parse(readFileSync(logFile, 'utf8').trim().split('\n')[0]);
    results.push(line);
    // Where it goes: evaluating the bundle, VS Code calling activate(), activate()'s own setup, waiting for the server.
    const parts = line.loadEnd !== undefined && line.setupDone !== undefined ? `: bundle evaluated ${(line.loadEnd - line.loadStart).toFixed(1)} ms, then activate() called ${(line.activateStart - line.loadEnd).toFixed(1)} ms later, setup ${(line.setupDone - line.activateStart).toFixed(1)} ms, server answering ${(line.clientReady - line.setupDone).toFixed(1)} ms more` : '';
    console.log(`run ${run + 1}: ${line.totalMs.toFixed(1)} ms (load -> activate() ${(line.activateStart - line.loadStart).toFixed(1)} ms, activate() -> client ready ${(line.clientReady - line.activateStart).toFixed(1)} ms${parts}); workbench opened -> reported ${((performance.now() - opened) / 1000).toFixed(1)} s`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    rmSync(path.dirname(logFile), { recursive: true, force: true });
  }
}
const totals = results.map((r) => r.totalMs).sort((a, b) => a - b);
const median = totals[Math.floor(totals.length / 2)];
console.log(`activation (load -> language client ready): median ${median.toFixed(1)} ms, min ${totals[0].toFixed(1)} ms, max ${totals.at(-1).toFixed(1)} ms over ${totals.length} runs; goal < ${GOAL_MS} ms: ${median < GOAL_MS ? 'met' : 'NOT met'}`);
if (useVsix) console.log(`vsix: ${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MB`);
