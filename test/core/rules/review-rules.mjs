// drop-loses-data, column-type-change, not-null-without-default: the review points of generated migrations. They
// look at every migration of numbered and Drizzle projects and at current.sql of graphile-migrate projects, and
// only at tables earlier migrations created (a table the script creates itself holds no data yet).
import { ruleTester } from '../ruleTester.mjs';

const journal = (tags) => JSON.stringify({ version: '7', dialect: 'postgresql', entries: tags.map((tag, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true })) });
/** A Drizzle project: drizzle/NNNN_x.sql files (in journal order) and the journal. */
const drizzle = (files) => ({ '.gmrc': null, 'drizzle/meta/_journal.json': journal(Object.keys(files).map((f) => f.replace(/\.sql$/, ''))), ...Object.fromEntries(Object.entries(files).map(([f, t]) => [`drizzle/${f}`, t])) });
const history = { 'migrations/committed/000001.sql': 'create table a (id int primary key, b text, c int);\n' };

ruleTester('drop-loses-data', {
  valid: [
    { name: 'a table current.sql created itself (the reset idiom)', files: { ...history, 'migrations/current.sql': 'drop table if exists t;\ncreate table t (id int);\ndrop table t;\n' } },
    { name: 'a table no migration created', code: 'drop table if exists nobody_made_me;' },
    { name: 'committed graphile migrations are not reviewed', files: { 'migrations/committed/000001.sql': 'create table a (id int);\n', 'migrations/committed/000002.sql': 'drop table a;\n', 'migrations/current.sql': '' } },
    { name: 'drizzle: drop of a column of a table created in the same migration', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int, "x" int);--> statement-breakpoint\nALTER TABLE "a" DROP COLUMN "x";' }) },
  ],
  invalid: [
    {
      name: 'graphile current.sql: drop table and drop column of committed tables',
      files: { ...history, 'migrations/current.sql': 'alter table a drop column if exists b;\ndrop table if exists a cascade;\n' },
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 38, message: 'drops column b of a and its data' },
        { line: 2, column: 1, endLine: 2, endColumn: 31, message: 'drops table a and every row in it' },
      ],
    },
    {
      name: 'drizzle: a DROP COLUMN after a breakpoint, positions exact',
      files: drizzle({ '0000_init.sql': 'CREATE TABLE "users" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"name" text\n);', '0001_drop.sql': 'ALTER TABLE "users" ADD COLUMN "x" int;--> statement-breakpoint\nALTER TABLE "users" DROP COLUMN "name";' }),
      errors: [{ file: 'drizzle/0001_drop.sql', line: 2, column: 1, endLine: 2, endColumn: 39, text: 'ALTER TABLE "users" DROP COLUMN "name"', severity: 'warning' }],
    },
    {
      name: 'numbered: truncate, and drop schema cascade of a schema with tables',
      files: { '.gmrc': null, 'migrations/001_a.sql': 'begin;\ncreate schema s;\ncreate table s.t (id int);\ncommit;\n', 'migrations/002_b.sql': 'begin;\ntruncate s.t;\ndrop schema s cascade;\ndrop schema empty cascade;\ncommit;\n' },
      config: { rules: { 'non-idempotent-statement': 'off' } },
      errors: [
        { file: 'migrations/002_b.sql', line: 2, column: 1, endLine: 2, endColumn: 13, message: 'truncates s.t' },
        { file: 'migrations/002_b.sql', line: 3, column: 1, endLine: 3, endColumn: 22, message: 'drops schema s with CASCADE' },
      ],
    },
    {
      name: 'CREATE TABLE IF NOT EXISTS of a committed table changes nothing: its data is still there',
      files: { ...history, 'migrations/current.sql': 'create table if not exists a (id int primary key);\nalter table a drop column if exists c;\n' },
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 38, message: 'drops column c of a' }],
    },
    {
      name: 'a table an earlier migration dropped is gone: only that drop reports',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);', '0001_b.sql': 'DROP TABLE "a";', '0002_c.sql': 'DROP TABLE IF EXISTS "a";' }),
      errors: [{ file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 15 }],
    },
    {
      name: 'a table created in an earlier migration, renamed since, is still known',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);', '0001_b.sql': 'ALTER TABLE "a" RENAME TO "b";', '0002_c.sql': 'DROP TABLE "b";' }),
      errors: [{ file: 'drizzle/0002_c.sql', line: 1, column: 1, endLine: 1, endColumn: 15 }],
    },
  ],
});

