// The migration engine hosted by the language server (server/engineHost.ts), driven as any LSP client would:
// `workspace/executeCommand` pgmig.engine.*, `textDocument/codeLens`, SQL errors published as diagnostics, and
// refusal in an untrusted workspace. On a copy of migrations-sample/ with the embedded database (its default).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import rpc from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot, uriOf } from './lspClient.mjs';

let root;
let client;
const run = (command, args = {}) => client.request('workspace/executeCommand', { command: `pgmig.engine.${command}`, arguments: [{ root, ...args }] });

before(async () => {
  root = path.join(mkdtempSync(path.join(os.tmpdir(), 'pgmig-engine-lsp-')), 'sample');
  cpSync(path.join(repoRoot, 'migrations-sample'), root, { recursive: true, filter: (src) => path.basename(src) !== '.pgmig' });
  client = await LspClient.start({ rootDir: root, trusted: true });
  await client.waitIdle();
});

after(async () => {
  await client?.stop();
  rmSync(path.dirname(root), { recursive: true, force: true });
});

test('initialize lists the engine commands and CodeLens', () => {
  const caps = client.capabilities;
  for (const c of ['status', 'migrate', 'rollback', 'commit', 'uncommit', 'runCurrent', 'watchStart', 'watchStop', 'reset', 'initTarget', 'dumpSchema']) {
    assert.ok(caps.executeCommandProvider.commands.includes(`pgmig.engine.${c}`), c);
  }
  assert.ok(caps.codeLensProvider);
});

test('status, migrate and status again on the embedded database', { timeout: 60_000 }, async () => {
  let s = await run('status');
  assert.deepEqual(s.migrations.map((m) => `${m.name}:${m.state}`), ['000001-users.sql:pending', '000002-posts.sql:pending', '000003-current-user-id.sql:pending']);
  assert.equal(s.pending, 3);
  assert.equal(s.current.state, 'dirty');
  assert.equal(s.current.fixtures.length, 4);
  assert.equal(s.confirmName, 'embedded');
  // Reading status creates no database (issue 10): the client's tree says "no database yet".
  assert.equal(s.noDatabase, true);
  assert.ok(!existsSync(path.join(root, '.pgmig')), 'no .pgmig before a command that writes');
  // The log says why the embedded database is used.
  assert.match(client.logs.join('\n'), /no DATABASE_URL in the environment \(and no env file, setting pgmig.envFile\), no connectionString in .gmrc: using the embedded database/);
  const r = await run('migrate', { to: 1 });
  assert.deepEqual(r.applied, ['000001-users.sql']);
  const all = await run('migrate');
  assert.deepEqual(all.applied, ['000002-posts.sql', '000003-current-user-id.sql']);
  s = await run('status');
  assert.deepEqual(s.migrations.map((m) => m.state), ['applied', 'applied', 'applied']);
  assert.equal(s.noDatabase, undefined);
  assert.match(s.migrations[0].appliedAt, /^\d{4}-\d\d-\d\dT/);
});

test('CodeLens on a committed migration and on current.sql', { timeout: 30_000 }, async () => {
  const committed = path.join(root, 'migrations', 'committed', '000003-current-user-id.sql');
  client.open(committed);
  const lenses = await client.request('textDocument/codeLens', { textDocument: { uri: uriOf(committed) } });
  assert.match(lenses[0].command.title, /^applied on default \d{4}-/);
  client.open(path.join(root, 'migrations', 'current.sql'));
  const current = await client.request('textDocument/codeLens', { textDocument: { uri: uriOf(path.join(root, 'migrations', 'current.sql')) } });
  assert.deepEqual(current.slice(1).map((l) => l.command.command), ['pgmig.engine.runCurrent', 'pgmig.engine.commit', 'pgmig.engine.watchStart']);
});

