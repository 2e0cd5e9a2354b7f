// The WASM binding (core/sql/pgQuery.ts) must give what libpg-query's own wrapper gives, and a script parsed in pieces
// (core/sql/parallelParse.ts) must give exactly the statements parseScript gives for the whole text, or refuse (false)
// so that the caller parses it whole. Pieces are parsed here by a JsonParser on a real worker thread
// (dist/lintWorker.js, as `pgmig lint` does) and on this thread.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'libpg-query';
import pgQueryMod from '../../out/core/sql/pgQuery.js';
import parserMod from '../../out/core/sql/parser.js';
import parallelMod from '../../out/core/sql/parallelParse.js';

const { parseToJson, parse, parsePlPgSQL, PgSyntaxError, compiledPgQuery } = pgQueryMod;
const { loadParser, parseScript } = parserMod;
const { parseInParallel, parsePiecesHere } = parallelMod;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');

await loadParser();
await pg.loadModule();

/** Parses pieces on this thread (each in a later tick, like a worker). */
const here = {
  async *parsePieces(text, from, sizes) {
    for (const piece of parsePiecesHere(text, from, sizes)) {
      await new Promise((r) => setImmediate(r));
      yield piece;
    }
  },
};

/** Parses pieces on a real worker thread running the lint worker bundle, with the protocol `pgmig lint` uses. */
async function workerParser() {
  const w = new Worker(path.join(repoRoot, 'dist', 'lintWorker.js'));
  w.postMessage({ wasm: await compiledPgQuery() });
  let id = 0;
  return {
    async *parsePieces(text, from, sizes) {
      const mine = id++;
      const arrived = [];
      let wake;
      const listener = (m) => {
        if (m.id !== mine) return;
        arrived.push(m);
        wake?.();
      };
      w.on('message', listener);
      w.postMessage({ id: mine, pieces: { text, from, sizes } });
      try {
        for (;;) {
          while (arrived.length === 0) await new Promise((r) => (wake = r));
          const m = arrived.shift();
          if (m.done) return;
          yield m.piece;
        }
      } finally {
        w.off('message', listener);
      }
    },
    close: () => w.terminate(),
  };
}

// Byte positions in the tree: location, and the list_start/list_end of PostgreSQL 18's array and IN lists.
const POSITION = /^(location|(\w+_)?list_(start|end))$/;

/** What a statement is, for comparing two parses: positions in the tree are relative to the text parsed (a piece,
 * or the whole), so each is compared as the script offset the statement's at() makes of it (-1 is "unknown"). */
function plain(s) {
  const absolute = (v) =>
    Array.isArray(v) ? v.map(absolute) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, POSITION.test(k) && typeof x === 'number' && x >= 0 ? s.at(x) : absolute(x)])) : v;
  return { type: s.type, start: s.start, end: s.end, node: absolute(s.node), parent: s.parent && s.parent.start, guard: s.guard };
}

async function inPieces(text, helper, options) {
  const statements = [];
  const ok = await parseInParallel(text, helper, (batch) => statements.push(...batch), options);
  return ok ? statements : undefined;
}

/** A script of many statements, in the style of a real migration, `n` times over. */
function bigScript(n) {
  const parts = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `create table if not exists t${i} (id int primary key, name text not null, note text default 'é ${i};');`,
      `-- a comment with a semicolon; here\ncreate index if not exists t${i}_name on t${i} (name);`,
      `create or replace function f${i}() returns int language plpgsql as $$\nbegin\n  perform 1;\n  return ${i};\nend;\n$$;`,
      `do $$ begin create type e${i} as enum ('a'); exception when duplicate_object then null; end $$;`,
      `insert into t${i} (id, name) values (1, 'x;\ny') on conflict do nothing;`,
      `/* block ; comment */ alter table t${i} enable row level security;`,
    );
  }
  return parts.join('\n') + '\n';
}

