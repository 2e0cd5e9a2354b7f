import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile, numbered } from '../safetyFixtures.mjs';

ruleTester('concurrently-in-transaction', {
  valid: [
    { name: 'graphile: alone, with --! no-transaction', files: graphile('--! no-transaction\ncreate index concurrently if not exists orders_status_idx on orders (status);\n') },
    { name: 'numbered: alone in a file without BEGIN', files: numbered({ '001_a.sql': 'BEGIN;\ncreate table a (id int);\nCOMMIT;\n', '002_b.sql': 'CREATE INDEX CONCURRENTLY a_id ON a (id);\n' }) },
    { name: 'REFRESH MATERIALIZED VIEW CONCURRENTLY is allowed in a transaction', files: graphile('refresh materialized view concurrently order_totals;\n') },
    { name: 'not CONCURRENTLY', files: graphile('begin;\ncreate index if not exists orders_status_idx on orders (status);\ncommit;\n') },
  ],
  invalid: [
    {
      name: 'graphile current.sql without --! no-transaction: the runner wraps it (even for a new table)',
      files: graphile('create table if not exists t (id int);\ncreate index concurrently if not exists t_id on t (id);\n'),
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 55, message: /cannot run inside a transaction block.*graphile-migrate runs the migration in a transaction/ }],
    },
    {
      name: 'graphile --! no-transaction with other statements: an implicit transaction block',
      files: graphile('--! no-transaction\nselect 1;\ndrop index concurrently if exists orders_user_idx;\n'),
      errors: [{ line: 3, column: 1, endLine: 3, endColumn: 50, message: 'implicit transaction block' }],
    },
    {
      name: 'numbered: inside BEGIN ... COMMIT; REINDEX and DETACH PARTITION CONCURRENTLY too',
      files: numbered({ '001_a.sql': 'BEGIN;\nREINDEX TABLE CONCURRENTLY a;\nALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;\nCOMMIT;\n' }),
      errors: [
        { file: 'migrations/001_a.sql', line: 2, column: 1, endLine: 2, endColumn: 29, message: 'inside BEGIN ... COMMIT' },
        { file: 'migrations/001_a.sql', line: 3, column: 1, endLine: 3, endColumn: 47, message: 'inside BEGIN ... COMMIT' },
      ],
    },
    {
      name: 'drizzle: always in a transaction',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);', '0001_b.sql': 'CREATE INDEX CONCURRENTLY "a_idx" ON "a" ("id");' }),
      errors: [{ file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 48, message: 'drizzle-kit runs every migration in a transaction' }],
    },
  ],
});