test('an SQL error of a command is published as a diagnostic at its position, with the error in the response', { timeout: 30_000 }, async () => {
  const current = path.join(root, 'migrations', 'current.sql');
  writeFileSync(current, 'select 1;\n\nselect missing_col from app.users;\n');
  client.close(current);
  await assert.rejects(run('runCurrent'), (e) => /missing_col/.test(e.message) && e.data.code === 'sql' && e.data.location.line === 3 && e.data.location.column === 8);
  const diagnostics = await client.waitForDiagnostics(current, (d) => d.some((x) => x.code === '42703'));
  const d = diagnostics.find((x) => x.code === '42703');
  assert.deepEqual(d.range.start, { line: 2, character: 7 });
  assert.equal(d.message, 'column "missing_col" does not exist');
});

test('an SQL error in an included fixture is published in the fixture, at its line, with the location in the response', { timeout: 30_000 }, async () => {
  const current = path.join(root, 'migrations', 'current.sql');
  const fixture = path.join(root, 'migrations', 'fixtures', 'bad', 'oops.sql');
  mkdirSync(path.dirname(fixture), { recursive: true });
  writeFileSync(fixture, '-- a fixture\nselect 1;\n\nselect no_such_col from app.users;\n');
  writeFileSync(current, 'select 1;\n--!include bad/oops.sql\n');
  client.close(current);
  await assert.rejects(run('runCurrent'), (e) => e.data.code === 'sql' && e.data.location.file === fixture && e.data.location.line === 4 && e.data.location.column === 8);
  const d = (await client.waitForDiagnostics(fixture, (x) => x.some((y) => y.code === '42703'))).find((y) => y.code === '42703');
  assert.deepEqual(d.range, { start: { line: 3, character: 7 }, end: { line: 3, character: 18 } });
  assert.equal(d.message, 'column "no_such_col" does not exist');
  // Fixed and run again: the error goes away.
  writeFileSync(fixture, '-- a fixture\nselect 1;\n');
  await run('runCurrent');
  await client.waitForDiagnostics(fixture, (x) => !x.some((y) => y.code === '42703'));
  rmSync(path.dirname(fixture), { recursive: true, force: true });
  writeFileSync(current, 'select 1;\n');
});

test('an error PostgreSQL gives without a position is published on its statement, in the included fixture', { timeout: 60_000 }, async () => {
  await run('migrate');
  const current = path.join(root, 'migrations', 'current.sql');
  const fixture = path.join(root, 'migrations', 'fixtures', 'twice.sql');
  // 42701 "column already exists" has no position: the engine replays the statements to find the one that failed.
  writeFileSync(fixture, 'alter table app.users add column nickname text;\n\n-- again\nalter table app.users\n  add column nickname text;\n');
  writeFileSync(current, 'select 1;\n--!include twice.sql\n');
  client.close(current);
  await assert.rejects(run('runCurrent'), (e) => e.data?.code === 'sql' && e.data.location?.file === fixture && e.data.location.line === 4 && e.data.location.column === 1);
  const d = (await client.waitForDiagnostics(fixture, (x) => x.some((y) => y.code === '42701'))).find((y) => y.code === '42701');
  assert.deepEqual(d.range.start, { line: 3, character: 0 });
  assert.match(d.message, /column "nickname" of relation "users" already exists/);
  rmSync(fixture, { force: true });
  writeFileSync(current, 'select 1;\n');
});

test('a problem the analysis reports already (missing fixture, syntax error) shows once after Run', { timeout: 30_000 }, async () => {
  const current = path.join(root, 'migrations', 'current.sql');
  writeFileSync(current, 'select 1;\n--!include no/such_fixture.sql\n');
  client.open(current);
  await assert.rejects(run('runCurrent'), /not found/);
  await client.waitIdle();
  let d = await client.waitForDiagnostics(current, (x) => x.some((y) => y.code === 'include-not-found'));
  // Give the engine's diagnostic time to be published beside it: it must not be.
  await new Promise((resolve) => setTimeout(resolve, 500));
  d = client.diagnostics.get(uriOf(current)).diagnostics;
  assert.deepEqual(d.filter((x) => x.range.start.line === 1).map((x) => x.code), ['include-not-found'], JSON.stringify(d));

  const text = 'select 1;\nselec 2;\n';
  client.change(current, text);
  writeFileSync(current, text);
  await assert.rejects(run('runCurrent'), /syntax error/);
  await client.waitIdle();
  await new Promise((resolve) => setTimeout(resolve, 500));
  d = client.diagnostics.get(uriOf(current)).diagnostics;
  assert.deepEqual(d.filter((x) => x.range.start.line === 1).map((x) => x.code), ['syntax-error'], JSON.stringify(d));
  client.close(current);
});

