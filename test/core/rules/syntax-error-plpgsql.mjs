// syntax-error inside PL/pgSQL: function and procedure bodies and DO blocks, at the token PostgreSQL stops at (the
// same errors on a real PostgreSQL: test/core/pgBehaviour.test.mjs).
import { ruleTester } from '../ruleTester.mjs';
import { PLPGSQL_CASES } from '../safetyFixtures.mjs';


ruleTester('syntax-error', {
  valid: [
    { name: 'valid PL/pgSQL function, trigger function, DO block', code: 'create or replace function f(a int) returns int language plpgsql as $$ begin return a + 1; end $$;\ncreate or replace function t() returns trigger language plpgsql as $$ begin new.x := 1; return new; end $$;\ndo $$ begin perform 1; end $$;\n' },
    { name: 'after SET check_function_bodies = false (pg_dump) PostgreSQL does not compile bodies', code: 'set check_function_bodies = false;\ncreate or replace function f() returns int language plpgsql as $$ begin retrun 1; end $$;\n' },
    { name: 'SQL and C functions are not PL/pgSQL', code: "create or replace function s() returns int language sql as $$ select 1 $$;\n" },
  ],
  invalid: [
    {
      name: 'check_function_bodies turned back on',
      code: 'set check_function_bodies to 0;\nset check_function_bodies = on;\ncreate or replace function f() returns int language plpgsql as $$ begin retrun 1; end $$;\n',
      errors: [{ line: 3, column: 73, endLine: 3, endColumn: 79, text: 'retrun', message: 'syntax error at or near "retrun"' }],
    },
    ...PLPGSQL_CASES.map((c) => ({ name: `PL/pgSQL: ${c.message}`, code: c.sql, errors: [{ line: c.line, column: c.column, endLine: c.line, endColumn: c.endColumn, text: c.text, message: c.message }] })),
    {
      name: 'a DO block: missing END IF, at the end of the body; a committed file is checked too',
      files: {
        'migrations/committed/000001.sql': 'create function g() returns int as $$ begin retrun 1; end $$ language plpgsql;\n',
        'migrations/current.sql': 'select 1;\ndo $$\nbegin\n  if true then\n    perform 1;\nend\n$$;\n',
      },
      errors: [
        { file: 'migrations/committed/000001.sql', line: 4, column: 45, endLine: 4, endColumn: 51, text: 'retrun', message: /syntax error at or near "retrun" in the PL\/pgSQL body/ },
        { line: 6, column: 1, endLine: 6, endColumn: 4, text: 'end', message: /syntax error at end of input in the DO block/ },
      ],
    },
  ],
});
