// Runs a real VS Code (code-server 4.100.3 = VS Code 1.100.3) and headless Debian Chromium for the suites in
// this folder. Recipe and measured facts: shared/notes/real-vscode.md. Install with `bash test/vscode/setup.sh`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, cpSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const testVscodeDir = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(testVscodeDir, '..', '..');
/** The extension under test: the repo root (package.json + dist/), or another built copy (e.g. an unpacked .vsix). */
export const extensionPath = process.env.PGMIG_VSCODE_EXTENSION_PATH ? path.resolve(process.env.PGMIG_VSCODE_EXTENSION_PATH) : repoRoot;
export const stateRoot = path.join(testVscodeDir, '.state');
export const screenshotDir = path.join(stateRoot, 'screenshots');
const codeServerBin = path.join(testVscodeDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = '/usr/bin/chromium';
const requireHere = createRequire(import.meta.url);

/** Why the real-VS-Code suites cannot run here, or undefined when they can. */
export function missingPrerequisite() {
  if (!existsSync(codeServerBin)) return 'code-server is not installed (run: bash test/vscode/setup.sh)';
  if (!existsSync(chromiumPath)) return `${chromiumPath} is missing (run: bash test/vscode/setup.sh)`;
  if (!existsSync(path.join(testVscodeDir, 'node_modules', 'playwright-core'))) return 'playwright-core is not installed (run: bash test/vscode/setup.sh)';
  return undefined;
}

/**
 * Options for node:test's `test()`: skip only outside CI when the install is missing. In CI a missing install is a
 * failure (the test runs and `assertPrerequisites` throws), never a silent skip.
 */
export function skipUnlessInstalled() {
  const missing = missingPrerequisite();
  return missing && !process.env.CI ? { skip: missing } : {};
}

export function assertPrerequisites() {
  const missing = missingPrerequisite();
  if (missing) throw new Error(`${missing}${process.env.CI ? ' — CI must install it' : ''}`);
  for (const file of ['dist/client.js', 'dist/server.js']) {
    if (!existsSync(path.join(extensionPath, file))) throw new Error(`${path.join(extensionPath, file)} is missing: run \`npm run build\` first`);
  }
}

export function extensionId() {
  const pkg = JSON.parse(readFileSync(path.join(extensionPath, 'package.json'), 'utf8'));
  return { id: `${pkg.publisher}.${pkg.name}`, folderName: `${pkg.publisher}.${pkg.name}-${pkg.version}` };
}

/** The workspace the suites open (a copy of it): the repository's sample project. */
export function sampleWorkspaceSource() {
  const sample = path.join(repoRoot, 'migrations-sample');
  if (!existsSync(path.join(sample, '.gmrc'))) throw new Error(`${sample}/.gmrc is missing: the suites open the sample project`);
  return sample;
}

/** Copies a workspace into a fresh temp folder so that tests may edit and save files freely. */
export function copyWorkspace(source = sampleWorkspaceSource()) {
  mkdirSync(stateRoot, { recursive: true });
  const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-ws-')), path.basename(source));
  // Not the embedded database a CLI run may have left in the sample (.pgmig/): every run starts from a fresh one.
  cpSync(source, target, { recursive: true, filter: (src) => path.basename(src) !== '.pgmig' });
  return target;
}

/**
 * A graphile project at `dir` on the embedded database whose second commit (000002.sql) was killed with SIGKILL after
 * its file was written (`PGMIG_TEST_SIGKILL_AT`): `.pgmig/commit.json` says so until the next command finishes it.
 */
export function interruptedCommitProject(dir) {
  mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  writeFileSync(path.join(dir, '.gmrc'), '{}\n');
  const commit = (sql, env = {}) => {
    writeFileSync(path.join(dir, 'migrations', 'current.sql'), sql);
    return spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'commit'], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', SHADOW_DATABASE_URL: '', ...env },
    });
  };
  let r = commit('create table if not exists first_table (n int);\n');
  if (r.status !== 0) throw new Error(`pgmig commit failed: ${r.stdout}${r.stderr}`);
  r = commit('create table if not exists second_table (n int);\n', { PGMIG_TEST_SIGKILL_AT: 'file-renamed' });
  if (r.signal !== 'SIGKILL') throw new Error(`the second commit was not killed: ${r.stdout}${r.stderr}`);
  return dir;
}

