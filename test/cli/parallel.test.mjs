// `pgmig lint` on a large file parses it on two threads (core/sql/parallelParse.ts) and many files on worker threads
// (core/lint.ts, dist/lintWorker.js). The findings must be exactly those of the one-thread analysis (core's
// Analyzer in this process), broken files included, and a large file still gets its syntax errors.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import analysisMod from '../../out/core/analysis.js';
import parserMod from '../../out/core/sql/parser.js';
import formatMod from '../../out/cli/format.js';
import { generate, generateMix } from '../../bench/generate.mjs';
import { lintJson } from './helpers.mjs';

const { Analyzer } = analysisMod;
const { toJson, Positions } = formatMod;
await parserMod.loadParser();

/** The JSON `pgmig lint` prints for these files, computed here on one thread. */
function oneThread(dir, files) {
  const findings = files.flatMap((f) => new Analyzer().analyzeStandalone(path.join(dir, f)).findings);
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end));
  return toJson(findings, dir, new Positions((f) => readFileSync(f, 'utf8')));
}

test('a large file: the same findings as one thread, valid or broken', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pgmig-parallel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = generate(8000); // about 0.8 MB: above the two-thread threshold
  assert.ok(big.length > 600_000);
  writeFileSync(path.join(dir, 'big.sql'), big);
  // A syntax error two thirds in: a helper's piece fails, and the file is parsed again on one thread.
  const at = big.indexOf('\n', Math.floor(big.length * 0.66)) + 1;
  writeFileSync(path.join(dir, 'broken.sql'), big.slice(0, at) + 'selec 1;\n' + big.slice(at));
  for (const file of ['big.sql', 'broken.sql']) {
    const r = await lintJson([file], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const expected = oneThread(dir, [file]);
    assert.ok(expected.length > 50);
    assert.deepEqual(r.findings, expected, file);
  }
  const r = await lintJson(['broken.sql'], { cwd: dir });
  assert.deepEqual(
    r.findings.filter((f) => f.rule === 'syntax-error').map((f) => [f.line, f.message]),
    [[big.slice(0, at).split('\n').length, 'syntax error at or near "selec"']],
  );
});

test('a large PL/pgSQL file: body errors checked on both threads are those of one thread', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pgmig-parallel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = generateMix('plpgsql', 800_000); // above the two-thread threshold
  // A broken body in this thread's quarter, in the helper's pieces and in the last statement (no semicolon); one of
  // them in a function whose language is a string, one after a multi-byte character (byte and string offsets differ).
  const broken = (name, language) => `create function app.${name}() returns int language ${language} as $$\nbegin\n  retrun 1;\nend;\n$$`;
  const cuts = [0.1, 0.5, 0.9].map((f) => big.indexOf('\ncreate ', Math.floor(big.length * f)) + 1);
  const text =
    big.slice(0, cuts[0]) + broken('early', 'plpgsql') + ';\n' +
    big.slice(cuts[0], cuts[1]) + "-- é🎉\n" + broken('middle', "'plpgsql'") + ';\n' +
    big.slice(cuts[1], cuts[2]) + broken('sql_language', 'sql') + ';\n' +
    big.slice(cuts[2]) + broken('last', 'PLPGSQL');
  writeFileSync(path.join(dir, 'plpgsql.sql'), text);
  const r = await lintJson(['plpgsql.sql'], { cwd: dir });
  assert.deepEqual(r.findings, oneThread(dir, ['plpgsql.sql']));
  const bodies = r.findings.filter((f) => f.rule === 'syntax-error' && /PL\/pgSQL body/.test(f.message));
  assert.equal(bodies.length, 3, JSON.stringify(r.findings.filter((f) => f.rule === 'syntax-error')));
});

test('many files on worker threads: the same findings as one thread', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pgmig-parallel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = [];
  for (let i = 0; i < 100; i++) {
    const name = `m${String(i).padStart(3, '0')}.sql`;
    // Every seventh file is broken, every file has findings.
    writeFileSync(path.join(dir, name), generate(20 + i) + (i % 7 === 0 ? 'create tabel x (id int);\n' : ''));
    files.push(name);
  }
  const r = await lintJson(files, { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.findings, oneThread(dir, files));
  assert.equal(r.findings.filter((f) => f.rule === 'syntax-error').length, 15);
});
