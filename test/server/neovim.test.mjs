// Neovim (0.7.2, Debian's package) as a second real LSP client: it starts dist/server.js over stdio with
// vim.lsp.start_client, opens current.sql of the sample project, and must get the same diagnostics (rule codes and
// ranges) as the direct client. Install with test/server/setup-neovim.sh; in CI a missing nvim fails the test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LspClient, serverPath, uriOf } from './lspClient.mjs';
import { makeProject } from './sampleProject.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const hasNvim = nvim.status === 0;
const skip = !hasNvim && !process.env.CI ? 'nvim not installed (run test/server/setup-neovim.sh)' : false;

const shape = (diagnostics) =>
  diagnostics
    .map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`)
    .sort();

test('Neovim gets the same diagnostics as the direct client', { skip, timeout: 90000 }, async () => {
  assert.ok(hasNvim, 'nvim is not installed: CI must run test/server/setup-neovim.sh');
  const p = makeProject('pgmig-nvim-');
  const out = path.join(os.tmpdir(), `pgmig-nvim-${process.pid}.json`);
  try {
    const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(here, 'neovim', 'diagnostics.lua')}`], {
      env: { ...process.env, PGMIG_SERVER: serverPath, PGMIG_FILE: p.current, PGMIG_ROOT: p.root, PGMIG_OUT: out, PGMIG_ALSO: p.helpers },
      encoding: 'utf8',
      timeout: 60000,
    });
    assert.equal(run.status, 0, `nvim failed: ${run.stderr}${run.stdout}`);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(result.errors, []);
    const fromNvim = result.diagnostics;

    const client = await LspClient.start({ rootDir: p.root });
    try {
      client.open(p.current);
      await client.waitIdle();
      const direct = await client.waitForDiagnostics(p.current, (d) => d.length > 0);
      assert.deepEqual(shape(fromNvim[uriOf(p.current)]), shape(direct));
      assert.ok(direct.length >= 2);
      // The fixture's findings reach Neovim too, though it never opened the file.
      const fixture = await client.waitForDiagnostics(p.helpers, (d) => d.length > 0);
      assert.deepEqual(shape(fromNvim[uriOf(p.helpers)]), shape(fixture));
      // And Neovim's diagnostic store holds them for the buffer (0-based lines, as LSP).
      const buffer = fromNvim.buffer.map((d) => `${d.code} ${d.lnum}:${d.col}-${d.end_lnum}:${d.end_col}`).sort();
      assert.deepEqual(buffer, shape(direct));
      assert.equal(fromNvim[uriOf(p.current)][0].source, 'pgmig');
    } finally {
      await client.stop();
    }
  } finally {
    rmSync(p.root, { recursive: true, force: true });
    rmSync(out, { force: true });
  }
});
