// Runs test/vscode/host/*.host.js INSIDE a real VS Code extension host (code-server 4.100.3) on a copy of the
// sample workspace, through the workbench URL's payload (extensionDevelopmentPath + extensionTestsPath; code-server
// rejects the command-line flags). Each mocha test becomes a node:test subtest, so the totals include them.
// Needs `bash test/vscode/setup.sh` and a build (`npm run build`). Skips only outside CI when not installed.
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { assertPrerequisites, copyWorkspace, skipUnlessInstalled } from './codeServer.mjs';
import { runHostSuite } from './hostRunner.mjs';

const RUN_TIMEOUT_MS = 180_000;

test('extension-host suite (mocha in a real VS Code)', { ...skipUnlessInstalled(), timeout: RUN_TIMEOUT_MS + 60_000 }, async (t) => {
  assertPrerequisites();
  const workspace = copyWorkspace();
  try {
    await runHostSuite(t, { workspace, timeoutMs: RUN_TIMEOUT_MS, logName: 'extension-host' });
  } finally {
    rmSync(path.dirname(workspace), { recursive: true, force: true });
  }
});
