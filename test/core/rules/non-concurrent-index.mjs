import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile, numbered } from '../safetyFixtures.mjs';

ruleTester('non-concurrent-index', {
  valid: [
    { name: 'CONCURRENTLY, alone with --! no-transaction', files: graphile('--! no-transaction\ncreate index concurrently if not exists orders_status_idx on orders (status);\n') },
    { name: 'history: a table created earlier in current.sql is empty', files: graphile('create table if not exists t (id int);\ncreate index if not exists t_id_idx on t (id);\ndrop index if exists t_id_idx;\nreindex table t;\n') },
    { name: 'history: a table created in the same drizzle migration', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);--> statement-breakpoint\nCREATE INDEX "a_idx" ON "a" ("id");' }) },
    { name: 'an ignore comment', files: graphile('-- pgmig-ignore non-concurrent-index -- orders is small\ncreate index if not exists orders_status_idx on orders (status);\n') },
    { name: 'a table no migration created', code: 'create index if not exists x_idx on nobody_made_me (id);' },
    { name: 'committed graphile migrations are history, not reviewed', files: { ...graphile(''), 'migrations/committed/000002.sql': 'create index orders_status_idx on orders (status);\n' } },
  ],
  invalid: [
    {
      name: 'graphile current.sql alone: fix adds CONCURRENTLY and --! no-transaction',
      files: graphile('create index if not exists orders_status_idx on orders (status);\n'),
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 64, message: /CREATE INDEX on orders without CONCURRENTLY takes a SHARE lock.*--! no-transaction/, fixes: 1 }],
      output: '--! no-transaction\ncreate index CONCURRENTLY if not exists orders_status_idx on orders (status);\n',
    },
    {
      name: 'graphile current.sql that already has --! no-transaction: the fix adds CONCURRENTLY only',
      files: graphile('--! no-transaction\ndrop index orders_user_idx;\n'),
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 27, fixes: 1 }],
      output: '--! no-transaction\ndrop index CONCURRENTLY orders_user_idx;\n',
    },
    {
      name: 'DROP INDEX and REINDEX of an index earlier migrations made, among other statements: no fix',
      files: graphile('drop index if exists orders_user_idx;\nreindex index orders_user_idx;\nreindex table users;\n'),
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 37, message: /DROP INDEX orders_user_idx without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on orders/, fixes: 0 },
        { line: 2, column: 1, endLine: 2, endColumn: 30, message: 'REINDEX INDEX orders_user_idx', fixes: 0 },
        { line: 3, column: 1, endLine: 3, endColumn: 20, message: 'REINDEX TABLE users', fixes: 0 },
      ],
    },
    {
      name: 'numbered: alone in its file, the fix adds CONCURRENTLY',
      files: numbered({ '001_a.sql': 'BEGIN;\ncreate table a (id int);\nCOMMIT;\n', '002_b.sql': 'CREATE INDEX a_id ON a (id);\n' }),
      errors: [{ file: 'migrations/002_b.sql', line: 1, column: 1, endLine: 1, endColumn: 28, fixes: 1 }],
      output: { 'migrations/002_b.sql': 'CREATE INDEX CONCURRENTLY a_id ON a (id);\n' },
    },
    {
      name: 'drizzle: runs in a transaction, so no fix, and the message says why',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);', '0001_b.sql': 'CREATE UNIQUE INDEX "a_idx" ON "a" ("id");' }),
      errors: [{ file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 42, message: 'outside drizzle-kit migrate', fixes: 0 }],
    },
  ],
});
