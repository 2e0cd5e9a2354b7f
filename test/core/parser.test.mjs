// The front end: statements with exact string offsets, one syntax error per broken statement, DO blocks looked
// into, graphile placeholders accepted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { outDir, parseScript } from './ruleTester.mjs';

const { maskPlaceholders } = (await import(`${outDir}/sql/parser.js`)).default;

/** [type, text] of every statement (inner DO block statements marked with `>`). */
const shape = (text, parsed = parseScript(text)) =>
  parsed.statements.map((s) => [(s.parent ? '>' : '') + s.type, text.slice(s.start, s.end)]);
const errors = (text, parsed = parseScript(text)) =>
  parsed.errors.map((e) => [text.slice(e.start, e.end), e.message, text.slice(e.statementStart, e.statementEnd)]);

describe('statement ranges', () => {
  test('from the first token to the end, without the semicolon, the comments before or the blanks after', () => {
    const text = '-- lead\n/* block /* nested */ */\n  create table a (id int)  \n ;\n\nselect 1;select 2\n-- trailing\n';
    assert.deepEqual(shape(text), [['CreateStmt', 'create table a (id int)'], ['SelectStmt', 'select 1'], ['SelectStmt', 'select 2']]);
  });
  test('semicolons inside bodies, strings, identifiers and rule actions do not split', () => {
    const text = [
      "create function f() returns int language plpgsql as $fn$ begin return 1; end $fn$;",
      'create function g() returns int language sql begin atomic select 1; select case when true then 2 end; end;',
      'create rule r as on insert to a do also (insert into b values (1); insert into c values (2));',
      "select E'\\';', ';', \"a;b\", $$;$$;",
    ].join('\n');
    assert.deepEqual(shape(text).map(([t]) => t), ['CreateFunctionStmt', 'CreateFunctionStmt', 'RuleStmt', 'SelectStmt']);
  });
  test('non-ASCII text before statements: offsets are string offsets, in both the whole-file and the statement-by-statement path', () => {
    for (const broken of ['', 'selec 0;\n']) {
      const text = `${broken}-- 😀 café\nselect '☕😀' as "naïve";\ncreate table "Été" (id int);`;
      const parsed = parseScript(text);
      assert.deepEqual(shape(text, parsed), [['SelectStmt', `select '☕😀' as "naïve"`], ['CreateStmt', 'create table "Été" (id int)']]);
      const create = parsed.statements[1];
      // Node locations (UTF-8 bytes in the parser) come back as string offsets.
      assert.equal(text.slice(create.at(create.node.relation.location)).slice(0, 5), '"Été"');
      assert.equal(parsed.errors.length, broken ? 1 : 0);
    }
  });
});

describe('syntax errors', () => {
  test('one broken statement is one error at the token; the statements after it are still parsed', () => {
    const text = 'select 1;\ncreate tabel x (id int);\ncreate table y (id int);\nselect 2;';
    const parsed = parseScript(text);
    assert.deepEqual(errors(text, parsed), [['tabel', 'syntax error at or near "tabel"', 'create tabel x (id int)']]);
    assert.deepEqual(shape(text, parsed).map(([t]) => t), ['SelectStmt', 'CreateStmt', 'SelectStmt']);
  });
  test('the same statements as the whole-file parse, however many statements are broken', () => {
    const good = Array.from({ length: 30 }, (_, i) => `create table t${i} (id int);`);
    const text = good.map((s, i) => (i % 3 === 1 ? `selec ${i};\n${s}` : s)).join('\n');
    const parsed = parseScript(text);
    assert.equal(parsed.errors.length, 10);
    assert.deepEqual(shape(text, parsed).map(([, t]) => t), good.map((s) => s.slice(0, -1)));
  });
  test('at end of input: the last token of the statement', () => {
    const text = 'select * from a where\n;\nselect 1;';
    assert.deepEqual(errors(text), [['where', 'syntax error at end of input', 'select * from a where']]);
  });
  test('an unterminated string: the error is at the quote and the literal swallows the rest', () => {
    const text = "select 1;\nselect 'abc;\nselect 2;";
    const parsed = parseScript(text);
    assert.equal(parsed.errors.length, 1);
    assert.equal(parsed.errors[0].start, text.indexOf("'abc"));
    assert.match(parsed.errors[0].message, /^unterminated quoted string/);
    assert.deepEqual(shape(text, parsed), [['SelectStmt', 'select 1']]);
  });
  test('an unterminated block comment is an error too', () => {
    const text = 'select 1;\n/* open\nselect 2;';
    const parsed = parseScript(text);
    assert.equal(parsed.errors.length, 1);
    assert.equal(parsed.errors[0].start, text.indexOf('/*'));
    assert.match(parsed.errors[0].message, /^unterminated \/\* comment/);
  });
  test('an unclosed parenthesis is one error; the statements after it are still parsed', () => {
    const text = 'select (;\ncreate table y (id int);\nselect 2;';
    const parsed = parseScript(text);
    assert.deepEqual(errors(text, parsed).map(([tok]) => tok), [';']);
    assert.deepEqual(shape(text, parsed).map(([t]) => t), ['CreateStmt', 'SelectStmt']);
  });
  test('characters outside the BMP before the error do not shift it', () => {
    const text = "select '😀😀', 1 frm x;";
    assert.deepEqual(errors(text).map(([tok]) => tok), ['x']);
  });
});

