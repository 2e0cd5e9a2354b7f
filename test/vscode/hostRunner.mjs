// Runs the mocha files host/*.host.js inside a real VS Code extension host (code-server) and reports each mocha
// test as a node:test subtest: extensionHost.test.mjs's recipe, with the workspace, environment and settings as
// parameters (workflow.test.mjs runs the workflow suites against a PostgreSQL it starts).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { elapsedSeconds, extensionPath, launchChromium, startCodeServer, stateRoot, testVscodeDir } from './codeServer.mjs';

/**
 * @param {import('node:test').TestContext} t
 * @param {{ workspace: string, env?: Record<string,string>, settings?: Record<string,unknown>, grep?: string, timeoutMs?: number, logName?: string }} o
 */
export async function runHostSuite(t, { workspace, env = {}, settings = {}, grep, timeoutMs = 240_000, logName = 'extension-host' }) {
  const started = performance.now();
  mkdirSync(stateRoot, { recursive: true });
  const reportFile = path.join(stateRoot, `host-report-${process.pid}-${Date.now()}.jsonl`);
  rmSync(reportFile, { force: true });
  const server = await startCodeServer({ workspace, settings, env: { ...env, PGMIG_HOST_TEST_REPORT: reportFile, ...(grep ? { PGMIG_HOST_TEST_GREP: grep } : {}) } });
  t.diagnostic(`code-server on port ${server.port} ready in ${server.startSeconds} s (workspace ${workspace})`);
  let browser;
  const automationLog = [];
  let exitCode;
  try {
    browser = await launchChromium();
    const { page } = browser;
    let reportExit;
    const exited = new Promise((resolve) => { reportExit = resolve; });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      automationLog.push(`${type}: ${Array.isArray(args) ? args.join(' ') : String(args)}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));
    await page.goto(server.workbenchUrl([
      ['extensionDevelopmentPath', server.remoteUri(extensionPath)],
      ['extensionTestsPath', server.remoteUri(path.join(testVscodeDir, 'host', 'index.js'))],
    ]));
    let timer;
    exitCode = await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); })]);
    clearTimeout(timer);
  } finally {
    await browser?.close();
    await server.stop();
  }
  t.diagnostic(`extension-host run took ${elapsedSeconds(started)} s, exit code ${exitCode}`);
  const logFile = path.join(stateRoot, `${logName}.log`);
  writeFileSync(logFile, automationLog.join('\n') + '\n');
  t.diagnostic(`extension-host output: ${logFile}`);
  const results = existsSync(reportFile) ? readFileSync(reportFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  rmSync(reportFile, { force: true });
  for (const result of results) {
    await t.test(`[host] ${result.title}`, result.state === 'skipped' ? { skip: result.reason ?? 'skipped in the extension host' } : {}, () => {
      if (result.state === 'failed') assert.fail(result.error);
    });
  }
  assert.ok(results.length > 0, `the extension host reported no test (exit ${exitCode}). Log:\n${automationLog.slice(-80).join('\n')}`);
  const failed = results.filter((r) => r.state === 'failed').length;
  assert.equal(exitCode, 0, failed ? `${failed} extension-host test(s) failed` : `extension-host run exited ${exitCode}. Log:\n${automationLog.slice(-80).join('\n')}`);
  return results;
}
