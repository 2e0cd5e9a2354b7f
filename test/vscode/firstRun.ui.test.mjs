// Issue 10, what a new user meets in the first ten minutes, as a person sees it in a real VS Code (code-server in
// headless Chromium, the built extension): an unreachable database (the welcome buttons render; with other projects
// in the workspace its choices are rows and the other projects stay), an empty workspace (a button creates a
// project; commands that need one are not offered), the palette finding "pgmig", CodeLens on a just-opened
// migration without a click, the view menu offering the one watch command that applies. Screenshots in
// .state/screenshots/first-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assertPrerequisites, copyWorkspace, elapsedSeconds, interruptedCommitProject, launchChromium, sampleWorkspaceSource, skipUnlessInstalled, startCodeServer,
} from './codeServer.mjs';
import { openFile, openQuickInput, runCommand, screenshot, stepsOf, waitUntil } from './workbench.mjs';

const UNREACHABLE_URL = 'postgres://nobody@127.0.0.1:1/nothing';
const WELCOME_BUTTONS = ['Use the Embedded Database', 'Select Target', 'Set Database Password', 'Show Log'];

const sidebar = (page) => page.locator('#workbench\\.parts\\.sidebar');
const treeRow = (page, text) => sidebar(page).locator('.monaco-list-row', { hasText: text }).first();
const migrationsPane = (page) => sidebar(page).locator('.pane', { has: page.locator('.pane-header', { hasText: /^Migrations/i }) }).first();