describe('graphile placeholders', () => {
  const names = new Set(['DATABASE_VISITOR', 'DATABASE_OWNER']);
  test('known placeholders become same-length identifiers; casts and unknown names stay', () => {
    const text = "grant all on a to :DATABASE_VISITOR; select 1::text, :UNKNOWN, x:DATABASE_OWNER, ':DATABASE_OWNER';";
    const masked = maskPlaceholders(text, names);
    assert.equal(masked.length, text.length);
    assert.equal(masked, "grant all on a to _DATABASE_VISITOR; select 1::text, :UNKNOWN, x:DATABASE_OWNER, '_DATABASE_OWNER';");
  });
  test('a known placeholder parses; an unknown one is a syntax error at its colon', () => {
    const text = 'grant select on a to :DATABASE_VISITOR;\ngrant select on a to :OTHER;';
    const parsed = parseScript(text, { placeholders: names });
    assert.deepEqual(shape(text, parsed), [['GrantStmt', 'grant select on a to :DATABASE_VISITOR']]);
    assert.deepEqual(parsed.errors.map((e) => e.start), [text.lastIndexOf(':')]);
    assert.equal(parseScript(text).errors.length, 2);
  });
});

describe('DO blocks', () => {
  test('the statements a DO block runs are looked into, with their positions and guards', () => {
    const text = [
      'select 0;',
      'do $$',
      'begin',
      "  create type mood as enum ('a');",
      '  if not exists (select 1 from pg_roles where rolname = \'r\') then',
      '    create role r;',
      '  end if;',
      '  begin',
      '    alter table a enable row level security;',
      '  exception when undefined_table then null;',
      '  end;',
      'exception when duplicate_object or unique_violation then null;',
      'end $$;',
      "do language plpgsql 'begin create table plain (id int); end';",
    ].join('\n');
    const parsed = parseScript(text);
    const inner = parsed.statements.filter((s) => s.parent);
    assert.deepEqual(inner.map((s) => [s.type, text.slice(s.start, s.end), s.guard]), [
      ['CreateEnumStmt', "create type mood as enum ('a')", { exceptions: ['duplicate_object', 'unique_violation'], conditional: false }],
      ['CreateRoleStmt', 'create role r', { exceptions: ['duplicate_object', 'unique_violation'], conditional: true }],
      ['AlterTableStmt', 'alter table a enable row level security', { exceptions: ['duplicate_object', 'unique_violation', 'undefined_table'], conditional: false }],
      ['CreateStmt', 'create table plain (id int)', undefined],
    ]);
    assert.equal(inner[0].parent.type, 'DoStmt');
    // A node location inside the block maps into the file.
    const alter = inner[2];
    assert.equal(text.slice(alter.at(alter.node.relation.location), alter.at(alter.node.relation.location) + 1), 'a');
  });
  test('a DO block in another language, or with a body that is not PL/pgSQL, adds nothing', () => {
    assert.deepEqual(shape("do language plv8 'create table x (id int)';").map(([t]) => t), ['DoStmt']);
    assert.deepEqual(shape('do $$ begin not plpgsql; end $$;').map(([t]) => t), ['DoStmt']);
  });
});

describe('a large broken file (parsed in chunks)', () => {
  test('every broken statement is one error, wherever it falls among the chunks, and every other statement is kept', () => {
    // About 300 KB: several chunks. Broken statements at the start, around chunk boundaries and at the end.
    const good = (i) => `create table if not exists t_${i} (id int primary key, note text default 'é;${i}'); -- ${i}\n`;
    const lines = [];
    for (let i = 0; i < 4000; i++) lines.push(good(i));
    const brokenAt = [0, 1, 830, 831, 1700, 2555, 3999];
    for (const i of brokenAt) lines[i] = `selec ${i};\n`;
    const text = lines.join('');
    assert.ok(text.length > 250_000);
    const parsed = parseScript(text);
    assert.deepEqual(
      parsed.errors.map((e) => text.slice(e.statementStart, e.statementEnd)),
      brokenAt.map((i) => `selec ${i}`),
    );
    assert.equal(parsed.statements.length, 4000 - brokenAt.length);
    assert.deepEqual(
      parsed.statements.map((s) => text.slice(s.start, s.end)),
      lines.filter((_, i) => !brokenAt.includes(i)).map((l) => l.slice(0, l.lastIndexOf(';'))),
    );
  });
});

