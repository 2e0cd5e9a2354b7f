// The same extension-host suite (test/vscode/host/*.host.js) under desktop VS Code, via @vscode/test-electron.
// For machines that can download VS Code (it fetches it from update.code.visualstudio.com): this one cannot, so CI
// uses extensionHost.test.mjs (code-server) instead. Usage: `npm run test:vscode:electron` (builds first).
// VSCODE_VERSION picks the VS Code version (default: 1.100.3, the one code-server 4.100.3 embeds).
import { runTests } from '@vscode/test-electron';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { copyWorkspace, elapsedSeconds, extensionPath, testVscodeDir } from './codeServer.mjs';

const started = performance.now();
// Only the build and mocha (test/vscode/node_modules) are needed here, not code-server or Chromium.
for (const file of [path.join(extensionPath, 'dist', 'client.js'), path.join(extensionPath, 'dist', 'server.js'), path.join(testVscodeDir, 'node_modules', 'mocha')]) {
  if (!existsSync(file)) {
    console.error(`test-electron: ${file} is missing (npm run build; bash test/vscode/setup.sh)`);
    process.exit(1);
  }
}
const workspace = copyWorkspace();
let exitCode = 1;
try {
  exitCode = await runTests({
    version: process.env.VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: extensionPath,
    extensionTestsPath: path.join(testVscodeDir, 'host', 'index.js'),
    // Same conditions as the code-server run: trusted, no other extensions.
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (error) {
  console.error(`test-electron: ${error instanceof Error ? error.message : error}`);
} finally {
  rmSync(path.dirname(workspace), { recursive: true, force: true });
}
console.log(`test-electron: exit code ${exitCode} after ${elapsedSeconds(started)} s`);
process.exit(exitCode === 0 ? 0 : 1);
