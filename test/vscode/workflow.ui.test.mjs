// Issue 5 as a person uses it, in a real VS Code (code-server in headless Chromium): the Migrations view in the
// activity bar, Migrate: Apply Pending Migrations from the palette, CodeLens Rollback/Apply, Migrate: Commit with a typed message,
// watch on save with an SQL error squiggle and the status bar, Reset Database refusing a wrong name. On the
// embedded database (the sample configures no connection). Screenshots in .state/screenshots/workflow-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import {
  assertPrerequisites, copyWorkspace, elapsedSeconds, launchChromium, skipUnlessInstalled, startCodeServer,
} from './codeServer.mjs';
import { openFile, openQuickInput, runCommand, screenshot, stepsOf, hoverSquiggle, visibleSquiggle, waitUntil } from './workbench.mjs';

const sidebar = (page) => page.locator('#workbench\\.parts\\.sidebar');
const treeRow = (page, text) => sidebar(page).locator('.monaco-list-row', { hasText: text }).first();

async function rowText(page, text) {
  return (await treeRow(page, text).innerText()).replace(/\s+/g, ' ');
}

test('migration workflow UI (real VS Code in Chromium, embedded database)', { ...skipUnlessInstalled(), timeout: 300_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = copyWorkspace();
  // A down script for 000003, so that its CodeLens offers Rollback.
  writeFileSync(path.join(workspace, 'migrations', 'committed', '000003-current-user-id.down.sql'), 'drop function app.current_user_id() cascade;\n');
  // A current migration of its own (the sample's changes with the sample), with a fixture.
  mkdirSync(path.join(workspace, 'migrations', 'fixtures', 'ui'), { recursive: true });
  writeFileSync(path.join(workspace, 'migrations', 'fixtures', 'ui', 'tag_colors.sql'), 'create table if not exists app.tag_colors (name text primary key);\n');
  writeFileSync(path.join(workspace, 'migrations', 'current.sql'), '--!include ui/tag_colors.sql\n\ncreate table if not exists app.tags (\n  id bigint generated always as identity primary key,\n  name text not null unique\n);\n');
  const server = await startCodeServer({ workspace, installExtension: true });
  t.diagnostic(`code-server on port ${server.port} ready in ${server.startSeconds} s (workspace ${workspace})`);
  const browser = await launchChromium();
  const { page } = browser;
  const step = stepsOf(t, page, 'workflow');
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });

    await step('the Migrations view shows the sample: pending migrations, current.sql dirty, its fixtures', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').click();
      await treeRow(page, '000001-users.sql').waitFor({ timeout: 60_000 });
      for (const name of ['000001-users.sql', '000002-posts.sql', '000003-current-user-id.sql']) {
        assert.match(await rowText(page, name), /pending/);
      }
      await waitUntil('current.sql row', async () => /dirty/.test(await rowText(page, 'current.sql')));
      await treeRow(page, 'tag_colors.sql').waitFor();
      await waitUntil('the status bar', () => page.locator('.statusbar-item', { hasText: '3 pending' }).first().isVisible());
      await screenshot(page, t, 'workflow-tree-pending');
    });

    await step('Migrate: Apply Pending Migrations from the palette applies them; the tree shows the dates', async () => {
      await runCommand(page, 'Migrate: Apply Pending Migrations');
      await waitUntil('000003 applied', async () => /applied \d{4}-\d\d-\d\d/.test(await rowText(page, '000003-current-user-id.sql')), 60_000);
      assert.match(await rowText(page, '000001-users.sql'), /applied \d{4}-\d\d-\d\d/);
      await waitUntil('the status bar', () => page.locator('.statusbar-item', { hasText: '0 pending' }).first().isVisible());
      await screenshot(page, t, 'workflow-tree-applied');
    });

    await step('CodeLens Rollback then Apply on 000003 change the database and the tree', async () => {
      await openFile(page, 'migrations/committed/000003-current-user-id.sql');
      const lens = (title) => page.locator('.monaco-editor .codelens-decoration a', { hasText: new RegExp(`^${title}$`) }).first();
      await lens('Rollback').waitFor({ timeout: 30_000 });
      await screenshot(page, t, 'workflow-codelens');
      await lens('Rollback').click();
      await waitUntil('000003 pending', async () => /pending/.test(await rowText(page, '000003-current-user-id.sql')), 60_000);
      await lens('Apply').waitFor({ timeout: 30_000 });
      await screenshot(page, t, 'workflow-codelens-apply');
      await lens('Apply').click();
      await waitUntil('000003 applied', async () => /applied/.test(await rowText(page, '000003-current-user-id.sql')), 60_000);
      await lens('Rollback').waitFor({ timeout: 30_000 });
    });

    await step('Migrate: Commit asks for a message, commits current.sql, opens the new file, and the tree shows it', async () => {
      await runCommand(page, 'Migrate: Commit');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      await input.fill('add tags');
      await page.keyboard.press('Enter');
      // The validation on the shadow database shows as VS Code progress.
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'pgmig: Commit current.sql' }).first().waitFor({ timeout: 10_000 });
      await screenshot(page, t, 'workflow-commit-progress');
      await page.locator('.tabs-container .tab.active', { hasText: '000004-add-tags.sql' }).waitFor({ timeout: 60_000 });
      assert.ok(existsSync(path.join(workspace, 'migrations', 'committed', '000004-add-tags.sql')));
      await waitUntil('000004 in the tree', async () => /applied/.test(await rowText(page, '000004-add-tags.sql')), 30_000);
      await waitUntil('current.sql empty', async () => /empty/.test(await rowText(page, 'current.sql')));
      await screenshot(page, t, 'workflow-committed');
    });

    await step('watch applies current.sql on save; an SQL error squiggles at its place and shows in the status bar', async () => {
      await runCommand(page, 'Migrate: Start Watch');
      await waitUntil('watch on', () => page.locator('.statusbar-item', { hasText: /\$?watch|applied|watching/ }).first().isVisible());
      await openFile(page, 'migrations/current.sql');
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('select 1;\nselect no_such_column from app.users;\n');
      await page.keyboard.press('Control+S');
      await visibleSquiggle(page, ['error']);
      await waitUntil('the status bar error', () => page.locator('.statusbar-item', { hasText: 'no_such_column' }).first().isVisible());
      const hover = await hoverSquiggle(page, ['error']);
      assert.match(await hover.innerText(), /no_such_column/);
      await waitUntil('current.sql error in the tree', async () => /error/.test(await rowText(page, 'current.sql')));
      await screenshot(page, t, 'workflow-watch-error');
      await page.keyboard.press('Escape');
    });

    await step('Reset Database: a modal, then the name must be typed; a wrong name is refused', async () => {
      await runCommand(page, 'Migrate: Reset Database');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 15_000 });
      assert.match(await dialog.innerText(), /drops the whole database/);
      await dialog.locator('.monaco-button', { hasText: 'Continue' }).click();
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      await input.fill('wrong');
      await page.keyboard.press('Enter');
      const message = page.locator('.quick-input-widget .quick-input-message');
      await waitUntil('the validation message', async () => /Type 'embedded' exactly/.test(await message.innerText()));
      assert.ok(await input.isVisible(), 'a wrong name does not close the input');
      await screenshot(page, t, 'workflow-reset-refused');
      await input.fill('embedded');
      await page.keyboard.press('Enter');
      // Reset erases the database (the watch-applied current.sql goes with it) and migrates again.
      await waitUntil('the reset database', async () => /applied/.test(await rowText(page, '000004-add-tags.sql')) && /dirty|error/.test(await rowText(page, 'current.sql')), 60_000);
      // ... and says so (issue 10).
      await page.locator('.notifications-toasts .notification-toast', { hasText: 'pgmig: database reset: 4 committed migrations applied again' }).waitFor({ timeout: 15_000 });
      await screenshot(page, t, 'workflow-reset-done');
    });
  } finally {
    await browser.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`workflow UI run took ${elapsedSeconds(started)} s`);
  }
});
