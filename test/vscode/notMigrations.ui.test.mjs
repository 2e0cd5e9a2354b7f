// Issue 10, "files that are not migrations", as a person meets it in a real VS Code (code-server in headless
// Chromium): a folder of queries (no migrations project) with a `.sql` file that creates a table with a foreign key
// and has a typo. The editor shows the syntax error only (no missing-rls error, no unindexed-foreign-key warning);
// with `pgmig.filesOutsideProjects: "allRules"` in the folder's settings every rule shows. Screenshots in
// .state/screenshots/not-migrations-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertPrerequisites, elapsedSeconds, launchChromium, skipUnlessInstalled, startCodeServer } from './codeServer.mjs';
import { openFile, runCommand, screenshot, stepsOf, waitUntil } from './workbench.mjs';

test('a .sql file outside a migrations project gets syntax errors only (real VS Code)', { ...skipUnlessInstalled(), timeout: 180_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-ws-')), 'queries');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'report.sql'), 'create table orders (\n  id int primary key,\n  customer_id int references customers (id)\n);\n\nselec count(*) from orders;\n');
  const server = await startCodeServer({ workspace, installExtension: true });
  const browser = await launchChromium();
  const { page } = browser;
  const step = stepsOf(t, page, 'not-migrations');
  const problems = async () => (await page.locator('#status\\.problems').getAttribute('aria-label')) ?? '';
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });

    await step('the editor and Problems show the syntax error only', async () => {
      await openFile(page, 'report.sql');
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 60_000 });
      await runCommand(page, 'View: Focus Problems');
      await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout: 15_000 });
      // Give a missing-rls or unindexed-foreign-key finding time to arrive: it must not.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.match(await problems(), /^Errors: 1(, Warnings: 0)?$/);
      const panel = await page.locator('.markers-panel').innerText();
      assert.match(panel, /syntax error at or near "selec"/);
      assert.doesNotMatch(panel, /row level security|missing-rls|unindexed-foreign-key/);
      await screenshot(page, t, 'not-migrations-syntax-only');
    });

    await step('pgmig.filesOutsideProjects "allRules" shows every rule', async () => {
      mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'pgmig.filesOutsideProjects': 'allRules' }));
      // The status bar's counts can change before the Problems list re-renders its rows: wait for both.
      await waitUntil('missing-rls and unindexed-foreign-key', async () => {
        if (!/Errors: 2, Warnings: 1/.test(await problems())) return false;
        const rows = await page.locator('.markers-panel').innerText();
        return rows.includes('missing-rls') && rows.includes('unindexed-foreign-key');
      }, 30_000);
      const panel = await page.locator('.markers-panel').innerText();
      assert.match(panel, /missing-rls/);
      assert.match(panel, /unindexed-foreign-key/);
      await screenshot(page, t, 'not-migrations-all-rules');
    });
  } finally {
    await browser.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`not-migrations UI run took ${elapsedSeconds(started)} s`);
  }
});