export function elapsedSeconds(since) {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function portIsBusy(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function processGroupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts code-server on a free port with a private state folder.
 * @param {object} options
 * @param {string} options.workspace folder to open
 * @param {boolean} [options.installExtension] symlink the built extension (`extensionPath`) into the extensions dir
 * @param {Record<string,string>} [options.env] extra environment (reaches the extension host and the language server)
 * @param {Record<string,unknown>} [options.settings] user settings added to the defaults below
 * @param {boolean} [options.workspaceTrust] keep VS Code's workspace trust on (default: off, every folder is trusted)
 * @param {string} [options.installVsix] install this .vsix with `code-server --install-extension` first (as a user would)
 */
export async function startCodeServer({ workspace, installExtension = false, env = {}, settings = {}, workspaceTrust = false, installVsix }) {
  const started = performance.now();
  mkdirSync(stateRoot, { recursive: true }); // the first suite of a fresh clone finds no .state yet
  const stateDir = mkdtempSync(path.join(stateRoot, 'cs-'));
  const dirs = Object.fromEntries(['data', 'ext', 'config', 'xdg-data', 'tmp'].map((d) => [d, path.join(stateDir, d)]));
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  // Quiet, deterministic workbench: no welcome page, no update or telemetry traffic.
  mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
  writeFileSync(path.join(dirs.data, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    ...settings,
  }, null, 2));
  if (installExtension) symlinkSync(extensionPath, path.join(dirs.ext, extensionId().folderName), 'dir');
  if (installVsix) {
    const r = spawnSync(process.execPath, [codeServerBin, '--user-data-dir', dirs.data, '--extensions-dir', dirs.ext, '--install-extension', installVsix], {
      encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs['xdg-data'], TMPDIR: dirs.tmp }, timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`code-server --install-extension ${installVsix} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  }

  const port = await freePort();
  if (await portIsBusy(port)) throw new Error(`port ${port} is busy; refusing to start code-server on it`);
  const closedPort = await freePort(); // nothing listens there: the extension gallery requests fail fast
  const args = [
    codeServerBin, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry',
    '--disable-update-check', ...(workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    '--user-data-dir', dirs.data, '--extensions-dir', dirs.ext, workspace,
  ];
  const logFile = path.join(stateDir, 'code-server.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, args, {
    detached: true, // setsid: the extension hosts join this process group and are stopped with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...env,
      XDG_CONFIG_HOME: dirs.config,
      XDG_DATA_HOME: dirs['xdg-data'],
      TMPDIR: dirs.tmp,
      EXTENSIONS_GALLERY: JSON.stringify({
        serviceUrl: `http://127.0.0.1:${closedPort}/gallery`,
        itemUrl: `http://127.0.0.1:${closedPort}/item`,
        resourceUrlTemplate: `http://127.0.0.1:${closedPort}/resource/{publisher}/{name}/{version}/{path}`,
      }),
    },
  });
  let output = '';
  const collect = (chunk) => { output += chunk; log.write(chunk); };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  child.once('exit', () => { exited = true; });

  const stop = async () => {
    if (processGroupAlive(child.pid)) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      for (let i = 0; i < 50 && processGroupAlive(child.pid); i++) await sleep(100);
      if (processGroupAlive(child.pid)) {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
        for (let i = 0; i < 20 && processGroupAlive(child.pid); i++) await sleep(100);
      }
    }
    log.end();
    if (!process.env.PGMIG_KEEP_STATE) rmSync(stateDir, { recursive: true, force: true });
  };

  // Ready = our own process printed that it listens on our port, answers /healthz and is still alive.
  const deadline = Date.now() + 30_000;
  while (!output.includes(`127.0.0.1:${port}`)) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not start (${exited ? `exited ${child.exitCode}` : 'timeout'}):\n${output.slice(-2000)}`);
    }
    await sleep(50);
  }
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) break;
    } catch { /* not yet */ }
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`code-server never answered /healthz:\n${output.slice(-2000)}`);
    }
    await sleep(50);
  }
  if (exited) throw new Error('code-server exited right after starting');

  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    stateDir,
    startSeconds: elapsedSeconds(started),
    output: () => output,
    alive: () => !exited,
    /** Workbench URL for the workspace; `payload` pairs go to the workbench (e.g. extension-test parameters). */
    workbenchUrl(payload) {
      const params = new URLSearchParams({ folder: workspace });
      if (payload) params.set('payload', JSON.stringify(payload));
      return `${origin}/?${params}`;
    },
    /** A `vscode-remote://` URI for a local path, as the workbench's payload expects. */
    remoteUri(localPath) {
      return `vscode-remote://127.0.0.1:${port}${localPath}`;
    },
    stop,
  };
}

/** Headless Debian Chromium via playwright-core, with a private profile. Returns { context, page, close }. */
export async function launchChromium() {
  const { chromium } = requireHere('playwright-core');
  mkdirSync(stateRoot, { recursive: true });
  const profile = mkdtempSync(path.join(stateRoot, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, XDG_CONFIG_HOME: profile },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