/** One code-server + Chromium on `workspace` for the steps of `fn`; a failing step saves a screenshot. */
async function withWorkbench(t, { workspace, env = {}, settings = {} }, fn) {
  const server = await startCodeServer({ workspace, installExtension: true, env, settings });
  t.diagnostic(`code-server on port ${server.port} ready in ${server.startSeconds} s (workspace ${workspace})`);
  const browser = await launchChromium();
  const { page } = browser;
  const step = stepsOf(t, page, 'first');
  try {
    await page.goto(server.workbenchUrl());
    // The extension's view container in the activity bar (an empty folder has no explorer rows to wait for).
    await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').waitFor({ timeout: 60_000 });
    await fn(page, step);
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function openMigrationsView(page) {
  await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').click();
  await page.mouse.move(800, 600); // no tooltip over the view in the screenshots
  await migrationsPane(page).waitFor({ timeout: 30_000 });
}

async function welcomeButtons(page) {
  return (await migrationsPane(page).locator('.welcome-view-content .monaco-button').allInnerTexts()).map((s) => s.trim());
}

/** A workspace holding only the sample's graphile-migrate project (.gmrc, migrations/). */
function singleProjectWorkspace() {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-ws-')), 'single');
  mkdirSync(dir, { recursive: true });
  const sample = sampleWorkspaceSource();
  cpSync(path.join(sample, '.gmrc'), path.join(dir, '.gmrc'));
  cpSync(path.join(sample, 'migrations'), path.join(dir, 'migrations'), { recursive: true });
  return dir;
}

test('first run: an unreachable database, one project (real VS Code)', { ...skipUnlessInstalled(), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = singleProjectWorkspace();
  try {
    await withWorkbench(t, { workspace, env: { DATABASE_URL: UNREACHABLE_URL } }, async (page, step) => {
      await step('the welcome content renders its buttons and the reason is in the header', async () => {
        await openMigrationsView(page);
        // Never "no project" while the server starts: only the unreachable database's buttons.
        await waitUntil('the welcome buttons', async () => {
          const b = await welcomeButtons(page);
          assert.ok(!b.includes('Open Folder'), `no "no project" welcome while the server starts (${b})`);
          return JSON.stringify(b) === JSON.stringify(WELCOME_BUTTONS);
        }, 60_000);
        const text = await migrationsPane(page).locator('.welcome-view-content').innerText();
        assert.match(text, /No PostgreSQL server answers at the selected target's address \(connection refused\)/);
        assert.doesNotMatch(text, /`/, 'no raw backticks');
        const header = await migrationsPane(page).locator('.pane-header').innerText();
        assert.match(header, /unreachable: connection refused/);
        await page.mouse.move(800, 600);
        await screenshot(page, t, 'first-unreachable-welcome');
      });
      await step('"Use the Embedded Database" brings the migrations back', async () => {
        await migrationsPane(page).locator('.welcome-view-content .monaco-button', { hasText: 'Use the Embedded Database' }).click();
        await treeRow(page, '000001-users.sql').waitFor({ timeout: 60_000 });
        assert.deepEqual(await welcomeButtons(page), []);
        assert.doesNotMatch(await migrationsPane(page).locator('.pane-header').innerText(), /unreachable/);
        await screenshot(page, t, 'first-unreachable-embedded');
      });
    });
  } finally {
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`run took ${elapsedSeconds(started)} s`);
  }
});

test('first run: an unreachable database among other projects (real VS Code)', { ...skipUnlessInstalled(), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = copyWorkspace();
  try {
    await withWorkbench(t, { workspace, env: { DATABASE_URL: UNREACHABLE_URL } }, async (page, step) => {
      await step('the unreachable target lists the choices as rows; the other projects stay visible', async () => {
        await openMigrationsView(page);
        await treeRow(page, 'Use the Embedded Database').waitFor({ timeout: 60_000 });
        for (const row of ['Select Target…', 'Set Database Password…', 'Show Log', 'connection refused']) await treeRow(page, row).waitFor();
        assert.deepEqual(await welcomeButtons(page), []);
        await screenshot(page, t, 'first-unreachable-rows');
        // The sample's other projects, below (the Schema view collapsed to make room).
        await sidebar(page).locator('.pane-header', { hasText: /^Schema/i }).click();
        await treeRow(page, 'broken-history').waitFor({ timeout: 30_000 });
        for (const name of ['numbered · numbered', 'drizzle · drizzle', 'alembic · alembic']) await treeRow(page, name).waitFor({ timeout: 30_000 });
      });
      await step('a row runs its command: Use the Embedded Database', async () => {
        await treeRow(page, 'Use the Embedded Database').click();
        await treeRow(page, '000001-users.sql').waitFor({ timeout: 60_000 });
      });
    });
  } finally {
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`run took ${elapsedSeconds(started)} s`);
  }
});

test('first run: lenses, Rollback without a down script, the view menu, Select Target (real VS Code)', { ...skipUnlessInstalled(), timeout: 300_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = copyWorkspace();
  try {
    await withWorkbench(t, { workspace }, async (page, step) => {
      const lens = (title) => page.locator('.monaco-editor .codelens-decoration a', { hasText: title }).first();
      await step('a just-opened migration shows Apply without a click', async () => {
        await openFile(page, 'migrations/committed/000003-current-user-id.sql');
        await lens(/^Apply$/).waitFor({ timeout: 60_000 });
        assert.equal(await lens('Show migration status').count(), 0);
        await screenshot(page, t, 'first-codelens-without-click');
      });
      await step('Migrate: Apply Pending Migrations says what it applied', async () => {
        await runCommand(page, 'Migrate: Apply Pending Migrations');
        await page.locator('.notifications-toasts .notification-toast', { hasText: /pgmig: applied 000001-users\.sql, 000002-posts\.sql, 000003-current-user-id\.sql/ }).waitFor({ timeout: 60_000 });
        // 000003 is now the latest applied, without a down script: its lens offers to write one, not a Rollback.
        await lens(/^Create Down Script$/).waitFor({ timeout: 30_000 });
        assert.equal(await lens(/^Rollback$/).count(), 0);
        await screenshot(page, t, 'first-codelens-create-down');
      });
      await step('Rollback without a down script offers Create Down Script, which opens the new file', async () => {
        await runCommand(page, 'Migrate: Roll Back the Latest Migration');
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'has no down script' }).first();
        await toast.waitFor({ timeout: 30_000 });
        assert.match(await toast.innerText(), /000003-current-user-id\.sql has no down script, so it cannot be rolled back\. Write 000003-current-user-id\.down\.sql first/);
        assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no confirmation of a rollback that cannot run');
        await screenshot(page, t, 'first-rollback-no-down');
        await toast.locator('.monaco-button', { hasText: 'Create Down Script' }).click();
        await page.locator('.tabs-container .tab.active', { hasText: '000003-current-user-id.down.sql' }).waitFor({ timeout: 15_000 });
        assert.ok(existsSync(path.join(workspace, 'migrations', 'committed', '000003-current-user-id.down.sql')));
        await screenshot(page, t, 'first-down-script-created');
      });
      await step('the view title offers Start Watch only, then Stop Watch only', async () => {
        await openMigrationsView(page);
        const buttons = async () => {
          await migrationsPane(page).locator('.pane-header').hover();
          return (await migrationsPane(page).locator('.pane-header .actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || ''))).join(' | ');
        };
        let labels = await waitUntil('the title buttons', async () => ((await buttons()).includes('Start Watch') ? buttons() : undefined));
        assert.doesNotMatch(labels, /Stop Watch/);
        await runCommand(page, 'Migrate: Start Watch');
        labels = await waitUntil('Stop Watch in the title', async () => ((await buttons()).includes('Stop Watch') ? buttons() : undefined));
        assert.doesNotMatch(labels, /Start Watch/);
        await treeRow(page, 'current.sql').waitFor({ timeout: 30_000 });
        await page.mouse.move(800, 600);
        await screenshot(page, t, 'first-watch-button');
        await runCommand(page, 'Migrate: Stop Watch');
        await waitUntil('Start Watch back', async () => (await buttons()).includes('Start Watch'));
      });
      await step('typing "pgmig" in the palette finds the commands', async () => {
        const input = await openQuickInput(page, 'F1');
        await input.fill('>pgmig');
        const rows = page.locator('.quick-input-widget .monaco-list-row');
        await rows.first().waitFor();
        const labels = (await rows.allInnerTexts()).join('\n');
        for (const title of ['Migrate: Apply Pending Migrations', 'Migrate: Commit current.sql as a New Migration', 'Migrate: Roll Back the Latest Migration']) assert.ok(labels.includes(title), labels);
        await screenshot(page, t, 'first-palette-pgmig');
        await page.keyboard.press('Escape');
      });
      await step('Select Target names the projects by folder, never by absolute path', async () => {
        await runCommand(page, 'Migrate: Select Target');
        // The visible rows only: the palette's rows from the step before can still be in the page, hidden.
        const rows = page.locator('.quick-input-widget .monaco-list-row:visible .label-name');
        const labels = await waitUntil('the Select Target rows', async () => {
          const texts = (await rows.allInnerTexts()).map((s) => s.trim());
          return texts.includes('migrations-sample') ? texts : undefined;
        }, 15_000);
        assert.ok(labels.includes('migrations-sample') && labels.includes('numbered'), labels.join(' | '));
        assert.ok(!labels.some((l) => l.startsWith('/')), labels.join(' | '));
        await screenshot(page, t, 'first-select-target');
        await page.keyboard.press('Escape');
      });
      await step('a lens error is short and relative; its tooltip has the whole text', async () => {
        const deep = 'a-folder-with-a-rather-long-name/and-another-long-folder-name/missing-fixture.sql';
        await openFile(page, 'migrations/current.sql');
        await page.locator('.monaco-editor .view-lines').first().click();
        await page.keyboard.press('Control+A');
        await page.keyboard.type(`--!include ${deep}\nselect 1;\n`);
        await page.keyboard.press('Control+S');
        // A lens without a command (a label) is a span, not a link.
        const error = page.locator('.monaco-editor .codelens-decoration > *', { hasText: /^current: error/ }).first();
        await error.waitFor({ timeout: 30_000 });
        const title = await error.innerText();
        assert.doesNotMatch(title, new RegExp(workspace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.match(title, /^current: error: migrations\/current\.sql:1:12: fixture/);
        const tooltip = await error.getAttribute('title');
        assert.ok(tooltip && tooltip.includes('missing-fixture.sql') && !tooltip.includes(workspace), `tooltip: ${tooltip}`);
        await screenshot(page, t, 'first-codelens-error');
      });
    });
  } finally {
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`run took ${elapsedSeconds(started)} s`);
  }
});

test('first run: an empty folder (real VS Code)', { ...skipUnlessInstalled(), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-ws-')), 'empty');
  mkdirSync(workspace, { recursive: true });
  try {
    await withWorkbench(t, { workspace }, async (page, step) => {
      await step('the welcome text has no raw backticks and offers to create a project', async () => {
        await openMigrationsView(page);
        await waitUntil('the welcome buttons', async () => (await welcomeButtons(page)).includes('Initialize a Project Here'), 60_000);
        const text = await migrationsPane(page).locator('.welcome-view-content').innerText();
        assert.doesNotMatch(text, /`/);
        await screenshot(page, t, 'first-empty-welcome');
      });
      await step('commands that need a project are not offered', async () => {
        const input = await openQuickInput(page, 'F1');
        await input.fill('>pgmig');
        const rows = page.locator('.quick-input-widget .monaco-list-row');
        await rows.first().waitFor();
        const labels = (await rows.allInnerTexts()).join('\n');
        assert.match(labels, /Migrate: Initialize a Project Here/);
        assert.doesNotMatch(labels, /Migrate: Commit|Migrate: Apply Pending Migrations|Migrate: Roll Back/);
        await page.keyboard.press('Escape');
      });
      await step('Initialize a Project Here creates the graphile-migrate layout and opens current.sql', async () => {
        await migrationsPane(page).locator('.welcome-view-content .monaco-button', { hasText: 'Initialize a Project Here' }).click();
        await page.locator('.tabs-container .tab.active', { hasText: 'current.sql' }).waitFor({ timeout: 30_000 });
        for (const f of ['.gmrc', 'migrations/current.sql', 'migrations/committed', 'migrations/fixtures']) assert.ok(existsSync(path.join(workspace, f)), f);
        assert.ok(!existsSync(path.join(workspace, '.pgmig')), 'no database created by init');
        await treeRow(page, 'current.sql').waitFor({ timeout: 60_000 });
        await screenshot(page, t, 'first-empty-initialized');
      });
    });
  } finally {
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`run took ${elapsedSeconds(started)} s`);
  }
});

test('an interrupted commit: the Migrations view says so, and Migrate finishes it (real VS Code)', { ...skipUnlessInstalled(), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  // Issue 11 §4 as a person sees it: a commit killed after writing 000002.sql, before applying it.
  const workspace = interruptedCommitProject(path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-ws-')), 'interrupted'));
  try {
    await withWorkbench(t, { workspace }, async (page, step) => {
      await step('the target row and a warning row under it say what the next command does', async () => {
        await openMigrationsView(page);
        await treeRow(page, /interrupted commit of 000002\.sql: /).waitFor({ timeout: 60_000 });
        assert.match(await treeRow(page, /^default/).innerText(), /embedded database.* · interrupted commit/);
        // Room for the row's text in the screenshot: the side bar wider (its sash dragged).
        const bar = await sidebar(page).boundingBox();
        await page.mouse.move(bar.x + bar.width - 1, 400);
        await page.mouse.down();
        await page.mouse.move(bar.x + 900, 400, { steps: 5 });
        await page.mouse.up();
        assert.equal(await treeRow(page, /interrupted commit of 000002\.sql/).locator('.codicon-warning').count(), 1, 'a warning icon');
        await page.mouse.move(800, 600);
        await screenshot(page, t, 'first-interrupted-commit');
      });
      await step('Migrate finishes the commit and the row goes away', async () => {
        await runCommand(page, 'Migrate: Apply Pending Migrations');
        await waitUntil('the interrupted-commit row to go', async () => (await sidebar(page).locator('.monaco-list-row', { hasText: 'interrupted commit of' }).count()) === 0, 60_000);
        await waitUntil('000002.sql applied', async () => /applied/.test(await treeRow(page, '000002.sql').innerText()), 30_000);
        await page.mouse.move(800, 600);
        await screenshot(page, t, 'first-interrupted-finished');
      });
    });
  } finally {
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`run took ${elapsedSeconds(started)} s`);
  }
});
