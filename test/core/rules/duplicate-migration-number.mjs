// duplicate-migration-number: two numbered files (or two Drizzle journal tags) with the same number, e.g. after two
// branches each added `002_...`. Reported on each of them, naming the other.
import { ruleTester } from '../ruleTester.mjs';

const numbered = (files) => ({ '.gmrc': null, ...files });
const journal = (tags) => JSON.stringify({ version: '7', dialect: 'postgresql', entries: tags.map((tag, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true })) });
const drizzle = (files) => ({ '.gmrc': null, 'drizzle/meta/_journal.json': journal(Object.keys(files).map((f) => f.replace(/\.sql$/, ''))), ...Object.fromEntries(Object.entries(files).map(([f, t]) => [`drizzle/${f}`, t])) });
const tx = (sql) => `begin;\n${sql}\ncommit;\n`;

ruleTester('duplicate-migration-number', {
  valid: [
    { name: 'numbers in sequence', files: numbered({ 'migrations/001_a.sql': tx('create table a (id int);'), 'migrations/002_b.sql': tx('create table b (id int);'), 'migrations/rollback-002.sql': 'drop table b;\n' }) },
    { name: 'gaps are fine', files: numbered({ 'migrations/001_a.sql': tx('select 1;'), 'migrations/010_b.sql': tx('select 1;') }) },
    { name: 'drizzle: distinct tags', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);', '0001_b.sql': 'CREATE TABLE "b" ("id" int);' }) },
    { name: 'graphile-migrate is not checked', files: { 'migrations/committed/000001.sql': 'create table a (id int);\n', 'migrations/current.sql': '' } },
  ],
  invalid: [
    {
      name: 'two 002 files: each reported, naming the other',
      files: numbered({
        'migrations/001_accounts.sql': tx('create table accounts (id int);'),
        'migrations/002_create_invoices.sql': '-- invoices\n' + tx('create table invoices (id int);'),
        'migrations/rollback-002.sql': 'drop table invoices;\n',
        'migrations/002_z_tags.sql': '-- tags\n' + tx('create table tags (id int);'),
      }),
      errors: [
        { file: 'migrations/002_create_invoices.sql', line: 1, column: 1, endLine: 1, endColumn: 12, severity: 'error', message: 'migration number 2 is also used by 002_z_tags.sql' },
        { file: 'migrations/002_z_tags.sql', line: 1, column: 1, endLine: 1, endColumn: 8, message: 'also used by 002_create_invoices.sql: pgmig migrate and rollback refuse' },
      ],
    },
    {
      name: 'the same number written with other zero padding',
      files: numbered({ 'migrations/2_a.sql': tx('select 1;'), 'migrations/002_b.sql': tx('select 1;') }),
      errors: [
        { file: 'migrations/002_b.sql', line: 1, column: 1, endLine: 1, endColumn: 7, message: 'also used by 2_a.sql' },
        { file: 'migrations/2_a.sql', line: 1, column: 1, endLine: 1, endColumn: 7, message: 'also used by 002_b.sql' },
      ],
    },
    {
      name: 'drizzle: two journals merged from branches, both 0001',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);', '0001_b.sql': 'CREATE TABLE "b" ("id" int);', '0001_c.sql': 'CREATE TABLE "c" ("id" int);' }),
      errors: [
        { file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 29, message: 'also used by 0001_c.sql' },
        { file: 'drizzle/0001_c.sql', line: 1, column: 1, endLine: 1, endColumn: 29, message: 'also used by 0001_b.sql' },
      ],
    },
  ],
});
