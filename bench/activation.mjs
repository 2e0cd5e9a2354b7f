// Activation time of the VS Code extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3, headless
// Chromium): from the activation event (VS Code's own mark of starting to load the extension's code) to the language
// client ready (the server answered `initialize`), as the extension itself measures it (PGMIG_ACTIVATION_LOG). Also
// printed: from the bundle's first line and from activate(), and where the time goes. Each run measures the first
// start after installing and then a reload of the window (V8 code caches written by the first start). The
// extension is installed from the packaged .vsix when there is one (`npm run package`), else from the repository.
// Goal: under 100 ms. BENCH_RUNS=N (default 5). Needs `bash test/vscode/setup.sh`. VS Code's own share (a no-op
// extension with the same activation events): bench/activationFloor.mjs.
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

/** Waits for the `n`th activation the extension reports; the server writes its line at `initialize`, the client its own once ready. */
async function activationReport(logFile, n, since) {
  for (;;) {
    const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
    const clients = lines.filter((l) => l.clientReady !== undefined);
    if (clients.length >= n) return { line: clients[n - 1], serverTimes: lines.filter((l) => l.server)[n - 1]?.server };
    if (performance.now() - since > 60_000) throw new Error('the extension never reported its activation (PGMIG_ACTIVATION_LOG)');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function describe(label, { line, serverTimes }, opened) {
  // Everything on one timeline: ms since VS Code's own mark of starting to load the extension (epoch ms).
  const origin = line.vscodeMarks?.willLoadExtensionCode;
  const at = (epoch) => (origin !== undefined && epoch !== undefined ? epoch - origin : undefined);
  const client = (t) => (t !== undefined ? at(line.timeOrigin + t) : undefined);
  const server = (t) => (serverTimes && t !== undefined ? at(serverTimes.timeOrigin + t) : undefined);
  const result = { fromEvent: client(line.clientReady), fromLoad: line.totalMs, fromActivate: line.clientReady - line.activateStart };
  const f = (v) => (v !== undefined ? v.toFixed(0) : '?');
  console.log(`${label}: activation event -> client ready ${f(result.fromEvent)} ms (from the bundle's first line ${result.fromLoad.toFixed(1)} ms, from activate() ${result.fromActivate.toFixed(1)} ms); workbench opened -> reported ${((performance.now() - opened) / 1000).toFixed(1)} s`);
  // Where it goes (ms after VS Code started loading the extension): VS Code reads the entry point, which forks the
  // server and loads the rest of the client while VS Code waits for the extension's stored state from the window
  // (didLoadExtensionCode -> willActivateExtension), then calls activate(), which starts the client.
  console.log(`  timeline: entry point ${f(client(line.loadStart))}-${f(client(line.loadEnd))}, VS Code loaded it ${f(at(line.vscodeMarks?.didLoadExtensionCode))}; ` +
    `rest of the client loaded ${f(client(line.extensionLoadStart))}-${f(client(line.extensionLoadEnd))}; VS Code calls activate() ${f(at(line.vscodeMarks?.willActivateExtension))} (activate() ${f(client(line.activateStart))}), setup done ${f(client(line.setupDone))}; ` +
    `server process started ${f(at(serverTimes?.timeOrigin))}, loaded ${f(server(serverTimes?.loaded))}, got initialize ${f(server(serverTimes?.initialize))}; initialize answered ${f(client(line.initializeAnswered))}; client ready ${f(result.fromEvent)}`);
  return result;
}

// Per run: the first start after installing (no V8 code caches yet), then a reload of the window (a new extension
// host and server, with the caches the first start wrote).
const results = { first: [], reload: [] };
for (let run = 0; run < RUNS; run++) {
  const workspace = copyWorkspace();
  const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-act-')), 'activation.jsonl');
  const server = await startCodeServer({ workspace, installExtension: !useVsix, installVsix: useVsix ? vsix : undefined, env: { PGMIG_ACTIVATION_LOG: logFile } });
  const browser = await launchChromium();
  try {
    let opened = performance.now();
    await browser.page.goto(server.workbenchUrl());
    results.first.push(describe(`run ${run + 1}, first start`, await activationReport(logFile, 1, opened), opened));
    // The caches are written 3 s after loading.
    await new Promise((r) => setTimeout(r, 4000));
    opened = performance.now();
    await browser.page.reload();
    results.reload.push(describe(`run ${run + 1}, reload`, await activationReport(logFile, 2, opened), opened));
  } finally {
    await browser.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    rmSync(path.dirname(logFile), { recursive: true, force: true });
  }
}
const summary = (list, key) => {
  const v = list.map((r) => r[key]).filter((x) => x !== undefined).sort((a, b) => a - b);
  return v.length ? { median: v[Math.floor(v.length / 2)], text: `median ${v[Math.floor(v.length / 2)].toFixed(1)} ms, min ${v[0].toFixed(1)} ms, max ${v.at(-1).toFixed(1)} ms` } : { text: 'not reported' };
};
for (const [kind, list] of Object.entries(results)) {
  const fromEvent = summary(list, 'fromEvent');
  console.log(`activation, ${kind === 'first' ? 'first start' : 'window reloaded'} (activation event -> language client ready): ${fromEvent.text} over ${list.length} runs; goal < ${GOAL_MS} ms: ${fromEvent.median < GOAL_MS ? 'met' : 'NOT met'}`);
  console.log(`  from the bundle's first line: ${summary(list, 'fromLoad').text}; from activate(): ${summary(list, 'fromActivate').text}`);
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (useVsix) console.log(`vsix: ${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MB`);
