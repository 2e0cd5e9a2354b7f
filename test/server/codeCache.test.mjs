// The server's entry point (dist/server.js, server/main.ts) runs the server bundle through a V8 code cache
// (core/codeCache.ts) kept in a private folder of the temp dir: written after the first start, used as it is by the
// next one, and a bad cache or a folder others can write only means compiling as usual.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { serverPath } from './lspClient.mjs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pgmig-code-cache-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const cacheRoot = path.join(tmp, `pgmig-code-cache-${process.getuid?.() ?? os.userInfo().username}`);
const cacheDir = path.join(cacheRoot, 'languageServer');
/** Another version's cache, in use (recent), planted by the first test. */
const otherVersion = 'a'.repeat(20) + '.bin';
const caches = () => readdirSync(cacheDir).filter((f) => f.endsWith('.bin') && f !== otherVersion);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `node dist/server.js --stdio` with TMPDIR=tmp; true when it answered `initialize`. Runs `keepMs` more (the cache is written 3 s after loading). */
async function startServer(keepMs = 3800) {
  const child = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const msg = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { trusted: false, settings: { rules: {}, excludedSchemas: [], excludedTables: [] } } } });
  child.stdin.write(`Content-Length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
  let out = '';
  const answered = await new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('"id":1') && out.includes('"capabilities"') && out.includes('"serverInfo"')) resolve(true);
    });
    exited.then(() => resolve(false));
    const timer = setTimeout(() => resolve(false), 20_000);
    child.stdout.once('close', () => clearTimeout(timer));
  });
  await Promise.race([exited, sleep(keepMs)]);
  child.kill();
  await exited;
  return answered;
}

test('the first start writes the cache; the next start uses it as it is (not rejected, so not rewritten)', async () => {
  // Other versions' caches: one in use is kept, one unused for over a week is deleted when this one is written.
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  chmodSync(cacheRoot, 0o700);
  const unused = 'b'.repeat(20) + '.bin';
  writeFileSync(path.join(cacheDir, otherVersion), 'another version');
  writeFileSync(path.join(cacheDir, unused), 'an old version');
  const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
  utimesSync(path.join(cacheDir, unused), eightDaysAgo, eightDaysAgo);
  assert.equal(await startServer(), true, 'answered initialize');
  assert.ok(existsSync(path.join(cacheDir, otherVersion)), 'a cache in use is kept');
  assert.ok(!existsSync(path.join(cacheDir, unused)), 'a cache unused for a week is deleted');
  const [file, ...more] = caches();
  assert.ok(file && more.length === 0, `one cache written: ${caches()}`);
  const written = statSync(path.join(cacheDir, file)).mtimeMs;
  assert.equal(await startServer(), true, 'answered initialize with the cache');
  assert.deepEqual(caches(), [file]);
  assert.equal(statSync(path.join(cacheDir, file)).mtimeMs, written, 'V8 accepted the cache (a rejected one is written again)');
});

test('a corrupt cache is ignored and replaced', async () => {
  const [file] = caches();
  assert.ok(file, 'the cache of the test before');
  writeFileSync(path.join(cacheDir, file), 'not a V8 code cache');
  assert.equal(await startServer(), true, 'answered initialize despite the corrupt cache');
  assert.notEqual(readFileSync(path.join(cacheDir, file), 'utf8').slice(0, 19), 'not a V8 code cache', 'replaced by a real one');
});

test('a cache folder other users can write is not used', { skip: typeof process.getuid !== 'function' ? 'POSIX permissions only' : false }, async () => {
  for (const f of caches()) rmSync(path.join(cacheDir, f));
  chmodSync(cacheDir, 0o777);
  try {
    assert.equal(await startServer(), true, 'answered initialize without a cache');
    assert.deepEqual(caches(), [], 'nothing written to a folder others could plant a cache in');
  } finally {
    chmodSync(cacheDir, 0o700);
  }
});
