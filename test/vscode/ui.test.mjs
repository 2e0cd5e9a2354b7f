// Drives the real VS Code UI (code-server 4.100.3 in headless Debian Chromium, via playwright-core) as a person
// would: opens the workspace with the built extension installed, checks the directive highlighting with the token
// inspector, then (with the real language server) squiggles, hover, Problems panel and a quick fix from the
// light bulb. Saves screenshots under test/vscode/.state/screenshots/ and prints their paths.
// Needs `bash test/vscode/setup.sh` and a build. Skips only outside CI when not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  assertPrerequisites, copyWorkspace, elapsedSeconds, launchChromium,
  skipUnlessInstalled, startCodeServer,
} from './codeServer.mjs';
import { openFile, openQuickInput, runCommand, screenshot, clickSquiggle, hoverSquiggle, visibleSquiggle } from './workbench.mjs';
import cliFindingsModule from './host/cliFindings.js';

const { cliFindings } = cliFindingsModule;

const DIRECTIVES_FILE = 'pgmig-ui-directives.sql';
const DIRECTIVES = [
  '--! Previous: sha1:0123456789abcdef0123456789abcdef01234567',
  '--! Hash: sha1:89abcdef0123456789abcdef0123456789abcdef',
  '--! Message: add users',
  '',
  '--!include users.sql',
  '-- a plain comment',
  'select 1;',
  '',
].join('\n');

/** The findings the CLI reports for every project in the workspace copy (host/cliFindings.js); the editor must show the same. */
function expectedFindings(workspace) {
  return cliFindings(workspace);
}

async function waitUntil(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timeout');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const editorText = async (page) =>
  (await page.locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');

async function goTo(page, line, column) {
  const input = await openQuickInput(page, 'Control+G');
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
}

/** The scopes VS Code's token inspector shows at a position. */
async function scopesAt(page, line, column) {
  await goTo(page, line, column);
  await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
  const widget = page.locator('.token-inspect-widget');
  await widget.waitFor();
  const text = await widget.innerText();
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'detached' }).catch(() => {});
  return text;
}

