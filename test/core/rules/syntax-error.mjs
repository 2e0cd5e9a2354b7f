// syntax-error: PostgreSQL's own grammar rejects the statement. One broken statement is one finding, at the token
// the parser stopped at, and the statements after it are still analysed.
import { ruleTester } from '../ruleTester.mjs';

ruleTester('syntax-error', {
  valid: [
    '',
    '-- only a comment\n/* and /* a nested */ one */\n',
    { name: 'function bodies, BEGIN ATOMIC, rules with several actions, quoting', code: [
      "create or replace function f() returns int language plpgsql as $body$ begin perform 1; return 2; end $body$;",
      'create or replace function g() returns int language sql begin atomic select 1; select case when true then 2 end; end;',
      'create or replace rule r as on insert to a do also (insert into b values (1); insert into c values (2));',
      "select E'it\\'s; fine', 'a;b', \"semi;colon\", $$ ; $$, $tag$ $$ ; $tag$;",
    ].join('\n') },
    { name: 'placeholders from .gmrc and the built-in ones', files: {
      '.gmrc': "{\n  // JSON5\n  placeholders: { ':DATABASE_VISITOR': 'visitor', ':API_SCHEMA': 'app' },\n}",
      'migrations/current.sql': 'grant usage on schema :API_SCHEMA to :DATABASE_VISITOR;\ngrant connect on database :DATABASE_NAME to :DATABASE_OWNER;\nalter default privileges for role :DATABASE_OWNER grant select on tables to :DATABASE_VISITOR;\n',
    } },
    { name: 'a placeholder in a committed migration', files: {
      '.gmrc': "{ placeholders: { ':DATABASE_VISITOR': 'visitor' } }",
      'migrations/committed/000001.sql': 'grant select on a to :DATABASE_VISITOR;',
      'migrations/current.sql': '',
    } },
  ],
  invalid: [
    {
      // Issue 13: PostgreSQL's grammar accepts it, its PL/pgSQL compiler does not (when the block runs).
      name: 'a DO block whose body is not valid PL/pgSQL, at the token PL/pgSQL stops at',
      code: 'do $$ begin not plpgsql at all; end $$;',
      errors: [{ line: 1, column: 13, endLine: 1, endColumn: 16, text: 'not', message: /syntax error at or near "not" in the DO block/ }],
    },
    {
      code: 'create tabel x (id int);\ncreate table if not exists y (id int);',
      errors: [{ line: 1, column: 8, endLine: 1, endColumn: 13, text: 'tabel', message: 'syntax error at or near "tabel"' }],
    },
    {
      name: 'two broken statements are two findings',
      code: 'select 1;\nselec 2;\nselect 3;\ninsert into (a) values (1);\nselect 4;',
      errors: [
        { line: 2, column: 1, endLine: 2, endColumn: 6, text: 'selec' },
        { line: 4, column: 13, endLine: 4, endColumn: 14, text: '(' },
      ],
    },
    {
      name: 'at end of input: the statement\'s last token',
      code: 'create table if not exists a (id int);\nselect * from a where\n;\nselect 1;',
      errors: [{ line: 2, column: 17, endLine: 2, endColumn: 22, text: 'where', message: 'at end of input' }],
    },
    {
      name: 'an unterminated string: at the quote, and nothing after it is a statement',
      code: "select 1;\nselect 'it''s;\nselect 2;",
      // The literal runs to the end of the file; the finding marks the rest of its first line.
      errors: [{ line: 2, column: 8, endLine: 2, endColumn: 15, text: "'it''s;", message: 'unterminated quoted string' }],
    },
    {
      name: 'an unterminated dollar quote',
      code: 'select 1;\nselect $$ abc;\nselect 2;',
      errors: [{ line: 2, column: 8, endLine: 2, endColumn: 15, text: '$$ abc;', message: 'unterminated dollar-quoted string' }],
    },
    {
      name: 'an unterminated block comment',
      code: 'select 1;\n/* never closed\nselect 2;',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 16, text: '/* never closed', message: 'unterminated /* comment' }],
    },
    {
      name: 'a byte order mark, which PostgreSQL rejects, is named as such',
      code: '\ufeffcreate table if not exists a (id int);\nselect 1;',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 2, message: 'byte order mark (U+FEFF): PostgreSQL rejects it' }],
    },
    {
      name: 'a placeholder that .gmrc does not declare',
      code: 'grant select on a to :DATABASE_VISITOR;',
      errors: [{ line: 1, column: 22, endLine: 1, endColumn: 23, text: ':' }],
    },
    {
      name: 'non-ASCII text, and characters outside the BMP, before the error in the same statement',
      code: "-- 😀\nselect 'é😀', 'ü' frm x;",
      errors: [{ line: 2, column: 23, endLine: 2, endColumn: 24, text: 'x' }],
    },
    {
      name: 'at end of input after an emoji',
      code: "select '😀' from;\ncreate table if not exists z (id int);",
      errors: [{ line: 1, column: 13, endLine: 1, endColumn: 17, text: 'from' }],
    },
    {
      name: 'an unclosed parenthesis does not swallow the statements after it',
      code: 'select 1;\nselect (;\ncreate table if not exists y (id int);\nselect );',
      errors: [
        { line: 2, column: 9, endLine: 2, endColumn: 10, text: ';' },
        { line: 4, column: 8, endLine: 4, endColumn: 9, text: ')' },
      ],
    },
    {
      name: 'in an included fixture: reported in the fixture, at its line',
      files: {
        'migrations/current.sql': 'select 1;\n--!include broken.sql\nselect 2;\n',
        'migrations/fixtures/broken.sql': '\n-- fixture\nselect 1;\nselect * frm t;\n\n',
      },
      errors: [{ file: 'migrations/fixtures/broken.sql', line: 4, column: 10, endLine: 4, endColumn: 13, text: 'frm' }],
    },
    {
      name: 'in a committed migration',
      files: { 'migrations/committed/000001.sql': 'select 1;\ncreat table a (id int);', 'migrations/current.sql': '' },
      errors: [{ file: 'migrations/committed/000001.sql', line: 5, column: 1, endLine: 5, endColumn: 6, text: 'creat' }],
    },
  ],
});
