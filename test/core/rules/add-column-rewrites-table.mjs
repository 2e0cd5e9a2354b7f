import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile } from '../safetyFixtures.mjs';

ruleTester('add-column-rewrites-table', {
  valid: [
    { name: 'constant and stable defaults do not rewrite (PostgreSQL 11+)', files: graphile("alter table orders add column if not exists a int default 0, add column if not exists b text default 'x', add column if not exists c timestamptz default now(), add column if not exists d int;\n") },
    { name: 'a LANGUAGE sql function PostgreSQL may inline', files: graphile("create or replace function h() returns int language sql as 'select 1';\nalter table orders add column if not exists e int default h();\n") },
    { name: 'a function declared STABLE', files: graphile("create or replace function f() returns int language sql stable as 'select 1';\nalter table orders add column if not exists e int default f();\n") },
    { name: 'history: a table created earlier in current.sql', files: graphile('create table if not exists t (id int);\nalter table t add column if not exists u uuid default gen_random_uuid();\n') },
    { name: 'history: created in the same drizzle migration', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);--> statement-breakpoint\nALTER TABLE "a" ADD COLUMN "n" serial;' }) },
  ],
  invalid: [
    {
      name: 'volatile default, serial, identity, stored generated, a VOLATILE user function',
      files: graphile("create or replace function g() returns int language plpgsql as 'begin return 1; end';\nalter table orders add column if not exists u uuid default gen_random_uuid();\nalter table orders add column if not exists n bigserial;\nalter table orders add column if not exists i int generated always as identity;\nalter table orders add column if not exists t numeric generated always as (total * 2) stored;\nalter table orders add column if not exists v int default g();\n"),
      errors: [
        { line: 2, column: 1, endLine: 2, endColumn: 77, message: /adds column u to orders, and its default gen_random_uuid\(\) is volatile.*ACCESS EXCLUSIVE/ },
        { line: 3, column: 1, endLine: 3, endColumn: 56, message: 'its type bigserial fills every row from a sequence' },
        { line: 4, column: 1, endLine: 4, endColumn: 79, message: 'an identity column fills every row' },
        { line: 5, column: 1, endLine: 5, endColumn: 93, message: 'a STORED generated column' },
        { line: 6, column: 1, endLine: 6, endColumn: 62, message: 'its default g() is volatile' },
      ],
    },
  ],
});