const { reparseScript } = (await import(`${outDir}/sql/incrementalParse.js`)).default;

describe('bytes the parser cannot see (issue 11 §6)', () => {
  test('a NUL byte is an error at its place; the statements around it are still parsed, at their offsets', () => {
    const text = 'select 1;\0\ncreate table a (id int);\nselect\0\0 2;\n';
    assert.deepEqual(shape(text), [['SelectStmt', 'select 1'], ['CreateStmt', 'create table a (id int)'], ['SelectStmt', 'select\0\0 2']]);
    assert.deepEqual(errors(text).map(([t, m, st]) => [t, m.split(':')[0], st]), [
      ['\0', 'NUL byte in the text', '\0'],
      ['\0\0', 'NUL bytes (2) in the text', 'select\0\0 2'],
    ]);
  });

  test('many runs of NUL bytes (a UTF-16 file read as UTF-8): ten findings, the last says how many more', () => {
    const text = 's\0e\0l\0e\0c\0t\0 \x001\0;\0 \0s\0e\0l\0e\0c\0t\0';
    const found = parseScript(text).errors.filter((e) => e.message.startsWith('NUL'));
    assert.equal(found.length, 10);
    assert.match(found[9].message, /\(6 more runs of NUL bytes after this one are not reported; is the file UTF-16\?\)$/);
  });

  test('an edit next to a NUL byte re-parses to what a full parse gives', () => {
    const body = Array.from({ length: 400 }, (_, i) => `select ${i};`).join('\n');
    const before = parseScript(body + '\n');
    const after = body + '\nselect\0 1;\n';
    const re = reparseScript(before, after);
    const full = parseScript(after);
    assert.deepEqual(errors(after, re), errors(after, full));
    assert.deepEqual(shape(after, re), shape(after, full));
  });
});

describe('parseTree: parts nobody reads are parsed when read, and read exactly as JSON.parse gives them', async () => {
  const { parseTree } = (await import(`${outDir}/sql/parser.js`)).default;
  const { parseToJson } = (await import(`${outDir}/sql/pgQuery.js`)).default;
  const rows = (n) => Array.from({ length: n }, (_, i) => `(${i}, 'row ${i} ] } " \\ ', '{"k": [${i}]}')`).join(', ');
  const cond = "owner_id = nullif(current_setting('jwt.claims.user_id', true), '')::uuid or exists (select 1 from m where m.org = t.org and m.role in ('a', 'b', 'c'))";
  const cases = {
    'INSERT ... VALUES': `insert into t (a, b, c) values ${rows(60)} on conflict do nothing; insert into u values (1);`,
    'policies': `create policy p on t using (${cond}) with check (${cond}); alter policy p on t using (${cond});`,
    'UPDATE ... FROM ... WHERE': `update t set a = 1 from u where ${cond} and t.id = u.id;`,
    'a subquery in SET with its own WHERE (matched first: parsed whole)': `update t set a = (select x from y where ${cond}) where ${cond};`,
    'INSERT in a CTE and nested VALUES stay as they are': `with x as (insert into u values ${rows(40)} returning 1) select * from x;`,
  };
  for (const [name, sql] of Object.entries(cases)) {
    test(name, () => {
      const json = parseToJson(sql);
      assert.deepStrictEqual(parseTree(json), JSON.parse(json));
    });
  }

  test('the rows are not parsed until read; writing them works too', () => {
    const tree = parseTree(parseToJson(`insert into t (a, b, c) values ${rows(60)};`));
    const select = tree.stmts[0].stmt.InsertStmt.selectStmt.SelectStmt;
    assert.equal(typeof Object.getOwnPropertyDescriptor(select, 'valuesLists').get, 'function');
    assert.deepEqual(Object.keys(select), ['valuesLists', 'limitOption', 'op'], 'in its place');
    assert.equal(select.valuesLists.length, 60);
    assert.equal(Object.getOwnPropertyDescriptor(select, 'valuesLists').get, undefined, 'parsed once, then a plain value');
    select.valuesLists = [];
    assert.deepEqual(select.valuesLists, []);
  });
});

test('parseScript defers unread parts only when asked (lint), never for the editor, which visits every node', () => {
  const sql = `insert into t (a) values ${Array.from({ length: 80 }, (_, i) => `(${i})`).join(', ')};\nselect 1;`;
  const rows = (options) => Object.getOwnPropertyDescriptor(parseScript(sql, options).statements[0].node.selectStmt.SelectStmt, 'valuesLists');
  assert.equal(typeof rows({ deferUnread: true }).get, 'function');
  assert.equal(rows({}).get, undefined);
  assert.equal(rows({}).value.length, 80);
});