test('reset needs the typed name', async () => {
  await assert.rejects(run('reset', { confirm: 'nope' }), /type its name 'embedded' to confirm/);
});

test('reset reports its progress to the client: recreating the database, then each migration it applies', { timeout: 60_000 }, async () => {
  const workDoneToken = 'reset-progress';
  const r = await client.request('workspace/executeCommand', { command: 'pgmig.engine.reset', arguments: [{ root, confirm: 'embedded' }], workDoneToken });
  assert.equal(r.applied.length, 3);
  const messages = client.progress.filter((p) => p.token === workDoneToken && p.value.kind === 'report').map((p) => p.value.message);
  assert.ok(messages.some((m) => /^recreating embedded database/.test(m)), messages.join(' | '));
  // Migrations go to the server in batches: "applying" with the count where a batch starts, then each one applied.
  assert.ok(messages.includes('applying 000001-users.sql (1/3)'), messages.join(' | '));
  for (const name of ['000001-users.sql', '000002-posts.sql', '000003-current-user-id.sql']) assert.ok(messages.includes(`applied ${name}`), `"applied ${name}" in ${messages.join(' | ')}`);
  assert.deepEqual(client.progress.filter((p) => p.token === workDoneToken).map((p) => p.value.kind).filter((k) => k !== 'report'), ['begin', 'end']);
});

test('an untrusted workspace gets no database command', { timeout: 30_000 }, async () => {
  const untrusted = await LspClient.start({ rootDir: root, trusted: false });
  try {
    await untrusted.waitIdle();
    await assert.rejects(
      untrusted.request('workspace/executeCommand', { command: 'pgmig.engine.migrate', arguments: [{ root }] }),
      /untrusted workspace/,
    );
  } finally {
    await untrusted.stop();
  }
});

test('other layouts: an untrusted workspace gets no layout status, migrate, rollback or CodeLens', { timeout: 30_000 }, async () => {
  const numbered = path.join(root, 'numbered');
  const file = path.join(numbered, 'migrations', '002_create_invoices.sql');
  const alembicFile = path.join(root, 'alembic', 'alembic', 'versions', '2b2e1d3c4b5a_add_invoices.py');
  // Trusted, the same requests answer: the refusals below are about trust.
  const trustedLenses = await client.request('pgmig/layoutLenses', { file: alembicFile });
  assert.deepEqual(trustedLenses.map((l) => l.command.title), ['Upgrade to here', 'Downgrade to here', 'Upgrade head', 'Show SQL']);
  const status = await run('layoutStatus', { root: numbered });
  assert.deepEqual(status.migrations.map((m) => m.state), ['pending', 'pending', 'pending', 'pending']);
  // The read created no embedded database, and says so (the tree's row shows it).
  assert.equal(status.noDatabase, true);
  assert.ok(!existsSync(path.join(numbered, '.pgmig')));
  const untrusted = await LspClient.start({ rootDir: root, trusted: false });
  try {
    await untrusted.waitIdle();
    for (const command of ['layoutStatus', 'layoutMigrate', 'layoutRollback']) {
      await assert.rejects(
        untrusted.request('workspace/executeCommand', { command: `pgmig.engine.${command}`, arguments: [{ root: numbered, id: '002' }] }),
        /untrusted workspace/,
        command,
      );
    }
    untrusted.open(file);
    assert.deepEqual(await untrusted.request('textDocument/codeLens', { textDocument: { uri: uriOf(file) } }), []);
    assert.deepEqual(await untrusted.request('pgmig/layoutLenses', { file: alembicFile }), []);
  } finally {
    await untrusted.stop();
  }
});