ruleTester('column-type-change', {
  valid: [
    { name: 'a table created in the same script', code: 'create table if not exists t (id int);\nalter table t alter column id type bigint;' },
    { name: 'other ALTER TABLE commands', files: { ...history, 'migrations/current.sql': 'alter table a alter column c set default 1;' } },
  ],
  invalid: [
    {
      name: 'graphile current.sql, with and without USING',
      files: { ...history, 'migrations/current.sql': 'alter table a alter column c type bigint;\nalter table a alter column b type int using b::int;\n' },
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 41, message: 'changes the type of a.c to bigint (no USING clause' },
        { line: 2, column: 1, endLine: 2, endColumn: 51, message: /changes the type of a\.b to integer: existing values must convert/ },
      ],
    },
    {
      name: 'drizzle SET DATA TYPE',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "p" ("views" text);', '0001_b.sql': 'ALTER TABLE "p" ALTER COLUMN "views" SET DATA TYPE integer USING "views"::integer;' }),
      errors: [{ file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 82 }],
    },
  ],
});

ruleTester('not-null-without-default', {
  valid: [
    { name: 'with a DEFAULT, identity or serial', files: { ...history, 'migrations/current.sql': 'alter table a add column if not exists d int not null default 0;\nalter table a add column if not exists e int generated always as identity;\nalter table a add column if not exists f bigserial;\n' } },
    { name: 'SET NOT NULL after a backfill in the same migration', files: { ...history, 'migrations/current.sql': "update a set b = '' where b is null;\nalter table a alter column b set not null;\n" } },
    { name: 'a table created in the same script', code: 'create table if not exists t (id int);\nalter table t add column if not exists x int not null;\nalter table t alter column id set not null;' },
    { name: 'nullable column', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);', '0001_b.sql': 'ALTER TABLE "a" ADD COLUMN "x" text;' }) },
  ],
  invalid: [
    {
      name: 'drizzle: NOT NULL column without default, and SET NOT NULL without backfill',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int, "y" int);', '0001_b.sql': 'ALTER TABLE "a" ADD COLUMN "x" text NOT NULL;--> statement-breakpoint\nALTER TABLE "a" ALTER COLUMN "y" SET NOT NULL;' }),
      errors: [
        { file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 45, message: 'adds NOT NULL column x to a without a DEFAULT' },
        { file: 'drizzle/0001_b.sql', line: 2, column: 1, endLine: 2, endColumn: 46, message: 'sets a.y NOT NULL with no backfill' },
      ],
    },
    {
      name: 'graphile current.sql: a backfill of another column does not count',
      files: { ...history, 'migrations/current.sql': "update a set c = 0 where c is null;\nalter table a alter column b set not null;\n" },
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 42 }],
    },
  ],
});

ruleTester('alembic-multiple-heads', {
  valid: [
    { name: 'one head', files: { '.gmrc': null, 'alembic.ini': '[alembic]\nscript_location = alembic\n', 'alembic/versions/a.py': "revision = 'a'\ndown_revision = None\n", 'alembic/versions/b.py': "revision = 'b'\ndown_revision = 'a'\n" } },
    { name: 'two heads merged', files: { '.gmrc': null, 'alembic.ini': '[alembic]\nscript_location = alembic\n', 'alembic/versions/a.py': "revision = 'a'\ndown_revision = None\n", 'alembic/versions/b.py': "revision = 'b'\ndown_revision = 'a'\n", 'alembic/versions/c.py': "revision = 'c'\ndown_revision = 'a'\n", 'alembic/versions/m.py': "revision = 'm'\ndown_revision = ('b', 'c')\n" } },
  ],
  invalid: [
    {
      name: 'two branches from one revision',
      files: { '.gmrc': null, 'alembic.ini': '[alembic]\nscript_location = %(here)s/db\n', 'db/versions/a.py': "revision = 'a'\ndown_revision = None\n", 'db/versions/b.py': '"""b"""\nrevision: str = "bbb"\ndown_revision = \'a\'\n', 'db/versions/c.py': "revision = 'c'\ndown_revision = 'a'\n" },
      errors: [
        { file: 'db/versions/b.py', line: 2, column: 17, endLine: 2, endColumn: 22, text: '"bbb"', message: 'multiple heads: bbb (b.py) and c' },
        { file: 'db/versions/c.py', line: 1, column: 12, endLine: 1, endColumn: 15, text: "'c'", message: 'alembic merge heads' },
      ],
    },
  ],
});
