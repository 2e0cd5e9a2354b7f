// Issue 10, "the database is the user's, as their tools configure it", as a person meets it in a real VS Code
// (code-server in headless Chromium): a graphile/starter-like repository (test/vscode/fixtures/starter-env: the
// project in @app/db, its .gmrc taking role names from !ENV, DATABASE_URL and the roles in the .env at the top) on
// a real PostgreSQL. VS Code is started without those variables; with the default pgmig.envFile the Migrations view
// shows the project's migrations on its database, and Migrate applies them there. Screenshots in
// .state/screenshots/envfile-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertPrerequisites, copyWorkspace, elapsedSeconds, launchChromium, skipUnlessInstalled, startCodeServer } from './codeServer.mjs';
import { screenshot, stepsOf, waitUntil } from './workbench.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { setUpStarter, starterFixture } from '../support/starterFixture.mjs';

const sidebar = (page) => page.locator('#workbench\\.parts\\.sidebar');
const treeRow = (page, text) => sidebar(page).locator('.monaco-list-row', { hasText: text }).first();
const rowText = async (page, text) => (await treeRow(page, text).innerText()).replace(/\s+/g, ' ');
// pgmig.migrate by a key of its own: the test does not depend on the command's title in the palette.
const MIGRATE_KEY = 'Control+Shift+Alt+9';

test('a starter-like project with its .env: the Migrations view and Migrate on its PostgreSQL', { ...skipUnlessInstalled(), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  // VS Code knows none of the project's variables: they are in its .env only.
  for (const name of ['DATABASE_URL', 'SHADOW_DATABASE_URL', 'ROOT_DATABASE_URL', 'DATABASE_AUTHENTICATOR', 'DATABASE_VISITOR', 'PGPASSWORD']) delete process.env[name];
  const pg = await startPostgres();
  const workspace = copyWorkspace(starterFixture);
  setUpStarter(pg, workspace, { copy: false });
  const server = await startCodeServer({ workspace, installExtension: true });
  writeFileSync(path.join(server.stateDir, 'data', 'User', 'keybindings.json'), JSON.stringify([{ key: MIGRATE_KEY.toLowerCase().replaceAll('control', 'ctrl'), command: 'pgmig.migrate' }]));
  t.diagnostic(`code-server on port ${server.port} ready in ${server.startSeconds} s (workspace ${workspace})`);
  const browser = await launchChromium();
  const { page } = browser;
  const step = stepsOf(t, page, 'envfile');
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });

    await step('the Migrations view shows the migrations pending on the database the .env names', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').click();
      await treeRow(page, '000001.sql').waitFor({ timeout: 60_000 });
      await waitUntil('000001.sql pending', async () => /pending/.test(await rowText(page, '000001.sql')));
      assert.match(await rowText(page, '000002.sql'), /pending/);
      // The default target is the database of DATABASE_URL (the embedded one is only offered besides), no password.
      assert.match(await rowText(page, 'default'), new RegExp(`default ?postgres://starter_owner@127\\.0\\.0\\.1:${pg.port}/starter · selected · 2 pending`));
      assert.doesNotMatch(await sidebar(page).innerText(), /owner-secret/);
      await screenshot(page, t, 'envfile-tree-pending');
    });

    await step('Migrate applies them there, with the roles of the .env', async () => {
      await page.locator('.monaco-workbench').click({ position: { x: 600, y: 300 } }).catch(() => {});
      await page.keyboard.press(MIGRATE_KEY);
      await waitUntil('000002.sql applied', async () => /applied \d{4}-\d\d-\d\d/.test(await rowText(page, '000002.sql')), 60_000);
      assert.match(await rowText(page, '000001.sql'), /applied/);
      assert.equal(pg.psql("select string_agg(filename, ',' order by filename) from graphile_migrate.migrations", 'starter'), '000001.sql,000002.sql\n');
      assert.equal(pg.psql("select has_table_privilege('starter_visitor', 'app_public.users', 'select')", 'starter'), 't\n');
      await screenshot(page, t, 'envfile-tree-applied');
    });
  } finally {
    await browser.close();
    await server.stop();
    await pg.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`env file UI run took ${elapsedSeconds(started)} s`);
  }
});
