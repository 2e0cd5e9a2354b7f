// Issue 13 as a person sees it in the real VS Code (code-server in headless Chromium): a CREATE INDEX on a table the
// committed history made gets a squiggle whose hover says which lock it takes and names the rule, and the light
// bulb's fix adds `concurrently` (in the file's keyword case) and graphile-migrate's `--! no-transaction`. Screenshots: safety-*.png under
// test/vscode/.state/screenshots/. Needs `bash test/vscode/setup.sh` and a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertPrerequisites, copyWorkspace, elapsedSeconds, launchChromium, skipUnlessInstalled, startCodeServer } from './codeServer.mjs';
import { goTo, hoverSquiggle, openFile, screenshot } from './workbench.mjs';

// app.posts comes from the sample's committed history: it may hold rows.
const CURRENT = 'create index if not exists posts_title_idx on app.posts (title);\n';

test('migration safety in the real VS Code: lock warning, hover, and the CONCURRENTLY quick fix', { ...skipUnlessInstalled(), timeout: 180_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = copyWorkspace();
  const current = path.join(workspace, 'migrations', 'current.sql');
  writeFileSync(current, CURRENT);
  const server = await startCodeServer({ workspace, installExtension: true });
  const browser = await launchChromium();
  const { page } = browser;
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await openFile(page, 'migrations/current.sql');
    const hover = await hoverSquiggle(page, ['warning']);
    const text = await hover.innerText();
    t.diagnostic(`hover: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
    assert.match(text, /CREATE INDEX on app\.posts without CONCURRENTLY takes a SHARE lock/);
    assert.match(text, /non-concurrent-index/);
    assert.match(text, /missing-lock-timeout/);
    await screenshot(page, t, 'safety-hover');
    await page.keyboard.press('Escape');

    // The cursor inside the finding's range (line 1, in `create index`): clicking the squiggle raced with its redraw.
    await goTo(page, 1, 3);
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row.action').filter({ hasText: 'Add CONCURRENTLY' }).first();
    await fix.waitFor({ timeout: 15_000 });
    await screenshot(page, t, 'safety-light-bulb');
    // Walk the list with the keyboard to the fix (a mouse click does not reach the action widget's rows here).
    for (let i = 0; i < 8; i++) {
      const focused = await page.locator('.action-widget .monaco-list-row.action.focused').first().innerText().catch(() => '');
      if (focused.includes('Add CONCURRENTLY')) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    // The fix follows the file's keyword case: this file is lowercase, so is the inserted keyword (not CONCURRENTLY).
    await page.waitForFunction(() => document.querySelector('.monaco-editor .view-lines')?.innerText.replace(/\u00a0/g, ' ').includes('create index concurrently'), null, { timeout: 15_000 });
    const shown = (await page.locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(shown, /--! no-transaction/);
    assert.match(shown, /create index concurrently if not exists posts_title_idx/);
    assert.doesNotMatch(shown, /CONCURRENTLY/);
    await screenshot(page, t, 'safety-quick-fix');
    // The file on disk is untouched until saved: the fix is an editor edit.
    assert.equal(readFileSync(current, 'utf8'), CURRENT);
  } catch (error) {
    await screenshot(page, t, 'safety-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`safety UI run took ${elapsedSeconds(started)} s`);
  }
});
