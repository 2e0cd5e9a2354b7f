import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile, numbered } from '../safetyFixtures.mjs';

ruleTester('missing-lock-timeout', {
  valid: [
    { name: 'SET lock_timeout first', files: graphile("set lock_timeout = '3s';\nalter table orders add column if not exists a int;\n") },
    { name: 'SET LOCAL lock_timeout inside BEGIN', files: numbered({ '001_a.sql': 'BEGIN;\ncreate table a (id int);\nCOMMIT;\n', '002_b.sql': "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE a ADD COLUMN b int;\nCOMMIT;\n" }) },
    { name: 'an ignore comment', files: graphile('-- pgmig-ignore missing-lock-timeout -- the runner sets it\nalter table orders add column if not exists a int;\n') },
    { name: 'severity off in pgmig.json', files: { ...graphile('alter table orders add column if not exists a int;\n'), 'pgmig.json': '{ "rules": { "missing-lock-timeout": "off" } }' } },
    { name: 'pgmig.json says the runner sets it', files: { ...graphile('alter table orders add column if not exists a int;\n'), 'pgmig.json': '{ "runnerSetsLockTimeout": true }' } },
    { name: 'history: only tables created earlier in current.sql', files: graphile('create table if not exists t (id int);\nalter table t add column if not exists a int;\ncreate index if not exists t_a on t (a);\n') },
    { name: 'locks that block neither reads nor writes', files: graphile('alter table orders validate constraint orders_user_fk;\ncreate index concurrently if not exists x on orders (note);\n') },
  ],
  invalid: [
    {
      name: 'severity from pgmig.json',
      files: { ...graphile('alter table orders add column if not exists a int;\n'), 'pgmig.json': '{ "rules": { "missing-lock-timeout": "error" } }' },
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 50, severity: 'error' }],
    },
    {
      name: 'graphile: once per migration, at the first locking statement; fix goes after --! headers',
      files: graphile("--! no-transaction\nselect 1;\nalter table orders add column if not exists a int;\ntruncate users;\nset lock_timeout = '1s';\n"),
      errors: [{ line: 3, column: 1, endLine: 3, endColumn: 50, message: /takes a lock that blocks orders.*SET lock_timeout/, fixes: 1 }],
      output: "--! no-transaction\nSET lock_timeout = '5s';\n\nselect 1;\nalter table orders add column if not exists a int;\ntruncate users;\nset lock_timeout = '1s';\n",
    },
    {
      name: 'a new table with a foreign key locks the referenced table; drizzle fix adds a breakpoint',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int PRIMARY KEY);', '0001_b.sql': 'CREATE TABLE "b" ("a_id" int REFERENCES "a" ("id"));' }),
      errors: [{ file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 52, message: 'blocks a (created by an earlier migration)' }],
      output: { 'drizzle/0001_b.sql': "SET lock_timeout = '5s';--> statement-breakpoint\nCREATE TABLE \"b\" (\"a_id\" int REFERENCES \"a\" (\"id\"));" },
    },
    {
      name: 'each migration on its own; triggers and policies lock too',
      files: numbered({ '001_a.sql': 'create table a (id int);\n', '002_b.sql': 'create trigger t before insert on a for each row execute function f();\n', '003_c.sql': 'create policy p on a using (true);\n' }),
      config: { rules: { 'migration-without-transaction': 'off' } },
      errors: [
        { file: 'migrations/002_b.sql', line: 1, column: 1, endLine: 1, endColumn: 70 },
        { file: 'migrations/003_c.sql', line: 1, column: 1, endLine: 1, endColumn: 34 },
      ],
    },
  ],
});
