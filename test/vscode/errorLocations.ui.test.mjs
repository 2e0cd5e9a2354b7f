// Issue 10, "errors point at the line", for errors PostgreSQL gives a position and for one it does not (42704), as a
// person meets them in a real VS Code (code-server in headless Chromium): an SQL error in a fixture that current.sql includes (Run) and in
// a committed migration (Migrate) is shown where it is: in Problems, in the hover of its squiggle, and "Go to Error"
// of the failure message opens the file at the line and column. On the embedded database. Screenshots in
// .state/screenshots/error-location-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { assertPrerequisites, elapsedSeconds, launchChromium, repoRoot, skipUnlessInstalled, startCodeServer } from './codeServer.mjs';
import { openFile, runCommand, screenshot, stepsOf, hoverSquiggle } from './workbench.mjs';

const require = createRequire(import.meta.url);
const { formatCommittedFile } = require(path.join(repoRoot, 'out', 'core', 'graphile', 'committedFile.js'));
// pgmig.runCurrent and pgmig.migrate by keys of their own: the test does not depend on command titles.
const KEYS = [{ key: 'ctrl+shift+alt+8', command: 'pgmig.runCurrent' }, { key: 'ctrl+shift+alt+9', command: 'pgmig.migrate' }];

test('SQL errors, with a position or without: Problems, hover and Go to Error (real VS Code)', { ...skipUnlessInstalled(), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-ws-')), 'shop');
  const migrations = path.join(workspace, 'migrations');
  mkdirSync(path.join(migrations, 'committed'), { recursive: true });
  mkdirSync(path.join(migrations, 'fixtures'), { recursive: true });
  writeFileSync(path.join(workspace, '.gmrc'), '{}\n');
  const first = formatCommittedFile({ body: 'create table accounts (id int primary key);\nalter table accounts enable row level security;\n', previousHash: null });
  writeFileSync(path.join(migrations, 'committed', '000001.sql'), first.text);
  writeFileSync(path.join(migrations, 'fixtures', 'report.sql'), '-- the monthly report\nselect 1;\n\nselect no_such_col from accounts;\n');
  writeFileSync(path.join(migrations, 'current.sql'), '--!include report.sql\n');
  const server = await startCodeServer({ workspace, installExtension: true });
  writeFileSync(path.join(server.stateDir, 'data', 'User', 'keybindings.json'), JSON.stringify(KEYS));
  const browser = await launchChromium();
  const { page } = browser;
  const step = stepsOf(t, page, 'error-location');
  const toast = (text) => page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  const cursor = () => page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).first().innerText();

  /** The failure message names the error; Go to Error opens `file` at line:column; Problems and the hover show it. */
  async function checkError(file, line, column, shot, text = 'column "no_such_col" does not exist') {
    const message = toast(text);
    await message.waitFor({ timeout: 60_000 });
    await screenshot(page, t, `${shot}-message`);
    await message.locator('.monaco-button', { hasText: 'Go to Error' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: path.basename(file) }).waitFor({ timeout: 15_000 });
    assert.match(await cursor(), new RegExp(`^Ln ${line}, Col ${column}`));
    await runCommand(page, 'View: Focus Problems');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ timeout: 15_000 });
    assert.match(await row.innerText(), new RegExp(`\\[Ln ${line}, Col ${column}\\]`));
    const hover = await hoverSquiggle(page, ['error'], 15_000);
    assert.ok((await hover.innerText()).includes(text), `hover: ${await hover.innerText()}`);
    await screenshot(page, t, shot);
    await page.keyboard.press('Escape');
  }

  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });

    await step('Run: an error in an included fixture points at the fixture', async () => {
      await openFile(page, 'migrations/current.sql');
      await page.keyboard.press('Control+Shift+Alt+8');
      await checkError(path.join(migrations, 'fixtures', 'report.sql'), 4, 8, 'error-location-fixture');
    });

    await step('Migrate: an error in a committed migration points at it', async () => {
      writeFileSync(path.join(migrations, 'fixtures', 'report.sql'), '-- the monthly report\nselect 1;\n');
      const second = formatCommittedFile({ body: 'create index accounts_id on accounts (id);\n\nselect no_such_col from accounts;\n', previousHash: first.hash });
      writeFileSync(path.join(migrations, 'committed', '000002.sql'), second.text);
      await page.locator('.notifications-toasts .notification-toast .codicon-notifications-clear').first().click().catch(() => {});
      await page.keyboard.press('Control+Shift+Alt+9');
      await checkError(path.join(migrations, 'committed', '000002.sql'), 6, 8, 'error-location-committed');
    });

    // PostgreSQL gives 42704 no position: the engine finds the statement that failed (replayed one by one in a
    // transaction it rolls back), through the include, and the editor shows it like any other error.
    await step('Run: an error without a position (42704) points at its statement in the fixture', async () => {
      const fixed = formatCommittedFile({ body: 'create index accounts_id on accounts (id);\n', previousHash: first.hash });
      writeFileSync(path.join(migrations, 'committed', '000002.sql'), fixed.text);
      writeFileSync(path.join(migrations, 'fixtures', 'report.sql'), '-- the monthly report\nselect 1;\n\n  grant select on accounts to nobody_here;\n');
      await page.locator('.notifications-toasts .notification-toast .codicon-notifications-clear').first().click().catch(() => {});
      // The last hover is still open: move away from it before opening a file.
      await page.mouse.move(5, 600);
      await page.keyboard.press('Escape');
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'current.sql' }).first().click();
      await page.locator('.tabs-container .tab.active', { hasText: 'current.sql' }).waitFor({ timeout: 15_000 });
      await page.keyboard.press('Control+Shift+Alt+8');
      await checkError(path.join(migrations, 'fixtures', 'report.sql'), 4, 3, 'error-location-no-position', 'role "nobody_here" does not exist');
    });
  } finally {
    await browser.close();
    await server.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`error locations UI run took ${elapsedSeconds(started)} s`);
  }
});