test('UI suite (real VS Code in Chromium)', { ...skipUnlessInstalled(), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = copyWorkspace();
  writeFileSync(path.join(workspace, DIRECTIVES_FILE), DIRECTIVES);
  const server = await startCodeServer({ workspace, installExtension: true });
  t.diagnostic(`code-server on port ${server.port} ready in ${server.startSeconds} s (workspace ${workspace})`);
  const browser = await launchChromium();
  const { page } = browser;
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    t.diagnostic(`workbench ready after ${elapsedSeconds(started)} s`);
    /** A subtest that saves a screenshot when it fails (node:test does not rethrow subtest failures). */
    const step = (name, fn) => t.test(name, async () => {
      try {
        await fn();
      } catch (error) {
        await screenshot(page, t, `ui-failure-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => {});
        throw error;
      }
    });

    await step('directive lines are highlighted by the injection grammar', async () => {
      await openFile(page, DIRECTIVES_FILE);
      const include = await scopesAt(page, 5, 5);
      assert.match(include, /keyword\.control\.directive\.include\.pgmig/);
      const includePath = await scopesAt(page, 5, 14);
      assert.match(includePath, /string\.unquoted\.path\.pgmig/);
      const header = await scopesAt(page, 1, 6);
      assert.match(header, /keyword\.other\.directive\.header\.pgmig/);
      const hash = await scopesAt(page, 1, 20);
      assert.match(hash, /constant\.other\.hash\.pgmig/);
      // A plain comment stays a plain SQL comment.
      const plain = await scopesAt(page, 6, 6);
      assert.match(plain, /comment\.line\.double-dash\.sql/);
      assert.doesNotMatch(plain, /pgmig/);
      await screenshot(page, t, 'ui-directives');
    });

    await step('current.sql shows a squiggle whose hover names a rule', async () => {
      await openFile(page, 'migrations/current.sql');
      const hover = await hoverSquiggle(page);
      const text = await hover.innerText();
      t.diagnostic(`hover: ${text.replace(/\s+/g, ' ').slice(0, 200)}`);
      // The hover shows one of current.sql's findings as the CLI words it, with its rule id.
      const shown = expectedFindings(workspace).find((f) => f.file === 'migrations/current.sql' && text.includes(f.message));
      assert.ok(shown, `the hover shows a current.sql finding of the CLI: ${text}`);
      assert.ok(text.includes(shown.rule), `the hover names the rule ${shown.rule}`);
      await screenshot(page, t, 'ui-hover');
      await page.keyboard.press('Escape');
    });

    await step('the Problems panel and the status bar count the CLI findings', async () => {
      const expected = expectedFindings(workspace);
      await runCommand(page, 'View: Focus Problems');
      const rows = page.locator('.markers-panel .monaco-list-row');
      await rows.first().waitFor({ timeout: 15_000 });
      const rowCount = await rows.count();
      t.diagnostic(`Problems rows shown: ${rowCount}`);
      assert.ok(rowCount >= 2, `a file row and a problem row at least, got ${rowCount}`);
      // The panel's tab says "Problems (Ctrl+Shift+M) - Total 12 Problems"; the status bar "Errors: 10, Warnings: 2".
      const total = async () => Number((await page.locator('[aria-label^="Problems"][aria-label*="Total"]').first().getAttribute('aria-label')).match(/Total (\d+)/)[1]);
      await waitUntil(async () => (await total()) === expected.length, 15_000).catch(() => {});
      assert.equal(await total(), expected.length, 'Problems total = the CLI findings of every project');
      const status = await page.locator('#status\\.problems').getAttribute('aria-label');
      const errors = expected.filter((f) => f.severity === 'error').length;
      const warnings = expected.filter((f) => f.severity === 'warning').length;
      assert.match(status, new RegExp(`Errors: ${errors}, Warnings: ${warnings}`));
      await screenshot(page, t, 'ui-problems');
    });

    await step('the first quick fix from the light bulb changes the text', async () => {
      await openFile(page, 'migrations/current.sql');
      await visibleSquiggle(page);
      const before = await editorText(page);
      await clickSquiggle(page); // puts the cursor inside the diagnostic's range
      await page.keyboard.press('Control+.');
      const firstFix = page.locator('.action-widget .monaco-list-row.action').first();
      await firstFix.waitFor({ timeout: 15_000 });
      t.diagnostic(`quick fix: ${(await firstFix.innerText()).trim()}`);
      await page.keyboard.press('Enter'); // the first action is focused
      await page.waitForFunction(
        (previous) => document.querySelector('.monaco-editor .view-lines')?.innerText.replace(/\u00a0/g, ' ') !== previous,
        before, { timeout: 15_000 });
      assert.notEqual(await editorText(page), before);
      await screenshot(page, t, 'ui-quick-fix');
    });
  } catch (error) {
    await screenshot(page, t, 'ui-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`UI run took ${elapsedSeconds(started)} s`);
  }
});

/** Text of the pgmig LogOutputChannel: VS Code writes log channels to files under the user-data folder. */
function pgmigLog(stateDir) {
  const logs = path.join(stateDir, 'data', 'logs');
  const files = readdirSync(logs, { recursive: true }).filter((f) => f.endsWith(path.join('pgmig.pgmig', 'pgmig.log')));
  return files.map((f) => readFileSync(path.join(logs, f), 'utf8')).join('\n');
}

test('untrusted workspace: analysis runs, the server knows, and granting trust reaches it', { ...skipUnlessInstalled(), timeout: 120_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = copyWorkspace();
  const server = await startCodeServer({
    workspace, installExtension: true, workspaceTrust: true,
    settings: { 'security.workspace.trust.startupPrompt': 'never' }, // Restricted Mode with a banner, no modal
  });
  const browser = await launchChromium();
  const { page } = browser;
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor();
    // Analysis still runs: the status bar counts the sample's findings.
    const expected = expectedFindings(workspace);
    const errors = expected.filter((f) => f.severity === 'error').length;
    await waitUntil(async () => new RegExp(`Errors: ${errors},`).test(await page.locator('#status\\.problems').getAttribute('aria-label')), 30_000);
    await waitUntil(async () => pgmigLog(server.stateDir).includes('untrusted'), 10_000);
    assert.match(pgmigLog(server.stateDir), /workspace untrusted/);

    await page.locator('.monaco-workbench .part.banner a', { hasText: 'Manage' }).click();
    await page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).click();
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'detached', timeout: 15_000 });
    await waitUntil(async () => /workspace trusted/.test(pgmigLog(server.stateDir)), 15_000).catch(() => {});
    assert.match(pgmigLog(server.stateDir), /workspace trusted/, 'the server got pgmig/trustChanged');
    await screenshot(page, t, 'ui-trust-granted');
  } catch (error) {
    await screenshot(page, t, 'ui-trust-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`trust run took ${elapsedSeconds(started)} s`);
  }
});
