// The extension's entry point (dist/client.js), kept small on purpose. After VS Code loads an extension's code it
// waits for the extension's stored state from the window (100-150 ms while the workbench starts, measured in
// code-server) before it calls activate(). This module uses that wait: it forks the language server at once and
// loads the rest of the client (dist/extension.js, mostly vscode-languageclient) right after VS Code has sent its
// request, so both are ready when activate() is called.
import { type ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { requireWithCodeCache } from '../core/codeCache';
import type * as Extension from './extension';

/** Set by the bundle's first line (esbuild banner): when VS Code started loading the extension's code. */
declare const __pgmigLoadStart: number | undefined;
/** Set by the bundle's last line (esbuild footer): when its code finished loading. */
declare const __pgmigLoadEnd: number | undefined;

/** As vscode-languageclient forks a server module (stdio transport): no inherited execArgv, Electron run as Node. */
function forkServer(): ChildProcess {
  const debug = process.execArgv.some((a) => /^--(inspect|debug)(-brk)?(=|$)/.test(a));
  const child = fork(path.join(__dirname, 'server.js'), ['--stdio', `--clientProcessId=${process.pid}`], {
    silent: true,
    execArgv: debug ? ['--nolazy', '--inspect=6009'] : [],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ELECTRON_NO_ASAR: '1' },
  });
  // Not an uncaught exception in the extension host: the client then reports that the server did not start.
  child.on('error', (error) => console.error(`pgmig: the language server process failed: ${error.message}`));
  return child;
}

/** Forked while this module loads; the first start takes it, each restart forks a fresh one. */
let earlyServer: ChildProcess | undefined;
try {
  earlyServer = forkServer();
} catch {
  /* forked again by the first start, which reports the failure */
}
function serverProcess(): ChildProcess {
  const child = earlyServer ?? forkServer();
  earlyServer = undefined;
  return child;
}

const timings: Extension.LoadTimings = {
  loadStart: typeof __pgmigLoadStart === 'number' ? __pgmigLoadStart : undefined,
};

let extension: typeof Extension | undefined;
function loadExtension(): typeof Extension {
  if (!extension) {
    timings.extensionLoadStart = performance.now();
    // Through a V8 code cache: compiling it is most of loading it (core/codeCache.ts).
    extension = requireWithCodeCache(path.join(__dirname, 'extension.js'), 'extension') as typeof Extension;
    timings.extensionLoadEnd = performance.now();
  }
  return extension;
}

// A timer, not setImmediate: VS Code flushes its request for the stored state with a 0 ms timer set before this module
// loaded, so this runs after the request is on its way. A failure here is reported by activate(), which loads again.
setTimeout(() => {
  try {
    loadExtension();
  } catch {
    /* activate() throws it */
  }
}, 0);

export function activate(context: vscode.ExtensionContext): Promise<Extension.PgmigExtensionApi> {
  timings.loadEnd = typeof __pgmigLoadEnd === 'number' ? __pgmigLoadEnd : undefined;
  return loadExtension().activate(context, serverProcess, timings);
}

export async function deactivate(): Promise<void> {
  earlyServer?.kill();
  earlyServer = undefined;
  await extension?.deactivate();
}
