// The extension loads, activates from the workspace, starts its language server and can restart it.
'use strict';
const assert = require('assert');
const vscode = require('vscode');
const { EXTENSION_ID, CLIENT_RUNNING, waitFor, runningClient } = require('./helpers');

suite('activation', () => {
  test('activates on its own from the workspace (workspaceContains activation events)', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded`);
    // No explicit activate(): the workspace holds .gmrc and migrations/current.sql.
    await waitFor('the extension to activate', () => extension.isActive, 15_000);
    assert.ok(extension.exports && 'languageClient' in extension.exports, 'activate() returns { languageClient }');
  });

  test('registers Migrate: Restart Language Server', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('pgmig.restartServer'), 'pgmig.restartServer is registered');
    const contributed = vscode.extensions.getExtension(EXTENSION_ID).packageJSON.contributes.commands;
    const restart = contributed.find((c) => c.command === 'pgmig.restartServer');
    assert.deepStrictEqual([restart.category, restart.title], ['Migrate', 'Restart Language Server']);
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
    await vscode.commands.executeCommand('pgmig.restartServer');
    await waitFor('the restarted client to run', () => client.state === CLIENT_RUNNING && client.initializeResult !== before);
    assert.ok(client.initializeResult.capabilities, 'the new server answered initialize');
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
