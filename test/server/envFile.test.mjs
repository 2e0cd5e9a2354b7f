// pgmig.envFile in the language server (issue 10): a starter-like project (test/vscode/fixtures/starter-env: .gmrc
// with !ENV placeholders in @app/db, its .env at the workspace folder) on a real PostgreSQL, driven as any LSP client
// would. The default setting finds the folder's .env; the status and migrate use it; values are never logged; the
// env file is watched and a change of it, or of the setting, is picked up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LspClient, uriOf } from './lspClient.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { setUpStarter } from '../support/starterFixture.mjs';

let pg;
let workspace;
let root;
let client;
let envText;
const run = (command, args = {}) => client.request('workspace/executeCommand', { command: `pgmig.engine.${command}`, arguments: [{ root, ...args }] });

async function waitFor(what, probe, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  pg = await startPostgres();
  workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-envfile-lsp-')), 'starter');
  envText = setUpStarter(pg, workspace, { databases: ['starter', 'starter_other'] });
  root = path.join(workspace, '@app', 'db');
  client = await LspClient.start({
    rootDir: workspace,
    trusted: true,
    // What VS Code sends: the setting's default, and a client that registers file watchers.
    settings: { rules: {}, excludedSchemas: [], envFile: '${workspaceFolder}/.env' },
    capabilities: { workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true } } },
  });
  await client.waitIdle();
});

after(async () => {
  await client?.stop();
  await pg?.stop();
  if (workspace) rmSync(path.dirname(workspace), { recursive: true, force: true });
});

test("the default pgmig.envFile reads the workspace folder's .env: status and migrate on its database", { timeout: 60_000 }, async () => {
  let s = await run('status');
  assert.equal(s.error, undefined, JSON.stringify(s.error));
  assert.match(s.database, /starter/);
  assert.doesNotMatch(s.database, /owner-secret/);
  assert.deepEqual(s.migrations.map((m) => `${m.name}:${m.state}`), ['000001.sql:pending', '000002.sql:pending']);
  const r = await run('migrate');
  assert.deepEqual(r.applied, ['000001.sql', '000002.sql']);
  s = await run('status');
  assert.deepEqual(s.migrations.map((m) => m.state), ['applied', 'applied']);
  // The !ENV placeholders came from the file.
  assert.equal(pg.psql("select has_table_privilege('starter_visitor', 'app_public.users', 'select')", 'starter'), 't\n');
  const logs = client.logs.join('\n');
  assert.match(logs, /environment completed from .*\.env: ROOT_DATABASE_URL, DATABASE_URL, SHADOW_DATABASE_URL, DATABASE_AUTHENTICATOR, DATABASE_VISITOR/);
  assert.doesNotMatch(logs, /owner-secret|test-secret-pw/);
});

test('the env files are watched; a change of the file is picked up', { timeout: 60_000 }, async () => {
  const watchers = client.registrations.filter((r) => r.method === 'workspace/didChangeWatchedFiles').flatMap((r) => r.registerOptions.watchers);
  assert.ok(watchers.some((w) => w.globPattern === '**/.env'), JSON.stringify(watchers));
  await run('watchStart');
  writeFileSync(path.join(workspace, '.env'), envText.replace('/starter"', '/starter_other"'));
  const before = client.statusChanges.length;
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(path.join(workspace, '.env')), type: 2 }] });
  await waitFor('pgmig/statusChanged', () => client.statusChanges.slice(before).some((c) => c.root === root));
  let s = await run('status');
  assert.match(s.database, /starter_other/);
  // Watch was on: it goes on with the new engine, and migrates first as graphile-migrate's does, on the database
  // the new file names.
  s = await waitFor('watch on the new engine', async () => {
    const now = await run('status');
    return now.watch.on && now.migrations.every((m) => m.state === 'applied') ? now : undefined;
  });
  assert.match(s.database, /starter_other/);
  assert.match(client.logs.join('\n'), /settings changed: watch goes on with them/);
  await run('watchStop');
  assert.equal(pg.psql('select count(*) from graphile_migrate.migrations', 'starter_other'), '2\n');
});

test('a change of the setting is picked up: none, or a file that does not exist', { timeout: 60_000 }, async () => {
  client.settings = { ...client.settings, envFile: '' };
  let before = client.statusChanges.length;
  client.notify('workspace/didChangeConfiguration', { settings: null });
  await waitFor('pgmig/statusChanged', () => client.statusChanges.slice(before).some((c) => c.root === root));
  await assert.rejects(run('status'), /Could not find environmental variable 'DATABASE_AUTHENTICATOR'/);

  client.settings = { ...client.settings, envFile: 'config/dev.env' };
  before = client.statusChanges.length;
  client.notify('workspace/didChangeConfiguration', { settings: null });
  await waitFor('pgmig/statusChanged', () => client.statusChanges.slice(before).some((c) => c.root === root));
  await assert.rejects(run('status'), /env file .*config[/\\]dev\.env cannot be read: not found/);
  // A file of another name is watched by its own pattern.
  await waitFor('a watcher for dev.env', () => client.registrations.some((r) => r.registerOptions?.watchers?.some((w) => w.globPattern?.pattern === 'dev.env')));

  writeFileSync(path.join(workspace, 'config.env'), envText);
  client.settings = { ...client.settings, envFile: '${workspaceFolder}/config.env' };
  client.notify('workspace/didChangeConfiguration', { settings: null });
  await waitFor('the status of config.env', async () => /starter/.test((await run('status').catch(() => ({ database: '' }))).database));
});
