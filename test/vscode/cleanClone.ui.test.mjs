// Issue 10's "Done when": a fresh clone's `git status` is clean after opening the Migrations view and running Migrate
// on the sample. A temp git repository made from migrations-sample is cloned and opened in a real VS Code
// (code-server in headless Chromium, the built extension). Opening the view creates nothing (no `.pgmig` in any
// project) and the tree says the project has no database yet; Migrate from the palette creates the embedded database
// under `.pgmig/`, which carries its own `.gitignore` (`*`), so `git status --porcelain` stays empty. Screenshots:
// .state/screenshots/clean-clone-*.png. Needs `bash test/vscode/setup.sh`, git and a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertPrerequisites, elapsedSeconds, launchChromium, sampleWorkspaceSource, skipUnlessInstalled, startCodeServer } from './codeServer.mjs';
import { runCommand, screenshot, stepsOf, waitUntil } from './workbench.mjs';

const sidebar = (page) => page.locator('#workbench\\.parts\\.sidebar');
const treeRow = (page, text) => sidebar(page).locator('.monaco-list-row', { hasText: text }).first();

function git(cwd, ...args) {
  const r = spawnSync('git', ['-c', 'user.name=pgmig test', '-c', 'user.email=test@pgmig.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Every `.pgmig` folder under `dir` (not inside .git), relative to it. */
function pgmigFolders(dir, rel = '') {
  const found = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === '.git' || e.name === 'node_modules') continue;
    const child = path.join(rel, e.name);
    if (e.name === '.pgmig') found.push(child);
    else found.push(...pgmigFolders(dir, child));
  }
  return found;
}

const hasGit = spawnSync('git', ['--version']).status === 0;

test('a fresh clone stays clean: open the Migrations view, then Migrate (real VS Code)', { ...skipUnlessInstalled(), ...(hasGit ? {} : { skip: 'git is not installed' }), timeout: 240_000 }, async (t) => {
  assertPrerequisites();
  const started = performance.now();
  const base = mkdtempSync(path.join(os.tmpdir(), 'pgmig-clone-'));
  const origin = path.join(base, 'origin');
  const clone = path.join(base, 'sample');
  // The sample's files as a repository would hold them (not an embedded database a CLI run may have left there).
  cpSync(sampleWorkspaceSource(), origin, { recursive: true, filter: (src) => path.basename(src) !== '.pgmig' });
  git(origin, 'init', '-q');
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'migrations sample');
  git(base, 'clone', '-q', origin, clone);
  assert.equal(git(clone, 'status', '--porcelain'), '', 'the clone starts clean');

  const server = await startCodeServer({ workspace: clone, installExtension: true });
  t.diagnostic(`code-server on port ${server.port} ready in ${server.startSeconds} s`);
  const browser = await launchChromium();
  const { page } = browser;
  const step = stepsOf(t, page, 'clean-clone');
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').waitFor({ timeout: 60_000 });

    await step('opening the Migrations view creates nothing; the project says "no database yet"', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').click();
      await treeRow(page, '000001-users.sql').waitFor({ timeout: 60_000 });
      // Room for the tree: the Schema view collapsed, the side bar wider (its sash dragged), so that the screenshot
      // shows the rows' descriptions.
      await sidebar(page).locator('.pane-header', { hasText: /^Schema/i }).click();
      const sash = await page.locator('#workbench\\.parts\\.sidebar').boundingBox();
      await page.mouse.move(sash.x + sash.width - 1, 400);
      await page.mouse.down();
      await page.mouse.move(sash.x + 700, 400, { steps: 5 });
      await page.mouse.up();
      await page.mouse.move(1000, 700);
      // The graphile project's target row: its migrations are pending on a database that does not exist yet.
      await treeRow(page, /sample · default\s*no database yet: 3 pending/).waitFor({ timeout: 60_000 });
      // The other projects of the sample have been read too (each layout's status), and made nothing either.
      for (const name of ['numbered · numbered', 'drizzle · drizzle', 'alembic · alembic']) await treeRow(page, name).waitFor({ state: 'attached', timeout: 30_000 });
      await waitUntil('the numbered project to show its status', async () => /pending/.test(await treeRow(page, '004_drop_invoice_notes.sql').innerText()), 30_000);
      await waitUntil('the drizzle project to show its status', async () => /pending/.test(await treeRow(page, '0002_review_points.sql').innerText()), 30_000);
      // Their rows say it too (the graphile row's words).
      await treeRow(page, /numbered · numbered\s*no database yet: 4 pending · embedded database/).waitFor({ timeout: 30_000 });
      await treeRow(page, /drizzle · drizzle\s*no database yet: 3 pending · embedded database/).waitFor({ timeout: 30_000 });
      await screenshot(page, t, 'clean-clone-no-database');
      assert.deepEqual(pgmigFolders(clone), [], 'no .pgmig folder before a command that writes');
      assert.equal(git(clone, 'status', '--porcelain', '--untracked-files=all'), '', 'git status is clean after opening the view');
    });

    await step('Migrate from the palette creates the embedded database, ignored by its own .gitignore', async () => {
      await runCommand(page, 'Migrate: Apply Pending Migrations');
      await page.locator('.notification-list-item-message', { hasText: /pgmig: applied .*000003/ }).first().waitFor({ timeout: 90_000 });
      await waitUntil('the tree to show the migrations applied', async () => (await treeRow(page, '000003-current-user-id.sql').innerText()).includes('applied'), 30_000);
      await waitUntil('the sample row to name its database', async () => /embedded database · selected · 0 pending/.test(await treeRow(page, /sample · default/).innerText()), 30_000);
      assert.doesNotMatch(await treeRow(page, /sample · default/).innerText(), /no database yet/);
      await page.mouse.move(800, 600);
      await screenshot(page, t, 'clean-clone-migrated');
      assert.deepEqual(pgmigFolders(clone), ['.pgmig'], 'only the project that was migrated has a database');
      assert.ok(existsSync(path.join(clone, '.pgmig', 'db', 'PG_VERSION')), 'the embedded database is under .pgmig/db');
      const ignore = readFileSync(path.join(clone, '.pgmig', '.gitignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
      assert.deepEqual(ignore, ['*'], 'the .gitignore holds `*` (and a comment)');
      assert.equal(git(clone, 'status', '--porcelain', '--untracked-files=all'), '', 'git status is clean after Migrate');
    });
  } finally {
    await browser.close();
    await server.stop();
    rmSync(base, { recursive: true, force: true });
    t.diagnostic(`clean clone UI run took ${elapsedSeconds(started)} s`);
  }
});
