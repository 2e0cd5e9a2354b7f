// Every file of the real-world corpus (../shared/corpus: 4,088 migrations from public projects) goes through the CLI
// without a crash, and pgmig reports a syntax error exactly where PostgreSQL's own parsers (SQL and PL/pgSQL) reject
// the file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModule, parsePlPgSQLSync, parseSync } from 'libpg-query';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpusDir = path.resolve(repoRoot, '..', 'shared', 'corpus');
const cli = path.join(repoRoot, 'dist', 'cli.js');
const BATCHES = 4;

function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), rel));
    else if (entry.isFile() && prefix) out.push(rel); // top-level files are the corpus' own README and MANIFEST
  }
  return out.sort();
}

function run(args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let stderr = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

const present = existsSync(path.join(corpusDir, 'MANIFEST.tsv'));

test('corpus: every file is linted without a crash; syntax errors exactly where PostgreSQL rejects the file', { skip: present ? false : `no corpus at ${corpusDir} (it lives in shared/ beside the clone)`, timeout: 120_000 }, async () => {
  const files = listFiles(corpusDir);
  assert.ok(files.length > 4000, `expected the whole corpus, found ${files.length} files`);

  // A few big batches, not one process per file.
  const findings = [];
  const size = Math.ceil(files.length / BATCHES);
  for (let i = 0; i < files.length; i += size) {
    const batch = files.slice(i, i + size);
    const r = await run(['lint', '--format', 'json', ...batch], corpusDir);
    assert.ok(r.code === 0 || r.code === 1, `exit code ${r.code ?? r.signal} for files ${i}..${i + batch.length}: ${r.stderr.slice(0, 2000)}`);
    assert.equal(r.stderr, '', 'nothing on stderr');
    const parsed = JSON.parse(r.stdout);
    assert.ok(Array.isArray(parsed));
    findings.push(...parsed);
  }

  await loadModule();
  const known = new Set(files);
  const withSyntaxError = new Set();
  const texts = new Map();
  for (const f of findings) {
    assert.ok(known.has(f.file), `finding for a file that was not linted: ${f.file}`);
    if (f.rule === 'syntax-error') withSyntaxError.add(f.file);
    let lines = texts.get(f.file);
    if (!lines) texts.set(f.file, (lines = readFileSync(path.join(corpusDir, f.file), 'utf8').split('\n')));
    const where = `${f.file}:${f.line}:${f.column} ${f.rule}`;
    assert.ok(f.line >= 1 && f.line <= lines.length && f.column >= 1 && f.column <= lines[f.line - 1].length + 1, `position inside the file: ${where}`);
    assert.ok(f.endLine > f.line || (f.endLine === f.line && f.endColumn >= f.column), `range in order: ${where}`);
  }

  const wrong = [];
  let rejected = 0;
  for (const file of files) {
    let parses = true;
    const text = readFileSync(path.join(corpusDir, file), 'utf8');
    try {
      parseSync(text);
      // PL/pgSQL bodies (functions, procedures, DO blocks) are PostgreSQL's too: it rejects a bad one when the function
      // is created (check_function_bodies on) or the block runs. pg_dump output turns the check off, and so does pgmig.
      if (!/check_function_bodies\s*(=|to)\s*'?(false|off)/i.test(text)) parsePlPgSQLSync(text);
    } catch {
      parses = false;
      rejected++;
    }
    if (parses && withSyntaxError.has(file)) wrong.push(`${file}: PostgreSQL parses it, pgmig reports a syntax error`);
    if (!parses && !withSyntaxError.has(file)) wrong.push(`${file}: PostgreSQL rejects it, pgmig reports no syntax error`);
  }
  assert.deepEqual(wrong, []);
  assert.ok(rejected > 0, 'the corpus has files PostgreSQL rejects (so the second half of the check means something)');
});
