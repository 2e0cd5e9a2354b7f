// pgmig init (issue 10): graphile-migrate's layout in a folder, never over an existing project; the CLI command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSON5 from 'json5';
import { initProject, InitRefused, BLANK_CURRENT } from '../../out/core/init.js';
import { isProjectRoot } from '../../out/core/project.js';
import { diskFileSystem } from '../../out/core/fileSystem.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const temp = () => mkdtempSync(path.join(os.tmpdir(), 'pgmig-init-'));

test('creates .gmrc, migrations/current.sql, committed/ and fixtures/ (and nothing else)', () => {
  const dir = temp();
  try {
    const r = initProject(path.join(dir, 'app'));
    assert.deepEqual(r.created, ['.gmrc', 'migrations/', 'migrations/committed/', 'migrations/fixtures/', 'migrations/current.sql']);
    assert.equal(readFileSync(path.join(dir, 'app', 'migrations', 'current.sql'), 'utf8'), BLANK_CURRENT);
    assert.deepEqual(Object.keys(JSON5.parse(readFileSync(path.join(dir, 'app', '.gmrc'), 'utf8'))).sort(), ['afterAllMigrations', 'afterCurrent', 'afterReset', 'pgSettings', 'placeholders']);
    assert.ok(!existsSync(path.join(dir, 'app', '.pgmig')), 'no .pgmig before a database is written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses a folder with a .gmrc or a non-empty migrations/, and changes nothing there', () => {
  const dir = temp();
  try {
    writeFileSync(path.join(dir, '.gmrc'), '{}');
    assert.throws(() => initProject(dir), InitRefused);
    assert.equal(readFileSync(path.join(dir, '.gmrc'), 'utf8'), '{}');
    const other = path.join(dir, 'other');
    mkdirSync(path.join(other, 'migrations'), { recursive: true });
    writeFileSync(path.join(other, 'migrations', '001.sql'), 'select 1;');
    assert.throws(() => initProject(other), /not empty/);
    assert.ok(!existsSync(path.join(other, '.gmrc')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pgmig init (CLI): the project it creates is one pgmig finds; a second run refuses with exit 1', () => {
  const dir = temp();
  try {
    const first = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'init', '--root', dir], { encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /created a graphile-migrate project/);
    assert.ok(isProjectRoot(diskFileSystem, dir), 'pgmig sees a project there');
    const again = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'init', '--root', dir], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already has a \.gmrc/);
    const lint = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'lint', '--root', dir], { encoding: 'utf8' });
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
