// Runs test/vscode/host/*.host.js INSIDE a real VS Code extension host (code-server 4.100.3) on a copy of the
// sample workspace, through the workbench URL's payload (extensionDevelopmentPath + extensionTestsPath; code-server
// rejects the command-line flags). Each mocha test becomes a node:test subtest, so the totals include them.
// Needs `bash test/vscode/setup.sh` and a build (`npm run build`). Skips only outside CI when not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  assertPrerequisites, copyWorkspace, elapsedSeconds, extensionPath, launchChromium, skipUnlessInstalled,
  startCodeServer, stateRoot, testVscodeDir,
} from './codeServer.mjs';

const RUN_TIMEOUT_MS = 180_000;

test('extension-host suite (mocha in a real VS Code)', { ...skipUnlessInstalled(), timeout: RUN_TIMEOUT_MS + 60_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = copyWorkspace();
  mkdirSync(stateRoot, { recursive: true });
  const reportFile = path.join(stateRoot, `host-report-${process.pid}.jsonl`);
  rmSync(reportFile, { force: true });

  const server = await startCodeServer({ workspace, env: { PGMIG_HOST_TEST_REPORT: reportFile } });
  t.diagnostic(`code-server on port ${server.port} ready in ${server.startSeconds} s (workspace ${workspace})`);
  let browser;
  const automationLog = [];
  let exitCode;
  try {
    browser = await launchChromium();
    const { page } = browser;
    let reportExit;
    const exited = new Promise((resolve) => { reportExit = resolve; });
    // The workbench calls these when it runs extension tests: all extension-host output, then the exit code.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      automationLog.push(`${type}: ${Array.isArray(args) ? args.join(' ') : String(args)}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
    const url = server.workbenchUrl([
      ['extensionDevelopmentPath', server.remoteUri(extensionPath)],
      ['extensionTestsPath', server.remoteUri(path.join(testVscodeDir, 'host', 'index.js'))],
    ]);
    await page.goto(url);
    let timer;
    exitCode = await Promise.race([
      exited,
      new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), RUN_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
  }
  t.diagnostic(`extension-host run took ${elapsedSeconds(started)} s, exit code ${exitCode}`);
  const logFile = path.join(stateRoot, 'extension-host.log');
  writeFileSync(logFile, automationLog.join('\n') + '\n');
  t.diagnostic(`extension-host output: ${logFile}`);

  const results = existsSync(reportFile)
    ? readFileSync(reportFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    : [];
  rmSync(reportFile, { force: true });
  const showLog = () => automationLog.slice(-80).join('\n');

  for (const result of results) {
    await t.test(`[host] ${result.title}`, result.state === 'skipped' ? { skip: result.reason ?? 'skipped in the extension host' } : {}, () => {
      if (result.state === 'failed') assert.fail(result.error);
    });
  }
  assert.ok(results.length > 0, `the extension host reported no test (exit ${exitCode}). Log:\n${showLog()}`);
  const failed = results.filter((r) => r.state === 'failed').length;
  // Failed tests already failed their subtests; the log is for failures outside any test (load errors, timeout).
  assert.equal(exitCode, 0, failed ? `${failed} extension-host test(s) failed` : `extension-host run exited ${exitCode}. Log:\n${showLog()}`);
});
