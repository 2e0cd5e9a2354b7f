// Shared by the in-host tests (runs inside the VS Code extension host).
'use strict';
const vscode = require('vscode');

const EXTENSION_ID = 'pgmig.pgmig';
/** vscode-languageclient's State.Running. */
const CLIENT_RUNNING = 2;
/** Every rule id the server may report as a diagnostic `code` (the contract between core/ and the editors): core's list. */
const RULE_IDS = require(require('path').join(__dirname, '..', '..', '..', 'out', 'core', 'rules', 'index.js')).rules.map((rule) => rule.id);

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
async function waitFor(what, probe, timeoutMs = 20_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function workspaceRoot() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (!folder) throw new Error('no workspace folder is open');
  return folder.uri;
}

/** The extension's API once active (`activate` returns { languageClient }). */
async function activeApi() {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return extension.isActive ? extension.exports : extension.activate();
}

async function runningClient() {
  const api = await activeApi();
  return waitFor('the language client to run', () => api.languageClient && api.languageClient.state === CLIENT_RUNNING && api.languageClient);
}

function codeOf(diagnostic) {
  const code = diagnostic.code;
  return code && typeof code === 'object' ? String(code.value) : code === undefined ? undefined : String(code);
}

module.exports = { EXTENSION_ID, CLIENT_RUNNING, RULE_IDS, waitFor, workspaceRoot, activeApi, runningClient, codeOf };
