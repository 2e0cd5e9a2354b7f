// The language server on every file of ../shared/corpus (4,000+ real migration files from other projects, opened in
// batches as an editor would): no crash, diagnostics for each file, and requests answered while it analyses.
// Skipped when ../shared is absent.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LspClient, repoRoot, uriOf } from './lspClient.mjs';

const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');
const skip = !existsSync(corpus) && `no corpus at ${corpus}`;

function sqlFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (name.endsWith('.sql')) out.push({ file: full, size: st.size });
    }
  };
  walk(dir);
  return out;
}

test('every corpus file opens without a crash and gets diagnostics; requests answer during heavy analysis', { skip, timeout: 600000 }, async (t) => {
  const files = sqlFiles(corpus);
  assert.ok(files.length > 1000, `only ${files.length} corpus files`);
  const client = await LspClient.start({});
  try {
    // A small file analysed first: the request target while the big ones are being analysed.
    const probe = files.find((f) => f.size > 500 && f.size < 3000).file;
    client.open(probe);
    await client.waitForDiagnostics(probe);
    await client.waitIdle();

    // The 300 biggest files at once (lago's 0.5 MB structure.sql among them), then a request straight away.
    const biggest = [...files].sort((a, b) => b.size - a.size).slice(0, 300);
    const t0 = performance.now();
    for (const f of biggest) client.open(f.file);
    const symbols = client.request('textDocument/documentSymbol', { textDocument: { uri: uriOf(probe) } }).then((r) => ({ r, at: performance.now() - t0 }));
    const idle = client.waitIdle().then(() => performance.now() - t0);
    const [answered, analysed] = await Promise.all([symbols, idle]);
    t.diagnostic(`documentSymbol answered after ${answered.at.toFixed(0)} ms while the 300 biggest files (${(biggest.reduce((s, f) => s + f.size, 0) / 1e6).toFixed(1)} MB) took ${analysed.toFixed(0)} ms to analyse`);
    assert.ok(answered.r.length > 0);
    assert.ok(answered.at < analysed || answered.at < 2000, `the request waited for the analysis (${answered.at.toFixed(0)} ms)`);
    for (const f of biggest) assert.ok(client.diagnostics.has(uriOf(f.file)), `no diagnostics for ${f.file}`);
    for (const f of biggest) client.close(f.file);

    // Everything, 500 files at a time.
    let withFindings = 0;
    let syntaxErrors = 0;
    const started = performance.now();
    for (let i = 0; i < files.length; i += 500) {
      const batch = files.slice(i, i + 500);
      for (const f of batch) client.open(f.file, readFileSync(f.file, 'utf8'));
      await client.waitIdle();
      for (const f of batch) {
        const d = client.diagnostics.get(uriOf(f.file));
        assert.ok(d, `no diagnostics for ${f.file}`);
        if (d.diagnostics.length > 0) withFindings++;
        if (d.diagnostics.some((x) => x.code === 'syntax-error')) syntaxErrors++;
        for (const x of d.diagnostics) assert.ok(x.range.start.line >= 0 && x.code && x.source === 'pgmig');
      }
      for (const f of batch) client.close(f.file);
      assert.equal(client.child.exitCode, null, 'the server exited');
    }
    t.diagnostic(`${files.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s: ${withFindings} with findings, ${syntaxErrors} with syntax errors`);
    // Files that are not PostgreSQL (SQLite/MySQL variants, psql scripts) exist in the corpus and must be reported.
    assert.ok(syntaxErrors > 5 && syntaxErrors < files.length / 10, `${syntaxErrors} files with syntax errors`);
    const final = await client.waitIdle();
    assert.ok(final.analyses >= files.length);
  } finally {
    await client.stop();
  }
});
