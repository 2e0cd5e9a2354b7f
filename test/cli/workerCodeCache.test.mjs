// The worker threads of `pgmig lint` (dist/lintWorker.js) run their bundle (dist/lintWorkerBody.js) through a V8 code
// cache, as dist/cli.js runs the CLI's: written by the first lint that keeps workers busy for a while, then used as
// it is (V8 accepts it, so it is not written again), and the findings are the same either way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generate } from '../../bench/generate.mjs';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

test('lint workers write their code cache once and then use it; the findings do not change', (t) => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'pgmig-worker-cache-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const dir = path.join(tmp, 'sql');
  mkdirSync(dir);
  // Enough files for the worker threads (64 or more), and enough work that they live past the cache's write.
  const files = [];
  for (let i = 0; i < 300; i++) {
    const f = `f${String(i).padStart(3, '0')}.sql`;
    writeFileSync(path.join(dir, f), generate(150));
    files.push(f);
  }
  const cacheDir = path.join(tmp, `pgmig-code-cache-${process.getuid?.() ?? ''}`, 'lint-worker');
  const caches = () => {
    try {
      return readdirSync(cacheDir).filter((f) => f.endsWith('.bin'));
    } catch {
      return [];
    }
  };
  const run = () => {
    const r = spawnSync(process.execPath, [cli, 'lint', '--format', 'json', ...files], { cwd: dir, env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    return r.stdout;
  };
  const first = run();
  const [cache, ...more] = caches();
  assert.ok(cache && more.length === 0, `one worker cache written: ${caches()}`);
  const written = statSync(path.join(cacheDir, cache)).mtimeMs;
  assert.equal(run(), first);
  assert.deepEqual(caches(), [cache]);
  assert.equal(statSync(path.join(cacheDir, cache)).mtimeMs, written, 'V8 accepted the cache (a rejected one is written again)');
});
