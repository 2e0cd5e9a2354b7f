// Issue 10, "first impression", as a person meets it: the extension packaged as a .vsix (the README's `npm run
// package` steps: the user README with its screenshots inlined, vsce with the same flags) and installed into a real
// VS Code (code-server in headless Chromium) with `--install-extension`, as a user installs it. The Extensions page
// shows the icon and the user README (not the contributor README, no links to files the .vsix does not hold), and
// the installed extension works: the Migrations view shows the sample. Screenshots: .state/screenshots/packaged-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assertPrerequisites, copyWorkspace, elapsedSeconds, launchChromium, repoRoot, skipUnlessInstalled, startCodeServer, testVscodeDir,
} from './codeServer.mjs';
import { screenshot, stepsOf, waitUntil } from './workbench.mjs';

const vsce = path.join(testVscodeDir, 'node_modules', '.bin', 'vsce');
const sidebar = (page) => page.locator('#workbench\\.parts\\.sidebar');
const treeRow = (page, text) => sidebar(page).locator('.monaco-list-row', { hasText: text }).first();

/** `npm run package`'s steps on the built dist/ (the user README, then vsce with the script's flags) into `out`. */
function packageVsix(out) {
  const script = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts.package;
  // The flags come from the script itself, so this test packages the way users' .vsix files are made.
  const flags = script.slice(script.indexOf(' package ') + ' package '.length).trim().split(/\s+/);
  assert.ok(flags.includes('--readme-path'), `npm run package passes the user README to vsce (${script})`);
  const readme = spawnSync(process.execPath, [path.join(repoRoot, 'vsixReadme.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(readme.status, 0, readme.stderr);
  const r = spawnSync(vsce, ['package', ...flags, '--out', out], { cwd: repoRoot, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `vsce package failed:\n${r.stdout}${r.stderr}`);
}

/** The names and the README of the .vsix (a zip), read with Python's zipfile (Debian's python3 runs the Alembic suite too). */
function vsixContents(file) {
  const r = spawnSync('python3', ['-c', 'import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({"names": z.namelist(), "readme": z.read("extension/readme.md").decode()}))', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('the packaged .vsix: the Extensions page shows the icon and the user README, and the extension works (real VS Code)', { ...skipUnlessInstalled(), timeout: 300_000 }, async (t) => {
  assertPrerequisites();
  assert.ok(existsSync(vsce), `vsce is installed with the suite's tools (bash test/vscode/setup.sh): ${vsce}`);
  const started = performance.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pgmig-vsix-'));
  const vsix = path.join(tmp, 'pgmig.vsix');
  packageVsix(vsix);
  const { names, readme } = vsixContents(vsix);
  t.diagnostic(`packaged ${names.length} files`);

  await t.test('the .vsix holds the icon and a user README whose links all resolve', () => {
    assert.ok(names.includes('extension/media/icon.png'), 'the icon is in the .vsix');
    assert.match(readme, /^# pgmig: PostgreSQL migrations/, 'the user README, not the contributor one');
    assert.doesNotMatch(readme, /ARCHITECTURE\.md|npm test|\.ci\/run/, 'nothing of the contributor README');
    for (const section of ['## While you type', '## The migration workflow', '## Settings', '## Commands']) assert.ok(readme.includes(section), `the README has "${section}"`);
    // Every link and image either leaves the package (https:, data:) or is an anchor: a relative path would be a
    // broken link on the Extensions page.
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.ok(targets.some((x) => x.startsWith('data:image/png;base64,')), 'the screenshots are inlined');
    const relative = targets.filter((x) => !/^(https?:|data:|#|mailto:)/.test(x));
    assert.deepEqual(relative, [], 'no relative links');
    assert.ok(!names.some((n) => /README\.md$|ARCHITECTURE|\/test\/|\/core\/|node_modules/.test(n)), `only what VS Code runs (${names.filter((n) => /README\.md$|\/test\/|\/core\//.test(n)).join(', ')})`);
  });

  const workspace = copyWorkspace();
  const server = await startCodeServer({ workspace, installVsix: vsix });
  t.diagnostic(`code-server on port ${server.port} ready in ${server.startSeconds} s`);
  const browser = await launchChromium();
  const { page } = browser;
  const step = stepsOf(t, page, 'packaged');
  try {
    await page.goto(server.workbenchUrl());
    await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').waitFor({ timeout: 60_000 });

    await step('the Extensions page: icon, name and the user README with its screenshots', async () => {
      // The Extensions view lists what is installed (the gallery is unreachable in these tests).
      await page.locator('.activitybar .action-item a[aria-label^="Extensions"]').click();
      const row = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'pgmig' }).first();
      await row.waitFor({ timeout: 30_000 });
      // The list shows the packaged icon (a data or file URL), not VS Code's default puzzle piece.
      const listIcon = row.locator('img.icon');
      await waitUntil('the icon in the list', async () => (await listIcon.evaluate((img) => img.complete && img.naturalWidth)) >= 64, 30_000);
      await row.click();
      const editor = page.locator('.extension-editor');
      await editor.locator('.header .name', { hasText: 'pgmig' }).waitFor({ timeout: 30_000 });
      const headerIcon = editor.locator('.header img.icon');
      await waitUntil('the icon on the Extensions page', async () => (await headerIcon.evaluate((img) => img.complete && img.naturalWidth)) >= 64, 30_000);
      // The README is a webview (nested iframes): find the frame that renders it.
      const readmeFrame = await waitUntil('the README in the details', async () => {
        for (const frame of page.frames()) {
          const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
          if (text.includes('PostgreSQL migrations') && text.includes('While you type')) return frame;
        }
        return undefined;
      }, 60_000);
      const images = await waitUntil('the README screenshots to load', async () => {
        const list = await readmeFrame.evaluate(() => [...document.images].map((img) => ({ ok: img.complete && img.naturalWidth > 100, alt: img.alt })));
        return list.length >= 2 && list.every((i) => i.ok) ? list : undefined;
      }, 30_000);
      t.diagnostic(`README images: ${images.map((i) => i.alt).join(' | ')}`);
      await page.mouse.move(900, 700);
      await screenshot(page, t, 'packaged-extension-page');
    });

    await step('the installed extension works: the Migrations view shows the sample', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="Migrations"]').click();
      await treeRow(page, '000001-users.sql').waitFor({ timeout: 60_000 });
      await treeRow(page, /sample · default\s*no database yet: 3 pending/).waitFor({ timeout: 60_000 });
      await page.mouse.move(900, 700);
      await screenshot(page, t, 'packaged-migrations-view');
    });
  } finally {
    await browser.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(path.dirname(workspace), { recursive: true, force: true });
    t.diagnostic(`packaged extension UI run took ${elapsedSeconds(started)} s`);
  }
});
