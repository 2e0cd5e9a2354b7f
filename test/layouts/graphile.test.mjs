// graphile-migrate through the layout interface (core/layouts/graphile.ts wraps core/engine): the same status shape
// as the other layouts, on the embedded database.
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { core, tempDir } from './helpers.mjs';

const { loadSettings } = core('engine/settings.js');
const { MigrationEngine } = core('engine/engine.js');
const { formatCommittedFile } = core('graphile/committedFile.js');
const { detectLayout } = core('layouts/detect.js');
const { GraphileLayout } = core('layouts/graphile.js');
const { diskFileSystem } = core('fileSystem.js');

test('graphile-migrate behind the layout interface: list, status, migrate, rollback', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'migrations', 'committed'), { recursive: true });
  writeFileSync(path.join(dir, '.gmrc'), '{}\n');
  writeFileSync(path.join(dir, 'migrations', 'current.sql'), '');
  const first = formatCommittedFile({ body: 'create table a (id int);\n', previousHash: null });
  const second = formatCommittedFile({ body: 'create table b (id int);\n', previousHash: first.hash, message: 'add b' });
  writeFileSync(path.join(dir, 'migrations', 'committed', '000001.sql'), first.text);
  writeFileSync(path.join(dir, 'migrations', 'committed', '000002-add-b.sql'), second.text);
  writeFileSync(path.join(dir, 'migrations', 'committed', '000002-add-b.down.sql'), 'drop table b;\n');
  const project = detectLayout(diskFileSystem, dir, undefined);
  assert.equal(project.kind, 'graphile');
  const engine = new MigrationEngine(loadSettings({ root: dir }));
  try {
    const layout = new GraphileLayout(project, engine);
    assert.deepEqual(layout.migrations().map((m) => [m.id, m.name, !!m.downFile]), [['000001.sql', '', false], ['000002.sql', 'add b', true]]);
    let s = await layout.status();
    assert.deepEqual(s.migrations.map((m) => m.state), ['pending', 'pending']);
    assert.deepEqual((await layout.migrate()).applied, ['000001.sql', '000002-add-b.sql']);
    s = await layout.status();
    assert.deepEqual(s.migrations.map((m) => m.state), ['applied', 'applied']);
    assert.ok(s.migrations.every((m) => m.appliedAt instanceof Date));
    await assert.rejects(layout.migrate(undefined, { to: '000001.sql' }), /applies every committed migration/);
    assert.deepEqual((await layout.rollback()).rolledBack.length, 1);
    assert.deepEqual((await layout.status()).migrations.map((m) => m.state), ['applied', 'pending']);
  } finally {
    await engine.close();
  }
});