test('the binding parses as libpg-query does: trees, errors and cursor positions', () => {
  const valid = ['select 1', "select 'héllo 🎉', $$x$$; create table t (a int);", 'create policy p on t using (true);'];
  for (const sql of valid) assert.deepEqual(parse(sql), pg.parseSync(sql), sql);
  const invalid = ['select from from', "select 'é🎉' frm t", 'create table (', "select 'unterminated", 'selec 1; select 2'];
  for (const sql of invalid) {
    let theirs;
    try {
      pg.parseSync(sql);
    } catch (e) {
      theirs = e.sqlDetails;
    }
    assert.ok(theirs, sql);
    assert.throws(() => parse(sql), (e) => e instanceof PgSyntaxError && e.sqlDetails.message === theirs.message && e.sqlDetails.cursorPosition === theirs.cursorPosition, sql);
  }
  const block = 'do $$ begin perform 1; end $$';
  assert.deepEqual(parsePlPgSQL(block), pg.parsePlPgSQLSync(block));
});

test('text far larger than the WASM memory at start survives the round trip', () => {
  const sql = `select '${'é'.repeat(3_000_000)}'`;
  const tree = parse(sql);
  assert.equal(tree.stmts[0].stmt.SelectStmt.targetList[0].ResTarget.val.A_Const.sval.sval.length, 3_000_000);
});

test('the helper cuts at top-level semicolons only, near the sizes asked, and stops at a piece that does not parse', () => {
  const text = "select 1;\nselect 'a;\nb';\nselect $$;\n$$; -- c;\nselect 4;\nselect 5";
  const pieces = [...parsePiecesHere(text, 0, [1, 1, 1, 1, 1, 1])];
  assert.deepEqual(
    pieces.map((p) => text.slice(p.from, p.to)),
    ['select 1;', "\nselect 'a;\nb';", '\nselect $$;\n$$;', ' -- c;\nselect 4;', '\nselect 5'],
  );
  assert.ok(pieces.every((p) => p.json !== undefined));
  assert.deepEqual([...parsePiecesHere(text, 10, [])].map((p) => [p.from, p.to]), [[10, text.length]]);
  const broken = [...parsePiecesHere('select 1; selec 2; select 3;', 0, [1, 1])];
  assert.equal(broken.length, 2);
  assert.equal(broken[1].json, undefined);
});

test('pieces give exactly the statements of the whole text (this thread and a worker thread)', async () => {
  const text = bigScript(400);
  assert.ok(text.length > 100_000);
  const whole = parseScript(text);
  assert.equal(whole.errors.length, 0);
  const worker = await workerParser();
  try {
    for (const helper of [here, worker]) {
      const pieces = await inPieces(text, helper);
      assert.ok(pieces, 'every piece parses');
      assert.equal(pieces.length, whole.statements.length);
      assert.deepEqual(pieces.map(plain), whole.statements.map(plain));
    }
  } finally {
    await worker.close();
  }
});

test('the helper checks the PL/pgSQL functions of its pieces, at exactly the ranges of their statements', () => {
  const fn = (name, language, body) => `create or replace function ${name}() returns int language ${language} as $$\n${body}\n$$`;
  const text = [
    bigScript(20),
    `${fn('a', 'plpgsql', 'begin return 1; end;')};`,
    `-- é🎉 before it\n${fn('b', "'plpgsql'", 'begin retrun 1; end;')} /* a comment; */ ;`,
    `${fn('c', 'sql', 'select 1')};`,
    `create procedure p() language plpgsql as $$ begin commit; end $$;`,
    bigScript(20),
    fn('last', 'plpgsql', 'begin return 2; end;'),
  ].join('\n');
  const pieces = [...parsePiecesHere(text, 0, [5000, 5000, 5000])];
  assert.ok(pieces.length > 3);
  const checked = pieces.flatMap((p) => p.bodies);
  const whole = parseScript(text);
  const plpgsql = (s) => s.type === 'CreateFunctionStmt' && s.node.options.some((o) => o.DefElem.defname === 'language' && o.DefElem.arg.String.sval.toLowerCase() === 'plpgsql');
  assert.deepEqual(
    checked.map((b) => [b.start, b.end]),
    whole.statements.filter(plpgsql).map((s) => [s.start, s.end]),
  );
  assert.equal(checked.length, 2 * 20 + 4); // bigScript has one per round; a, b, p and last
  assert.deepEqual(
    checked.filter((b) => b.error !== null).map((b) => [text.slice(b.start, b.start + 40), b.error]),
    [[fn('b', "'plpgsql'", '').slice(0, 40), 'syntax error at or near "retrun"']],
  );
  // After `SET check_function_bodies = false` nothing is checked ahead (the rule knows where the setting applies).
  assert.ok([...parsePiecesHere('set check_function_bodies = false;\n' + text, 0, [5000])].every((p) => p.bodies === undefined));
});

