// non-idempotent-statement: what graphile-migrate re-runs (current.sql, current/ files and the fixtures they include)
// must succeed and change nothing when it has already run. Committed migrations run once and are exempt.
import { ruleTester } from '../ruleTester.mjs';

const committed = (body) => ({ 'migrations/committed/000001.sql': body, 'migrations/current.sql': '' });

ruleTester('non-idempotent-statement', {
  valid: [
    { name: 'committed migrations are never checked', files: committed('create table a (id int);\ninsert into a values (1);\ndrop table b;\ncreate type t as enum (\'x\');\n') },
    'create table if not exists a (id int);',
    'create temp table if not exists a (id int);',
    'create table if not exists a as select 1 as x;',
    'create index if not exists a_idx on a (id);',
    'create unique index concurrently if not exists a_idx on a (id);',
    'create sequence if not exists s;',
    'create schema if not exists app;',
    'create extension if not exists pgcrypto;',
    'create materialized view if not exists mv as select 1;',
    'create or replace function f() returns int language sql as $$ select 1 $$;',
    'create or replace procedure p() language sql as $$ select 1 $$;',
    'create or replace view v as select 1;',
    'create or replace trigger t after insert on a for each row execute function f();',
    'create or replace rule r as on insert to a do nothing;',
    'alter table a add column if not exists b int;',
    'alter table a drop column if exists b;',
    'alter table a drop constraint if exists c;',
    "alter type mood add value if not exists 'b';",
    'drop table if exists a;',
    'drop index if exists a_idx;',
    'drop function if exists f();',
    'drop role if exists r;',
    'alter table if exists a rename to b;',
    'alter table if exists a set schema app;',
    'insert into a values (1) on conflict do nothing;',
    'insert into a (id) values (1) on conflict (id) do update set id = excluded.id;',
    'insert into a select 1 where not exists (select 1 from a);',
    { name: 'GRANT, REVOKE, COMMENT, ENABLE ROW LEVEL SECURITY and SET are idempotent', code: 'grant select on a to public;\nrevoke all on a from public;\ncomment on table a is \'x\';\nalter table a enable row level security;\nset search_path = app, public;\nselect 1;\nupdate a set id = 1;\ndelete from a;\n' },
    // The guard pairs: an earlier DROP ... IF EXISTS of the same object.
    "drop type if exists mood;\ncreate type mood as enum ('a');",
    'drop type if exists app.pair;\ncreate type app.pair as (a int, b int);',
    'drop domain if exists public.d;\ncreate domain d as int;',
    'drop policy if exists p on a;\ncreate policy p on public.a using (true);',
    'drop policy if exists "P" on app.a;\ncreate policy "P" on app.a using (true);',
    'alter table a drop constraint if exists a_pk;\nalter table a add constraint a_pk primary key (id);',
    'alter table a drop constraint if exists a_pk, add constraint a_pk primary key (id);',
    'drop role if exists r1;\ncreate role r1;',
    'drop trigger if exists t on a;\ncreate constraint trigger t after insert on a for each row execute function f();',
    {
      name: 'dropping the table (IF EXISTS) earlier in the run drops its indexes, policies, triggers, constraints and rows too',
      code: [
        'drop table if exists a cascade;',
        'create table a (id int);',
        'create index a_idx on a (id);',
        'create index on a (id);',
        'create policy p on a using (true);',
        'create trigger t after insert on public.a for each row execute function f();',
        'alter table a add constraint a_pk primary key (id), add column b int;',
        'insert into a values (1);',
        'alter table a rename column b to c;',
      ].join('\n'),
    },
    {
      name: 'dropping the schema (IF EXISTS) earlier in the run drops what is in it',
      code: "drop schema if exists app cascade;\ncreate schema app;\ncreate table app.t (id int);\ncreate type app.mood as enum ('a');\ncreate domain app.d as int;\ncreate function app.f() returns int language sql as $$ select 1 $$;\ncreate view app.v as select 1;\ninsert into app.t values (1);",
    },
    {
      name: 'the files of current/ are one run: a drop in one guards the next',
      files: { 'migrations/current/001-drop.sql': 'drop type if exists mood;\n', 'migrations/current/002-create.sql': "create type mood as enum ('a');\n" },
    },
    // DO blocks that catch the failure or check first.
    "do $$ begin\n  create type mood as enum ('a');\nexception when duplicate_object then null;\nend $$;",
    "do $$\nbegin\n  if not exists (select 1 from pg_roles where rolname = 'r1') then\n    create role r1;\n  end if;\nend\n$$;",
    "do $$ begin\n  alter table a add constraint a_fk foreign key (b) references b;\nexception when others then null;\nend $$;",
    { name: 'an ignore comment silences the next statement', code: '-- pgmig-ignore non-idempotent-statement\ninsert into a values (1);' },
    { name: 'a loose fixture with idempotent SQL', files: { 'migrations/current.sql': '', 'migrations/fixtures/f.sql': 'create or replace function f() returns int language sql as $$ select 1 $$;\n' } },
  ],
  invalid: [
    {
      code: 'create table a (id int);',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 24, message: 'CREATE TABLE fails when the table already exists: add IF NOT EXISTS', fixes: 1 }],
      output: 'create table IF NOT EXISTS a (id int);',
    },
    {
      name: 'unlogged and temporary tables, CREATE TABLE AS',
      code: 'create unlogged table a (id int);\ncreate temporary table b (id int);\ncreate table c as select 1 as x;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 33, message: 'CREATE TABLE fails' },
        { line: 2, column: 1, endLine: 2, endColumn: 34, message: 'CREATE TABLE fails' },
        { line: 3, column: 1, endLine: 3, endColumn: 32, message: 'CREATE TABLE AS fails' },
      ],
      output: 'create unlogged table IF NOT EXISTS a (id int);\ncreate temporary table IF NOT EXISTS b (id int);\ncreate table IF NOT EXISTS c as select 1 as x;',
    },
    {
      name: 'named CREATE INDEX (unique, concurrently)',
      code: 'create unique index concurrently a_idx on a (id);',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 49, message: 'CREATE INDEX fails when the index already exists' }],
      output: 'create unique index concurrently IF NOT EXISTS a_idx on a (id);',
    },
    {
      name: 'an unnamed CREATE INDEX cannot have IF NOT EXISTS: the fix names it',
      code: 'create index on app.a (b, c);',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29, message: 'CREATE INDEX without a name cannot use IF NOT EXISTS' }],
      output: 'create index IF NOT EXISTS a_b_c_idx on app.a (b, c);',
    },
    {
      code: 'create sequence s;\ncreate schema app;\ncreate extension pgcrypto;\ncreate materialized view mv as select 1;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 18, message: 'CREATE SEQUENCE fails' },
        { line: 2, column: 1, endLine: 2, endColumn: 18, message: 'CREATE SCHEMA fails' },
        { line: 3, column: 1, endLine: 3, endColumn: 26, message: 'CREATE EXTENSION fails' },
        { line: 4, column: 1, endLine: 4, endColumn: 40, message: 'CREATE MATERIALIZED VIEW fails' },
      ],
      output: 'create sequence IF NOT EXISTS s;\ncreate schema IF NOT EXISTS app;\ncreate extension IF NOT EXISTS pgcrypto;\ncreate materialized view IF NOT EXISTS mv as select 1;',
    },
    {
      name: 'CREATE FUNCTION / PROCEDURE / VIEW / TRIGGER / RULE need OR REPLACE',
      code: [
        'create function f() returns int language sql as $$ select 1 $$;',
        'CREATE PROCEDURE p() LANGUAGE sql AS $$ select 1 $$;',
        'create view v as select 1;',
        'create trigger t after insert on a for each row execute function f();',
        'create rule r as on insert to a do nothing;',
      ].join('\n'),
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 63, message: 'CREATE FUNCTION fails when it already exists: use CREATE OR REPLACE' },
        { line: 2, column: 1, endLine: 2, endColumn: 52, message: 'CREATE PROCEDURE fails' },
        { line: 3, column: 1, endLine: 3, endColumn: 26, message: 'CREATE VIEW fails' },
        { line: 4, column: 1, endLine: 4, endColumn: 69, message: 'CREATE TRIGGER fails' },
        { line: 5, column: 1, endLine: 5, endColumn: 43, message: 'CREATE RULE fails' },
      ],
      output: [
        'create OR REPLACE function f() returns int language sql as $$ select 1 $$;',
        'CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS $$ select 1 $$;',
        'create OR REPLACE view v as select 1;',
        'create OR REPLACE trigger t after insert on a for each row execute function f();',
        'create OR REPLACE rule r as on insert to a do nothing;',
      ].join('\n'),
    },
    {
      name: 'CREATE TYPE has no IF NOT EXISTS: wrapped in a DO block that ignores duplicate_object',
      code: "create type mood as enum ('a');\n",
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 31, message: 'CREATE TYPE mood fails when the type already exists (there is no IF NOT EXISTS)' }],
      output: "DO $$ BEGIN\n  create type mood as enum ('a');\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;\n",
    },
    {
      name: 'CRLF line endings: the DO block keeps them',
      code: "select 1;\r\ncreate type mood as enum ('a');\r\n",
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 31 }],
      output: "select 1;\r\nDO $$ BEGIN\r\n  create type mood as enum ('a');\r\nEXCEPTION WHEN duplicate_object THEN NULL;\r\nEND $$;\r\n",
    },
    {
      name: 'a statement that holds $$ is wrapped with another dollar tag',
      code: "create domain short_text as text check (value <> $$$$);",
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 55, message: 'CREATE DOMAIN short_text' }],
      output: "DO $pgmig$ BEGIN\n  create domain short_text as text check (value <> $$$$);\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $pgmig$;",
    },
    {
      name: 'CREATE DOMAIN and CREATE ROLE',
      code: 'create domain app.d as int;\ncreate role r1;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 27, message: 'CREATE DOMAIN app.d fails' },
        { line: 2, column: 1, endLine: 2, endColumn: 15, message: 'CREATE ROLE r1 fails' },
      ],
      output: 'DO $$ BEGIN\n  create domain app.d as int;\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;\nDO $$ BEGIN\n  create role r1;\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;',
    },
    {
      name: 'CREATE POLICY: the fix drops it with IF EXISTS first',
      code: 'create policy "Owner reads" on app.docs for select using (true);',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 64, message: 'CREATE POLICY "Owner reads" fails when the policy already exists' }],
      output: 'DROP POLICY IF EXISTS "Owner reads" ON app.docs;\ncreate policy "Owner reads" on app.docs for select using (true);',
    },
    {
      name: 'ALTER TABLE ADD CONSTRAINT: the fix drops it with IF EXISTS first',
      code: 'alter table a add constraint a_b_fk foreign key (b) references b (id);',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 70, message: 'ADD CONSTRAINT a_b_fk fails when the constraint already exists' }],
      output: 'ALTER TABLE a DROP CONSTRAINT IF EXISTS a_b_fk;\nalter table a add constraint a_b_fk foreign key (b) references b (id);',
    },
    {
      name: 'a guard for another object does not count',
      code: "drop type if exists other;\ncreate type mood as enum ('a');",
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 31, message: 'CREATE TYPE mood' }],
    },
    {
      name: 'dropping one table does not guard what belongs to another, nor renaming the table itself',
      code: 'drop table if exists a;\ncreate table if not exists b (id int);\ncreate policy p on b using (true);\ncreate table a (id int);\nalter table a rename to c;',
      errors: [
        { line: 3, column: 1, endLine: 3, endColumn: 34, message: 'CREATE POLICY "p"' },
        { line: 5, column: 1, endLine: 5, endColumn: 26, message: 'RENAME' },
      ],
    },
    {
      name: 'a DROP ... IF EXISTS after the CREATE does not guard it',
      code: "create type mood as enum ('a');\ndrop type if exists mood;",
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 31, message: 'CREATE TYPE mood' }],
    },
    {
      name: 'a DO block whose handler catches something else does not guard',
      code: "do $$ begin\n  create type mood as enum ('a');\nexception when division_by_zero then null;\nend $$;\ndo $$ begin\n  insert into a values (1);\nexception when sqlstate '23505' then null;\nend $$;\ndo $$ begin\n  create role r;\nexception when sqlstate '42710' then null;\nend $$;",
      errors: [{ line: 2, column: 3, endLine: 2, endColumn: 33, message: 'CREATE TYPE mood' }],
    },
    {
      name: 'a DO block without an exception handler or condition does not guard',
      code: "do $$ begin\n  create type mood as enum ('a');\nend $$;",
      errors: [{ line: 2, column: 3, endLine: 2, endColumn: 33, message: 'CREATE TYPE mood', fixes: 0 }],
    },
    {
      name: 'ALTER TABLE ADD COLUMN, DROP COLUMN, DROP CONSTRAINT',
      code: 'alter table a add column b int;\nalter table a drop column b;\nalter table a drop constraint a_c_check;\nalter table a drop "Quoted";',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 31, message: 'ADD COLUMN b fails when the column already exists' },
        { line: 2, column: 1, endLine: 2, endColumn: 28, message: 'DROP COLUMN b fails when the column is already gone' },
        { line: 3, column: 1, endLine: 3, endColumn: 40, message: 'DROP CONSTRAINT a_c_check fails' },
        { line: 4, column: 1, endLine: 4, endColumn: 28, message: 'DROP COLUMN Quoted fails' },
      ],
      output: 'alter table a add column IF NOT EXISTS b int;\nalter table a drop column IF EXISTS b;\nalter table a drop constraint IF EXISTS a_c_check;\nalter table a drop IF EXISTS "Quoted";',
    },
    {
      name: 'ADD COLUMN without the COLUMN keyword, two sub-commands in one statement',
      code: 'alter table a add b int, add c text;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 36, message: 'ADD COLUMN b' },
        { line: 1, column: 1, endLine: 1, endColumn: 36, message: 'ADD COLUMN c' },
      ],
      output: 'alter table a add IF NOT EXISTS b int, add IF NOT EXISTS c text;',
    },
    {
      name: 'DROP anything without IF EXISTS',
      code: 'drop table a;\ndrop index concurrently a_idx;\ndrop materialized view mv;\ndrop function f(int);\nDROP TYPE mood;\ndrop role r1;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 13, message: 'DROP fails when the object does not exist' },
        { line: 2, column: 1, endLine: 2, endColumn: 30, message: 'DROP fails' },
        { line: 3, column: 1, endLine: 3, endColumn: 26, message: 'DROP fails' },
        { line: 4, column: 1, endLine: 4, endColumn: 21, message: 'DROP fails' },
        { line: 5, column: 1, endLine: 5, endColumn: 15, message: 'DROP fails' },
        { line: 6, column: 1, endLine: 6, endColumn: 13, message: 'DROP fails' },
      ],
      output: 'drop table IF EXISTS a;\ndrop index concurrently IF EXISTS a_idx;\ndrop materialized view IF EXISTS mv;\ndrop function IF EXISTS f(int);\nDROP TYPE IF EXISTS mood;\ndrop role IF EXISTS r1;',
    },
    {
      code: "alter type mood add value 'b' before 'c';",
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 41, message: 'ADD VALUE fails when the value already exists' }],
      output: "alter type mood add value IF NOT EXISTS 'b' before 'c';",
    },
    {
      name: 'RENAME of a table, view or index: ALTER ... IF EXISTS skips the second time',
      code: 'alter table a rename to b;\nALTER MATERIALIZED VIEW m RENAME TO n;\nalter index i rename to j;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 26, message: 'RENAME fails when run again' },
        { line: 2, column: 1, endLine: 2, endColumn: 38, message: 'RENAME fails when run again' },
        { line: 3, column: 1, endLine: 3, endColumn: 26, message: 'RENAME fails when run again' },
      ],
      output: 'alter table IF EXISTS a rename to b;\nALTER MATERIALIZED VIEW IF EXISTS m RENAME TO n;\nalter index IF EXISTS i rename to j;',
    },
    {
      name: 'RENAME of a column, a constraint or a function has no mechanical fix',
      code: 'alter table if exists b rename column x to y;\nalter table b rename constraint c to d;\nalter function f() rename to g;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 45, message: 'RENAME fails when run again', fixes: 0 },
        { line: 2, column: 1, endLine: 2, endColumn: 39, message: 'RENAME fails when run again', fixes: 0 },
        { line: 3, column: 1, endLine: 3, endColumn: 31, message: 'RENAME fails when run again', fixes: 0 },
      ],
    },
    {
      name: 'SET SCHEMA',
      code: 'alter table a set schema app;\nalter function f() set schema app;',
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 29, message: 'SET SCHEMA fails when run again', fixes: 1 },
        { line: 2, column: 1, endLine: 2, endColumn: 34, message: 'SET SCHEMA fails when run again', fixes: 0 },
      ],
    },
    {
      code: 'alter table a set schema app;',
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 29 }],
      output: 'alter table IF EXISTS a set schema app;',
    },
    {
      name: 'shell types, collations, operators; DROP OPERATOR CLASS',
      code: "create type shell;\ncreate collation c (locale = 'C');\ncreate operator === (leftarg = int, rightarg = int, function = int4eq);\ndrop operator class oc using btree;",
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 18, message: 'CREATE TYPE shell' },
        { line: 2, column: 1, endLine: 2, endColumn: 34, message: 'CREATE COLLATION fails' },
        { line: 3, column: 1, endLine: 3, endColumn: 71, message: 'CREATE OPERATOR === fails' },
        { line: 4, column: 1, endLine: 4, endColumn: 35, message: 'DROP fails' },
      ],
      output: "DO $$ BEGIN\n  create type shell;\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;\ncreate collation IF NOT EXISTS c (locale = 'C');\nDO $$ BEGIN\n  create operator === (leftarg = int, rightarg = int, function = int4eq);\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;\ndrop operator class IF EXISTS oc using btree;",
    },
    {
      name: 'INSERT without ON CONFLICT',
      code: "insert into a (id, name) values (1, 'x');",
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 41, message: 'INSERT without ON CONFLICT' }],
      output: "insert into a (id, name) values (1, 'x') ON CONFLICT DO NOTHING;",
    },
    {
      name: 'INSERT ... RETURNING: ON CONFLICT goes before RETURNING',
      code: 'insert into a values (1)\n  returning id, (select 1);',
      errors: [{ line: 1, column: 1, endLine: 2, endColumn: 27, message: 'INSERT without ON CONFLICT', fixes: 1 }],
      output: 'insert into a values (1) ON CONFLICT DO NOTHING\n  returning id, (select 1);',
    },
    {
      name: 'the range starts at the first token, not at the comments before it',
      code: '-- a comment\n/* another\n   one */   create table a (id int)   ;\n',
      errors: [{ line: 3, column: 13, endLine: 3, endColumn: 36 }],
      output: '-- a comment\n/* another\n   one */   create table IF NOT EXISTS a (id int)   ;\n',
    },
    {
      name: 'non-ASCII text before a finding does not shift it (columns in UTF-16 units)',
      code: '-- café ☕ naïve 😀\n/* 😀 */ create table "Été" (id int); insert into "Été" values (1);',
      errors: [
        { line: 2, column: 10, endLine: 2, endColumn: 37, text: 'create table "Été" (id int)' },
        { line: 2, column: 39, endLine: 2, endColumn: 67, text: 'insert into "Été" values (1)' },
      ],
      output: '-- café ☕ naïve 😀\n/* 😀 */ create table IF NOT EXISTS "Été" (id int); insert into "Été" values (1) ON CONFLICT DO NOTHING;',
    },
    {
      name: 'graphile placeholders are no obstacle',
      files: {
        '.gmrc': "{ placeholders: { ':DATABASE_VISITOR': 'visitor' } }",
        'migrations/current.sql': 'grant select on a to :DATABASE_VISITOR;\ncreate table b (owner text default :DATABASE_OWNER);\n',
      },
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 52 }],
      output: { 'migrations/current.sql': 'grant select on a to :DATABASE_VISITOR;\ncreate table IF NOT EXISTS b (owner text default :DATABASE_OWNER);\n' },
    },
    {
      name: 'a statement after a broken one is still checked',
      code: 'create tabel x (id int);\ninsert into a values (1);',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 25 }],
    },
    {
      name: 'a finding inside an included fixture is reported in the fixture, at its line',
      files: {
        'migrations/current.sql': '-- header\n--!include functions.sql\ncreate table if not exists t (id int);\n--!include data/seed.sql\n',
        'migrations/fixtures/functions.sql': '\n\n  create function f() returns int language sql as $$ select 1 $$;\n',
        'migrations/fixtures/data/seed.sql': 'select 1;\ninsert into t values (1);\n',
      },
      errors: [
        { file: 'migrations/fixtures/data/seed.sql', line: 2, column: 1, endLine: 2, endColumn: 25, message: 'INSERT' },
        { file: 'migrations/fixtures/functions.sql', line: 3, column: 3, endLine: 3, endColumn: 65, message: 'CREATE FUNCTION' },
      ],
      output: {
        'migrations/fixtures/functions.sql': '\n\n  create OR REPLACE function f() returns int language sql as $$ select 1 $$;\n',
        'migrations/fixtures/data/seed.sql': 'select 1;\ninsert into t values (1) ON CONFLICT DO NOTHING;\n',
      },
    },
    {
      // A fixture exists to be included into current.sql (again, whenever it changes), so it is checked even while
      // nothing includes it.
      name: 'a fixture that nothing includes yet is checked on its own',
      files: { 'migrations/current.sql': '', 'migrations/fixtures/functions.sql': 'create function f() returns int language sql as $$ select 1 $$;\n' },
      errors: [{ file: 'migrations/fixtures/functions.sql', line: 1, column: 1, endLine: 1, endColumn: 63 }],
      output: { 'migrations/fixtures/functions.sql': 'create OR REPLACE function f() returns int language sql as $$ select 1 $$;\n' },
    },
    {
      name: 'a fixture included twice reports once',
      files: {
        'migrations/current.sql': '--!include f.sql\n--!include f.sql\n',
        'migrations/fixtures/f.sql': 'insert into t values (1);',
      },
      errors: [{ file: 'migrations/fixtures/f.sql', line: 1, column: 1, endLine: 1, endColumn: 25 }],
    },
    {
      name: 'files of a current/ folder are checked',
      files: {
        'migrations/current/001-first.sql': 'create table if not exists a (id int);\n',
        'migrations/current/002-second.sql': 'drop table b;\n',
      },
      errors: [{ file: 'migrations/current/002-second.sql', line: 1, column: 1, endLine: 1, endColumn: 13 }],
      output: { 'migrations/current/002-second.sql': 'drop table IF EXISTS b;\n' },
    },
    {
      name: 'severity from pgmig.json',
      files: { 'pgmig.json': '{ "rules": { "non-idempotent-statement": "warning" } }', 'migrations/current.sql': 'drop table b;' },
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 13, severity: 'warning' }],
    },
  ],
});
