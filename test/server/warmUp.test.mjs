// After a large project's first diagnostics the server re-analyses it a few times with a throwaway edit of
// current.sql (server/workspace.ts warmUp), so that the first real edits are as fast as later ones. That must be
// invisible: no diagnostics from the throwaway text, the real edits analysed right, an edit during it served.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import committedMod from '../../out/core/graphile/committedFile.js';
import { LspClient, uriOf } from './lspClient.mjs';

const { formatCommittedFile } = committedMod;

/** 400 committed migrations and a current.sql of 1,500 statements: a first analysis of a few hundred ms. */
function bigProject() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pgmig-warm-'));
  mkdirSync(path.join(root, 'migrations', 'committed'), { recursive: true });
  writeFileSync(path.join(root, '.gmrc'), '{}\n');
  let previousHash = null;
  for (let i = 0; i < 400; i++) {
    const body = `CREATE TABLE t_${i} (id bigserial PRIMARY KEY, name text NOT NULL);\nALTER TABLE t_${i} ENABLE ROW LEVEL SECURITY;\nCREATE POLICY t_${i}_all ON t_${i} USING (true);\n`;
    const { text, hash } = formatCommittedFile({ body, previousHash });
    previousHash = hash;
    writeFileSync(path.join(root, 'migrations', 'committed', `${String(i + 1).padStart(6, '0')}.sql`), text);
  }
  // Clean: the lock timeout is set, and the new tables' keys are identity columns.
  const statements = ["SET lock_timeout = '5s';"];
  for (let j = 0; j < 300; j++) {
    statements.push(
      `CREATE TABLE IF NOT EXISTS c_${j} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  owner_id bigint REFERENCES t_${j} (id)\n);`,
      `CREATE INDEX IF NOT EXISTS c_${j}_owner ON c_${j} (owner_id);`,
      `ALTER TABLE c_${j} ENABLE ROW LEVEL SECURITY;`,
      `DROP POLICY IF EXISTS c_${j}_all ON c_${j};`,
      `CREATE POLICY c_${j}_all ON c_${j} USING (owner_id IS NOT NULL);`,
    );
  }
  const current = path.join(root, 'migrations', 'current.sql');
  writeFileSync(current, statements.join('\n') + '\n');
  return { root, current, text: statements.join('\n') + '\n' };
}

describe('warm-up after the first analysis', () => {
  let p;
  let client;
  const timing = process.env.PGMIG_LSP_TIMING;

  before(async () => {
    p = bigProject();
    process.env.PGMIG_LSP_TIMING = '1'; // the server logs its analyses and its warm-up
    client = await LspClient.start({ rootDir: p.root });
    if (timing === undefined) delete process.env.PGMIG_LSP_TIMING;
    else process.env.PGMIG_LSP_TIMING = timing;
  });
  after(async () => {
    await client?.stop();
    rmSync(p.root, { recursive: true, force: true });
  });

  test('runs once the first diagnostics are out, publishes nothing, and leaves the analysis of real edits right', async () => {
    client.open(p.current);
    const first = await client.waitForDiagnostics(p.current);
    assert.deepEqual(first, []);
    await client.waitIdle();
    assert.ok(client.logs.some((l) => l.startsWith('warmed up ')), client.logs.join('\n'));
    // Nothing was published for the throwaway text: the last publish is still the real version 1, and clean.
    assert.equal(client.diagnostics.get(uriOf(p.current)).version, 1);
    // A real edit in the middle (where the warm-up edited): a table without row level security shows up.
    const mid = p.text.indexOf('\n', p.text.length >> 1);
    const text = p.text.slice(0, mid) + '\nCREATE TABLE IF NOT EXISTS newcomer (id int);' + p.text.slice(mid);
    const version = client.change(p.current, text);
    const diagnostics = await client.waitForDiagnostics(p.current, (d, all) => all.version === version);
    assert.deepEqual(diagnostics.map((d) => d.code), ['missing-rls']);
    assert.equal(diagnostics[0].range.start.line, text.slice(0, text.indexOf('newcomer')).split('\n').length - 1);
    const back = client.change(p.current, p.text);
    assert.deepEqual(await client.waitForDiagnostics(p.current, (d, all) => all.version === back), []);
  });

  test('an edit that comes while it runs stops it and is analysed right', async () => {
    // A new server: its warm-up starts right after the first diagnostics; edit at that moment.
    process.env.PGMIG_LSP_TIMING = '1';
    const second = await LspClient.start({ rootDir: p.root });
    if (timing === undefined) delete process.env.PGMIG_LSP_TIMING;
    try {
      second.open(p.current);
      await second.waitForDiagnostics(p.current);
      const text = p.text + 'CREATE TABLE IF NOT EXISTS late (id int);\n';
      const version = second.change(p.current, text);
      const diagnostics = await second.waitForDiagnostics(p.current, (d, all) => all.version === version);
      assert.deepEqual(diagnostics.map((d) => d.code), ['missing-rls']);
      await second.waitIdle();
      // The edit came right after the first diagnostics: the warm-up had just begun and gave way to it.
      assert.ok(second.logs.some((l) => /^warm-up of .* stopped by a change after \d+ runs/.test(l)), second.logs.join('\n'));
      assert.deepEqual(second.diagnostics.get(uriOf(p.current)).diagnostics.map((d) => d.code), ['missing-rls']);
    } finally {
      await second.stop();
    }
  });
});
