// missing-rls: every table that exists at the end of the replay (committed, then current) has row level security
// enabled somewhere in the migrations. Reported at its CREATE TABLE.
import { ruleTester } from '../ruleTester.mjs';

ruleTester('missing-rls', {
  valid: [
    'create table if not exists a (id int);\nalter table a enable row level security;',
    { name: 'enabled in a DO block', code: "create table if not exists a (id int);\ndo $$ begin\n  execute 'select 1';\n  alter table a enable row level security;\nend $$;" },
    { name: 'enabled in a later file', files: { 'migrations/committed/000001.sql': 'create table a (id int);', 'migrations/current.sql': 'alter table a enable row level security;' } },
    { name: 'enabled in an included fixture', files: { 'migrations/current.sql': 'create table if not exists a (id int);\n--!include rls.sql\n', 'migrations/fixtures/rls.sql': 'alter table a enable row level security;' } },
    { name: 'dropped later', code: 'create table if not exists a (id int);\ndrop table if exists a;' },
    { name: 'dropped in current after a committed create', files: { 'migrations/committed/000001.sql': 'create table a (id int);', 'migrations/current.sql': 'drop table if exists public.a;' } },
    { name: 'renamed, then enabled under the new name', code: 'create table if not exists old_name (id int);\nalter table old_name rename to new_name;\nalter table new_name enable row level security;' },
    { name: 'moved to another schema, then enabled there', code: 'create table if not exists a (id int);\nalter table a set schema app;\nalter table app.a enable row level security;' },
    { name: 'quoted names keep their case', code: 'create table if not exists "Foo" (id int);\nalter table public."Foo" enable row level security;' },
    { name: 'unquoted names fold to lower case', code: 'create table if not exists FOO (id int);\nalter table foo enable row level security;' },
    { name: 'search_path decides the schema', code: 'set search_path = app, public;\ncreate table if not exists t (id int);\nalter table app.t enable row level security;' },
    { name: 'an unqualified name finds the table in a later schema of search_path', code: 'create table if not exists public.t (id int);\nset search_path = app, public;\nalter table t enable row level security;' },
    { name: 'search_path resets at the start of each file', files: { 'migrations/committed/000001.sql': 'set search_path = app;\ncreate table t (id int);', 'migrations/current.sql': 'alter table app.t enable row level security;' } },
    'create temp table a (id int);',
    'create temporary table if not exists a (id int);',
    'create table if not exists graphile_migrate.x (id int);\ncreate table if not exists pg_catalog.y (id int);\ncreate table if not exists information_schema.z (id int);',
    { name: 'excludedSchemas in pgmig.json', files: { 'pgmig.json': '{ "excludedSchemas": ["audit"] }', 'migrations/current.sql': 'create table if not exists audit.log (id int);' } },
    { name: 'excludedTables in pgmig.json (public by default, or qualified)', files: { 'pgmig.json': '{ "excludedTables": ["a", "app.b"] }', 'migrations/current.sql': 'create table if not exists a (id int);\ncreate table if not exists app.b (id int);' } },
    { name: 'rule turned off', files: { 'pgmig.json': '{ "rules": { "missing-rls": "off" } }', 'migrations/current.sql': 'create table if not exists a (id int);' } },
    { name: 'ignore comment', code: '-- pgmig-ignore missing-rls\ncreate table if not exists a (id int);' },
    { name: 'ignore-file comment', code: 'select 1;\n-- pgmig-ignore-file missing-rls\ncreate table if not exists a (id int);' },
  ],
  invalid: [
    {
      code: 'create table if not exists a (id int);\n',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29, text: 'create table if not exists a', message: 'table a does not have row level security enabled' }],
      output: 'create table if not exists a (id int);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\n',
    },
    {
      name: 'enabled on another table',
      code: 'create table if not exists a (id int);\ncreate table if not exists b (id int);\nalter table b enable row level security;',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29 }],
      output: 'create table if not exists a (id int);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\ncreate table if not exists b (id int);\nalter table b enable row level security;',
    },
    {
      name: 'a quoted name is another table than the folded one',
      code: 'create table if not exists "Foo" (id int);\nalter table foo enable row level security;',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 33, message: 'table "Foo"' }],
      output: 'create table if not exists "Foo" (id int);\nALTER TABLE "Foo" ENABLE ROW LEVEL SECURITY;\nalter table foo enable row level security;',
    },
    {
      name: 'schema-qualified, and search_path',
      code: 'create table if not exists app.t (id int);\nset search_path to app;\ncreate table if not exists u (id int);\nalter table public.u enable row level security;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 33, message: 'table app.t ' },
        { line: 3, column: 1, endLine: 3, endColumn: 29, message: 'table app.u ' },
      ],
      output: 'create table if not exists app.t (id int);\nALTER TABLE app.t ENABLE ROW LEVEL SECURITY;\nset search_path to app;\ncreate table if not exists u (id int);\nALTER TABLE app.u ENABLE ROW LEVEL SECURITY;\nalter table public.u enable row level security;',
    },
    {
      name: 'disabled again',
      code: 'create table if not exists a (id int);\nalter table a enable row level security;\nalter table a disable row level security;',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29 }],
    },
    {
      name: 'FORCE alone does not enable it',
      code: 'create table if not exists a (id int);\nalter table a force row level security;',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29 }],
      output: 'create table if not exists a (id int);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\nalter table a force row level security;',
    },
    {
      name: 'renamed: reported at its CREATE under the final name; the fix right after the CREATE uses the name it had there',
      code: 'create table if not exists old_name (id int);\nalter table old_name rename to new_name;',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 36, message: 'table new_name ' }],
      output: 'create table if not exists old_name (id int);\nALTER TABLE old_name ENABLE ROW LEVEL SECURITY;\nalter table old_name rename to new_name;',
    },
    {
      name: 'a table of an immutable committed migration: the fix goes into current.sql',
      files: {
        'migrations/committed/000001.sql': 'create table old_name (id int);\n',
        'migrations/committed/000002.sql': 'alter table old_name rename to "New";\n',
        'migrations/current.sql': 'select 1;',
      },
      errors: [{ file: 'migrations/committed/000001.sql', line: 4, column: 1, endLine: 4, endColumn: 22, text: 'create table old_name' }],
      output: { 'migrations/current.sql': 'select 1;\n\nALTER TABLE "New" ENABLE ROW LEVEL SECURITY;\n' },
    },
    {
      name: 'with a current/ folder the fix for a committed table goes into its last file',
      files: {
        'migrations/committed/000001.sql': 'create table a (id int);\n',
        'migrations/current/1-first.sql': 'select 1;\n',
        'migrations/current/2-second.sql': '',
      },
      errors: [{ file: 'migrations/committed/000001.sql', line: 4, column: 1, endLine: 4, endColumn: 15 }],
      output: { 'migrations/current/2-second.sql': 'ALTER TABLE a ENABLE ROW LEVEL SECURITY;\n', 'migrations/current/1-first.sql': 'select 1;\n' },
    },
    {
      name: 'CREATE TABLE AS',
      code: 'create table if not exists a as select 1 as x;',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29 }],
      output: 'create table if not exists a as select 1 as x;\nALTER TABLE a ENABLE ROW LEVEL SECURITY;',
    },
    {
      name: 'created in an included fixture: reported in the fixture',
      files: { 'migrations/current.sql': 'select 1;\n--!include tables.sql\n', 'migrations/fixtures/tables.sql': '\n-- tables\ncreate table if not exists a (id int)\n;\n' },
      errors: [{ file: 'migrations/fixtures/tables.sql', line: 3, column: 1, endLine: 3, endColumn: 29 }],
      output: { 'migrations/fixtures/tables.sql': '\n-- tables\ncreate table if not exists a (id int)\n;\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\n' },
    },
    {
      name: 'non-ASCII text before the table',
      code: '-- Ünïcödé 😀\ncreate table if not exists "Café" (id int);',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 34, text: 'create table if not exists "Café"' }],
      output: '-- Ünïcödé 😀\ncreate table if not exists "Café" (id int);\nALTER TABLE "Café" ENABLE ROW LEVEL SECURITY;',
    },
    {
      name: 'a statement without its semicolon at the end of the file',
      code: 'create table if not exists a (id int)',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29 }],
      output: 'create table if not exists a (id int);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;',
    },
    {
      name: 'a last statement without its semicolon, then a comment: the fix goes before the comment',
      code: 'create table if not exists a (id int)\n-- the end\n',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29 }],
      output: 'create table if not exists a (id int);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\n-- the end\n',
    },
    {
      name: 'CRLF line endings: positions and the fix keep them',
      code: '-- x\r\ncreate table if not exists a (id int);\r\nselect 1;\r\n',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 29 }],
      output: '-- x\r\ncreate table if not exists a (id int);\r\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\r\nselect 1;\r\n',
    },
    {
      name: 'severity from pgmig.json',
      files: { 'pgmig.json': '{ "rules": { "missing-rls": "warning" } }', 'migrations/current.sql': 'create table if not exists a (id int);' },
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29, severity: 'warning' }],
    },
  ],
});
