// An SQL error PostgreSQL reports without a position (here 42701, "column already exists", from a fixture included by
// current.sql) reaches an LSP client as a diagnostic on the statement that failed, in the fixture, through the
// language server's existing path for engine errors (server/engineHost.ts). On a copy of migrations-sample/ with the
// embedded database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LspClient, repoRoot } from './lspClient.mjs';

let root;
let client;
const run = (command, args = {}) => client.request('workspace/executeCommand', { command: `pgmig.engine.${command}`, arguments: [{ root, ...args }] });

before(async () => {
  root = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-engine-errors-lsp-')), 'sample');
  cpSync(path.join(repoRoot, 'migrations-sample'), root, { recursive: true, filter: (src) => path.basename(src) !== '.pgmig' });
  client = await LspClient.start({ rootDir: root, trusted: true });
  await client.waitIdle();
});

after(async () => {
  await client?.stop();
  rmSync(path.dirname(root), { recursive: true, force: true });
});

test('an error without a position is a diagnostic on its statement, in the included fixture', { timeout: 120_000 }, async () => {
  await run('migrate');
  const fixture = path.join(root, 'migrations', 'fixtures', 'twice.sql');
  writeFileSync(fixture, 'alter table app.users add column nickname text;\n\n-- again\nalter table app.users\n  add column nickname text;\n');
  const current = path.join(root, 'migrations', 'current.sql');
  writeFileSync(current, 'select 1;\n--!include twice.sql\n');
  await assert.rejects(run('runCurrent'), (e) => e.data?.code === 'sql' && e.data.location?.file.endsWith('twice.sql') && e.data.location.line === 4 && e.data.location.column === 1);
  const diagnostics = await client.waitForDiagnostics(fixture, (d) => d.some((x) => x.code === '42701'));
  const d = diagnostics.find((x) => x.code === '42701');
  assert.deepEqual(d.range.start, { line: 3, character: 0 });
  assert.match(d.message, /column "nickname" of relation "users" already exists/);
});
