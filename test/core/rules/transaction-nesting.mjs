import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile, numbered } from '../safetyFixtures.mjs';

ruleTester('transaction-nesting', {
  valid: [
    { name: 'graphile --! no-transaction may manage its own', files: graphile('--! no-transaction\nbegin;\nselect 1;\ncommit;\n') },
    { name: 'numbered: a file that wraps itself', files: numbered({ '001_a.sql': 'BEGIN;\ncreate table a (id int);\nCOMMIT;\n' }) },
  ],
  invalid: [
    {
      name: 'graphile current.sql: BEGIN and COMMIT; the fix removes them',
      files: graphile('begin;\nalter table orders add column if not exists a int;\ncommit;\n'),
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 6, message: /BEGIN in a migration that graphile-migrate already runs in a transaction/ },
        { line: 3, column: 1, endLine: 3, endColumn: 7, message: 'it commits that transaction early' },
      ],
      output: 'alter table orders add column if not exists a int;\n',
    },
    {
      name: 'drizzle: a COMMIT in the middle',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);--> statement-breakpoint\nCOMMIT;--> statement-breakpoint\nCREATE TABLE "b" ("id" int);' }),
      errors: [{ file: 'drizzle/0000_a.sql', line: 2, column: 1, endLine: 2, endColumn: 7, message: 'drizzle-kit' }],
    },
    {
      name: 'numbered: a COMMIT in a file the runner wraps',
      files: numbered({ '001_a.sql': 'create table a (id int);\ncommit;\ncreate table b (id int);\n' }),
      config: { rules: { 'migration-without-transaction': 'off' } },
      errors: [{ file: 'migrations/001_a.sql', line: 2, column: 1, endLine: 2, endColumn: 7 }],
    },
  ],
});
