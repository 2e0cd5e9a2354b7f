// The extension loads, activates from the workspace, starts its language server and can restart it.
'use strict';
const assert = require('assert');
const vscode = require('vscode');
const { EXTENSION_ID, CLIENT_RUNNING, waitFor, runningClient, activeApi } = require('./helpers');

suite('activation', () => {
  test('activates on its own from the workspace (workspaceContains activation events)', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded`);
    // No explicit activate(): the workspace holds .gmrc and migrations/current.sql.
    await waitFor('the extension to activate', () => extension.isActive, 15_000);
    assert.ok(extension.exports && 'languageClient' in extension.exports, 'activate() returns { languageClient }');
  });

  test('registers Migrate: Restart the Language Server', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('pgmig.restartServer'), 'pgmig.restartServer is registered');
    const contributed = vscode.extensions.getExtension(EXTENSION_ID).packageJSON.contributes.commands;
    const restart = contributed.find((c) => c.command === 'pgmig.restartServer');
    assert.deepStrictEqual([restart.category, restart.title], ['Migrate', 'Restart the Language Server — pgmig']);
  });

  test('the language client reaches the running state and the server answered initialize', async () => {
    const client = await runningClient();
    assert.strictEqual(client.state, CLIENT_RUNNING);
    assert.ok(client.initializeResult && client.initializeResult.capabilities, 'server sent its capabilities');
    assert.strictEqual(client.initializeResult.serverInfo.name, 'pgmig');
  });

  test('the server got the workspace trust from the initialization options', async () => {
    // code-server runs with --disable-workspace-trust: every workspace is trusted.
    assert.strictEqual(vscode.workspace.isTrusted, true);
    const client = await runningClient();
    const idle = await client.sendRequest('pgmig/waitIdle');
    assert.strictEqual(idle.trusted, true);
  });

  test('the restart command starts a new server that runs again', async () => {
    const client = await runningClient();
    const before = client.initializeResult;
    const { pid: oldPid } = await client.sendRequest('pgmig/waitIdle');
    await vscode.commands.executeCommand('pgmig.restartServer');
    await waitFor('the restarted client to run', () => client.state === CLIENT_RUNNING && client.initializeResult !== before);
    assert.ok(client.initializeResult.capabilities, 'the new server answered initialize');
    // The client forks the server itself (client/main.ts): a restart must use a new process and the old one must end.
    const { pid: newPid } = await client.sendRequest('pgmig/waitIdle');
    assert.ok(Number.isInteger(oldPid) && Number.isInteger(newPid) && newPid !== oldPid, `a new server process (${oldPid} -> ${newPid})`);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    await waitFor(`the old server process ${oldPid} to exit`, () => !alive(oldPid), 10_000);
  });

  test('reports when it loaded, activated and had the client ready, in that order', async () => {
    const { activation: a } = await activeApi();
    // The entry point (dist/client.js), then the rest of the client (dist/extension.js), then activate().
    const order = [a.loadStart, a.loadEnd, a.extensionLoadStart, a.extensionLoadEnd, a.activateStart, a.setupDone, a.initializeAnswered, a.clientReady];
    assert.ok(order.every((t) => typeof t === 'number'), `all reported: ${JSON.stringify(a)}`);
    assert.deepStrictEqual([...order].sort((x, y) => x - y), order, JSON.stringify(a));
  });

  test('contributes the pgmig settings with their defaults', () => {
    const configuration = vscode.workspace.getConfiguration('pgmig');
    assert.deepStrictEqual(configuration.get('rules'), {});
    assert.deepStrictEqual(configuration.get('excludedSchemas'), []);
    assert.deepStrictEqual(configuration.get('excludedTables'), []);
    assert.strictEqual(configuration.get('trace.server'), 'off');
  });

  test('declares limited support for untrusted workspaces', () => {
    const { capabilities } = vscode.extensions.getExtension(EXTENSION_ID).packageJSON;
    assert.strictEqual(capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