test('placeholders are masked in every piece', async () => {
  const text = bigScript(50) + 'grant select on t1 to :DATABASE_VISITOR;\n' + bigScript(50);
  const options = { placeholders: new Set(['DATABASE_VISITOR']) };
  const whole = parseScript(text, options);
  assert.equal(whole.errors.length, 0);
  assert.deepEqual((await inPieces(text, here, options)).map(plain), whole.statements.map(plain));
  assert.equal(await inPieces(text, here), undefined, 'unmasked, the placeholder is a syntax error');
});

test('a cut inside a string, dollar quote, comment, parenthesis or BEGIN ATOMIC body is refused, never misread', async () => {
  const filler = bigScript(30);
  const traps = [
    `select 'a string that spans lines;\n${filler}';\n`,
    `create function g() returns int language sql as $body$\nselect 1;\n${filler}$body$;\n`,
    `/* a block comment;\n${filler}*/ select 1;\n`,
    `create rule r as on insert to t do (insert into a values (1);\n${filler.replace(/;\n/g, ',\n').slice(0, 2000)} insert into b values (2));\n`,
    `create function h() returns int begin atomic\nselect 1;\n${'select 2;\n'.repeat(3000)}end;\n`,
  ];
  for (const trap of traps) {
    const text = filler + trap + filler;
    const whole = parseScript(text);
    const pieces = await inPieces(text, here);
    // Either the pieces refuse (the caller parses whole), or they agree with the whole text exactly.
    if (pieces !== undefined) {
      assert.equal(whole.errors.length, 0, trap.slice(0, 40));
      assert.deepEqual(pieces.map(plain), whole.statements.map(plain), trap.slice(0, 40));
    }
  }
  // A real syntax error: refused.
  assert.equal(await inPieces(bigScript(100) + 'selec 1;\n' + bigScript(100), here), undefined);
});

test('pieces agree with the whole parse on every corpus file', { skip: !existsSync(corpus) && 'no ../shared/corpus' }, async () => {
  const files = execFileSync('find', [corpus, '-type', 'f', '(', '-name', '*.sql', '-o', '-name', '*.sql.postgres', ')'], { encoding: 'utf8' })
    .trim()
    .split('\n');
  let agreed = 0;
  let refused = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const whole = parseScript(text);
    const pieces = await inPieces(text, here);
    if (pieces === undefined) {
      refused++;
      continue;
    }
    assert.equal(whole.errors.length, 0, f);
    assert.deepEqual(pieces.map(plain), whole.statements.map(plain), f);
    agreed++;
  }
  // Refused: the files PostgreSQL rejects (and a few where a piece ends inside a broken statement).
  assert.ok(agreed > 3900, `${agreed} agreed, ${refused} refused`);
});

test('a helper that dies half way: the analysis is finished on this thread, with the same findings', async (t) => {
  const { Analyzer } = (await import('../../out/core/analysis.js')).default;
  const { HelperFailed } = parallelMod;
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pgmig-helper-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'big.sql');
  writeFileSync(file, bigScript(2500) + 'create table no_rls (id int);\n');
  const dying = {
    async *parsePieces(text, from, sizes) {
      const pieces = parsePiecesHere(text, from, sizes);
      yield pieces.next().value;
      throw new HelperFailed('lint worker failed: killed');
    },
  };
  const expected = new Analyzer().analyzeStandalone(file).findings;
  assert.ok(expected.some((f) => f.rule === 'missing-rls'));
  const got = (await new Analyzer().analyzeStandaloneInParallel(file, dying)).findings;
  assert.deepEqual(got, expected);
  // Any other error is a real one and is not swallowed.
  const broken = { async *parsePieces() { throw new TypeError('a bug'); } };
  await assert.rejects(new Analyzer().analyzeStandaloneInParallel(file, broken), TypeError);
});
