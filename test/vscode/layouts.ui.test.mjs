// Issue 12 (item 2) and issue 10 as a person sees them in a real VS Code (code-server in headless Chromium): the
// Migrations view reads an Alembic project's status from the database alembic itself uses (alembic.ini's URL, on a
// real PostgreSQL that the real alembic upgraded), and for a project whose env.py reads an unset variable it says it
// cannot tell, instead of creating and reading an embedded database. Screenshots in .state/screenshots/layouts-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  assertPrerequisites, copyWorkspace, elapsedSeconds, launchChromium, skipUnlessInstalled, startCodeServer,
} from './codeServer.mjs';
import { screenshot, waitUntil } from './workbench.mjs';
import { startPostgres } from '../support/postgres.mjs';
import { TEMPLATE_ENV_PY } from '../layouts/helpers.mjs';

const sidebar = (page) => page.locator('#workbench\\.parts\\.sidebar');
const treeRow = (page, text) => sidebar(page).locator('.monaco-list-row', { hasText: text }).first();
const alembicMissing = () => spawnSync('/usr/bin/python3', ['-c', 'import alembic, psycopg2'], { stdio: 'ignore' }).status !== 0;



test('Alembic in the Migrations view: the database alembic uses, or why it cannot tell', { ...skipUnlessInstalled(), skip: skipUnlessInstalled().skip || (alembicMissing() && !process.env.CI ? 'Alembic not installed (test/layouts/setup-alembic.sh)' : false), timeout: 300_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const pg = await startPostgres();
  const workspace = copyWorkspace();
  const own = path.join(workspace, 'alembic');
  const fromEnv = path.join(workspace, 'alembic-env');
  cpSync(own, fromEnv, { recursive: true }); // the sample as it is: env.py reads DATABASE_URL, unset here
  for (const other of ['broken-history', 'numbered', 'drizzle']) rmSync(path.join(workspace, other), { recursive: true, force: true });
  // alembic.ini names the database; the real alembic upgrades it to one head.
  pg.psql('create database alembic_ui');
  const url = pg.url('alembic_ui').replace(/^postgres:/, 'postgresql:');
  writeFileSync(path.join(own, 'alembic.ini'), readFileSync(path.join(own, 'alembic.ini'), 'utf8').replace(/^sqlalchemy\.url =.*$/m, `sqlalchemy.url = ${url.replace(/%/g, '%%')}`));
  writeFileSync(path.join(own, 'alembic', 'env.py'), TEMPLATE_ENV_PY);
  const up = spawnSync('/usr/bin/python3', ['-m', 'alembic', 'upgrade', '3c3d2e4f5a6b'], { cwd: own, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  assert.equal(up.status, 0, up.stderr);
  const env = { DATABASE_URL: '' };
  const server = await startCodeServer({ workspace, installExtension: true, env });
  const browser = await launchChromium();
  const { page } = browser;
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').click();
    // Room for the Alembic nodes: the Schema view folded.
    await treeRow(page, '000001-users.sql').waitFor({ timeout: 60_000 });
    const schemaHeader = sidebar(page).locator('.pane-header', { hasText: /schema/i }).first();
    if ((await schemaHeader.getAttribute('aria-expanded', { timeout: 5_000 }).catch(() => null)) === 'true') await schemaHeader.click();
    await t.test('alembic.ini names the database: current revision and applied revisions from it', async () => {
      const node = treeRow(page, 'alembic · alembic');
      await node.waitFor({ timeout: 60_000 });
      if ((await node.getAttribute('aria-expanded')) !== 'true') await node.click();
      await waitUntil('the current revision', async () => /3c3d2e4f5a6b/.test(await treeRow(page, 'current revision').innerText()), 60_000);
      await screenshot(page, t, 'layouts-alembic-own-database');
      const rows = (await sidebar(page).locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
      t.diagnostic(rows.join(' | '));
      assert.ok(rows.some((r) => /3c3d2e4f5a6b_add_account_email\.py ?applied · head, current/.test(r)), rows.join(' | '));
      assert.ok(rows.some((r) => /4d4e3f5a6b7c_add_invoice_total\.py ?pending/.test(r)), rows.join(' | '));
    });
    await t.test('env.py reads an unset variable: the view says it cannot tell; no embedded database', async () => {
      await treeRow(page, 'alembic · alembic').click(); // fold the first one
      const node = treeRow(page, 'alembic-env · alembic');
      await node.waitFor({ timeout: 60_000 });
      if ((await node.getAttribute('aria-expanded')) !== 'true') await node.click();
      await treeRow(page, 'cannot tell which database alembic uses').waitFor({ timeout: 60_000 });
      await page.locator('.monaco-list-row', { hasText: 'cannot tell which database alembic uses' }).first().hover();
      await screenshot(page, t, 'layouts-alembic-cannot-tell');
      assert.ok(!existsSync(path.join(fromEnv, '.pgmig')) && !existsSync(path.join(own, '.pgmig')), 'no embedded database for an alembic project');
    });
  } catch (error) {
    await screenshot(page, t, 'layouts-failure').catch(() => {});
    throw error;
  } finally {
    await browser.close();
    await server.stop();
    await pg.stop();
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`layouts UI run took ${elapsedSeconds(started)} s`);
  }
});
