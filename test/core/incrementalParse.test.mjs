// reparseScript must give exactly what a full parseScript gives, for any edit. Checked on generated SQL and on
// random edits of real migration files from ../shared/corpus (skipped when absent).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import parserMod from '../../out/core/sql/parser.js';
import incMod from '../../out/core/sql/incrementalParse.js';

const { loadParser, parseScript } = parserMod;
const { reparseScript } = incMod;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');

// Byte positions in the AST: `location`, `stmt_location`, `list_start`, `rexpr_list_end`, ...
const isLocationKey = (k) => /(?:^|_)location$|_start$|_end$/.test(k);

/** What a parse means: statements (type, range, node, locations mapped) and errors. */
function shape(parsed) {
  return {
    statements: parsed.statements.map((s) => ({
      type: s.type,
      start: s.start,
      end: s.end,
      // Node locations are bytes into whatever was parsed; what counts is where `at` maps them in the text.
      node: JSON.stringify(s.node, (k, v) => (isLocationKey(k) && typeof v === 'number' && v >= 0 ? s.at(v) : v)),
      parent: s.parent ? parsed.statements.indexOf(s.parent) : -1,
      guard: JSON.stringify(s.guard),
    })),
    errors: parsed.errors,
  };
}

function check(before, after) {
  const previous = parseScript(before);
  const incremental = reparseScript(previous, after);
  const full = parseScript(after);
  assert.deepEqual(shape(incremental), shape(full));
  return incremental !== full;
}

// Deterministic pseudo-random numbers, so a failure reproduces.
function rng(seed) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

const EDITS = [';', "'", '$$', '/*', '*/', '--', '\n', 'x', ' ', '(', ')', 'CREATE TABLE t (a int);', 'DO $$ BEGIN CREATE TABLE q (a int); END $$;', '"', 'é', '😀'];

function generated() {
  const out = [];
  for (let i = 0; i < 120; i++) {
    out.push(`CREATE TABLE IF NOT EXISTS t_${i} (id int PRIMARY KEY, note text DEFAULT 'a;b');`);
    out.push(`-- comment ${i}; with a semicolon`);
    out.push(`DO $$ BEGIN ALTER TABLE t_${i} ADD COLUMN c int; EXCEPTION WHEN duplicate_column THEN NULL; END $$;`);
    out.push(`CREATE INDEX IF NOT EXISTS t_${i}_idx ON t_${i} (note);`);
  }
  return out.join('\n') + '\n';
}

test('incremental re-parse equals a full parse for random edits of generated SQL', async () => {
  await loadParser();
  const text = generated();
  const random = rng(42);
  let reused = 0;
  for (let i = 0; i < 150; i++) {
    const at = Math.floor(random() * text.length);
    const len = random() < 0.5 ? 0 : Math.floor(random() * 40);
    const insert = random() < 0.3 ? '' : EDITS[Math.floor(random() * EDITS.length)];
    if (check(text, text.slice(0, at) + insert + text.slice(at + len))) reused++;
  }
  // Most edits must take the incremental path, or the test proves nothing about it.
  assert.ok(reused > 75, `only ${reused} of 150 edits were re-parsed incrementally`);
});

test('typing character by character keeps matching a full parse', async () => {
  await loadParser();
  let text = generated();
  const at = text.indexOf('CREATE INDEX IF NOT EXISTS t_60_idx');
  const typed = "CREATE POLICY p ON t_1 USING (note = 'x;y'); ";
  let previous = parseScript(text);
  for (let i = 0; i < typed.length; i++) {
    text = text.slice(0, at + i) + typed[i] + text.slice(at + i);
    const incremental = reparseScript(previous, text);
    assert.deepEqual(shape(incremental), shape(parseScript(text)), `after typing ${JSON.stringify(typed.slice(0, i + 1))}`);
    previous = incremental;
  }
});

test('incremental re-parse equals a full parse on edited corpus files', { skip: !existsSync(corpus) && 'no ../shared/corpus' }, async () => {
  await loadParser();
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.sql') && statSync(full).size > 8000) files.push(full);
    }
  };
  walk(corpus);
  files.sort();
  const random = rng(7);
  let checked = 0;
  for (const file of files.filter((_, i) => i % 4 === 0)) {
    const text = readFileSync(file, 'utf8');
    for (let k = 0; k < 3; k++) {
      const at = Math.floor(random() * text.length);
      const insert = EDITS[Math.floor(random() * EDITS.length)];
      check(text, text.slice(0, at) + insert + text.slice(at + Math.floor(random() * 10)));
      checked++;
    }
  }
  assert.ok(checked > 20, `only ${checked} edits checked`);
});

test('a chain of edits (typing, then deleting) keeps every location right', () => {
  // Each edit shifts the statements after it; after hundreds of them their locations must still map exactly.
  const base = generated();
  let parsed = parseScript(base);
  let text = base;
  const at = Math.floor(base.length / 3);
  for (let i = 0; i < 300; i++) {
    // Type 150 characters one by one, then delete them one by one.
    const next = i < 150 ? text.slice(0, at) + ' ' + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    parsed = reparseScript(parsed, next);
    text = next;
  }
  assert.equal(text, base);
  assert.deepEqual(shape(parsed), shape(parseScript(base)));
});
