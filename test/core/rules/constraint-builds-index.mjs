import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile } from '../safetyFixtures.mjs';

ruleTester('constraint-builds-index', {
  valid: [
    { name: 'USING INDEX', files: graphile('alter table users add constraint users_name_key unique using index users_name_idx;\n') },
    { name: 'history: a table created earlier in current.sql', files: graphile('create table if not exists t (id int);\nalter table t add primary key (id);\n') },
    { name: 'history: created in the same drizzle migration', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);--> statement-breakpoint\nALTER TABLE "a" ADD CONSTRAINT "a_pk" PRIMARY KEY ("id");' }) },
  ],
  invalid: [
    {
      name: 'UNIQUE and EXCLUDE on existing tables',
      files: graphile('alter table users add constraint users_name_key unique (name);\nalter table orders add constraint no_overlap exclude using gist (net inet_ops with &&);\n'),
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 62, message: /adds UNIQUE to users.*CREATE UNIQUE INDEX CONCURRENTLY first/ },
        { line: 2, column: 1, endLine: 2, endColumn: 87, message: 'an exclusion constraint cannot use an existing index' },
      ],
    },
    {
      name: 'a column added with an inline UNIQUE',
      files: graphile('alter table users add column if not exists email text unique;\n'),
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 61, message: 'adds UNIQUE to users' }],
    },
    {
      name: 'drizzle PRIMARY KEY',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);', '0001_b.sql': 'ALTER TABLE "a" ADD CONSTRAINT "a_pk" PRIMARY KEY ("id");' }),
      errors: [{ file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 57, message: 'adds PRIMARY KEY to a' }],
    },
  ],
});
