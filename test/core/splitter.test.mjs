// The splitter must find exactly the statement boundaries PostgreSQL's own scanner (libpg-query scanSync) gives:
// top-level semicolons, outside parentheses and BEGIN ATOMIC bodies. Checked on tricky inline cases always, and on
// every file of ../shared/corpus when it is there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'libpg-query';
import splitterMod from '../../out/core/sql/splitter.js';
import textMod from '../../out/core/text.js';

const { splitStatements } = splitterMod;
const { ByteOffsets } = textMod;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');

await pg.loadModule();

/** Boundaries (semicolon string offsets) from the real scanner, or undefined when it cannot scan the text. */
function scannerBoundaries(text) {
  let tokens;
  try {
    tokens = pg.scanSync(text).tokens;
  } catch {
    return undefined; // an unterminated literal: the scanner gives no tokens at all
  }
  const offsets = new ByteOffsets(text);
  const out = [];
  let parens = 0;
  let atomic = 0;
  let prev = '';
  for (const t of tokens) {
    const w = t.text.toLowerCase();
    if (t.text === '(') parens++;
    else if (t.text === ')') parens = Math.max(0, parens - 1);
    else if (w === 'atomic' && prev === 'begin') atomic++;
    else if (atomic && w === 'case') atomic++;
    else if (atomic && w === 'end') atomic--;
    else if (t.text === ';' && !parens && !atomic) out.push(offsets.toChar(t.start));
    prev = w;
  }
  return out;
}

const ours = (text) => splitStatements(text).slice(0, -1).map((p) => p.end);

const CASES = [
  "select 'a;b'; select E'it\\'s;'; select \"x;y\" from t;",
  'select $$;$$; select $tag$ $$ ; $tag$; select $1; select a$b from t;',
  'select 1 /* ; /* nested ; */ ; */; -- ; comment\nselect 2;',
  'create rule r as on insert to t do (insert into a values (1); insert into b values (2));',
  "create function f() returns int begin atomic select case when true then 1 end; select 2; end; select 3;",
  "select U&'d\\0061t;a'; select B'101'; select X'1f'; select N'é;';",
  "insert into t values ('héllo; wörld 🎉'); select 1;",
];

test('boundaries equal the scanner on tricky inline cases', () => {
  for (const text of CASES) assert.deepEqual(ours(text), scannerBoundaries(text), text);
});

test('boundaries equal the scanner on every corpus file', { skip: !existsSync(corpus) && 'no ../shared/corpus' }, () => {
  const files = execFileSync('find', [corpus, '-type', 'f', '(', '-name', '*.sql', '-o', '-name', '*.sql.postgres', ')'], { encoding: 'utf8' })
    .trim()
    .split('\n');
  let compared = 0;
  const differ = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const ref = scannerBoundaries(text);
    if (!ref) continue;
    compared++;
    if (JSON.stringify(ours(text)) !== JSON.stringify(ref)) differ.push(path.relative(corpus, f));
  }
  assert.ok(compared > 4000, `compared ${compared} files`);
  assert.deepEqual(differ, []);
});
