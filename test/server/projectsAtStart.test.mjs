// The Migrations view asks `pgmig/projects` once when it opens, as soon as the server answers `initialize`. An answer
// given before the server's first scan of the workspace ("no project") stayed in the view (seen in a fresh-clone CI
// run: the sample's tree said "No migrations project"). The server answers only once the first scan is done: here
// the client holds back the settings the server pulls before it marks that, and the answer must come after them.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LspClient, repoRoot } from './lspClient.mjs';

test('pgmig/projects asked right after initialize is answered after the first scan, with the projects', { timeout: 30_000 }, async (t) => {
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-projects-')), 'sample');
  cpSync(path.join(repoRoot, 'migrations-sample'), root, { recursive: true, filter: (src) => path.basename(src) !== '.pgmig' });
  const client = new LspClient({ rootDir: root, trusted: true });
  t.after(async () => {
    await client.stop();
    rmSync(path.dirname(root), { recursive: true, force: true });
  });
  let settingsAnsweredAt = Infinity;
  client.conn.onRequest('workspace/configuration', async (p) => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    settingsAnsweredAt = performance.now();
    return p.items.map((i) => (i.section === 'pgmig' ? client.settings : null));
  });
  await client.initialize();
  const projects = await client.request('pgmig/projects', null);
  const answeredAt = performance.now();
  assert.ok(answeredAt > settingsAnsweredAt, 'answered before the server had finished starting');
  assert.ok(projects.roots.includes(root), `the sample's graphile project is listed (${projects.roots.join(', ')})`);
  assert.deepEqual(projects.layouts.map((l) => path.relative(root, l.root)).sort(), ['alembic', 'drizzle', 'numbered']);
});
