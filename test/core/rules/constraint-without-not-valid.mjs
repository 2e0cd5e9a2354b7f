import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile } from '../safetyFixtures.mjs';

ruleTester('constraint-without-not-valid', {
  valid: [
    { name: 'NOT VALID', files: graphile('alter table orders add constraint orders_user_fk foreign key (user_id) references users (id) not valid;\n') },
    { name: 'history: a table created earlier in current.sql', files: graphile('create table if not exists t (id int, u int);\nalter table t add constraint t_u check (u > 0);\n') },
    { name: 'history: created in the same drizzle migration', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int, "b" int);--> statement-breakpoint\nALTER TABLE "a" ADD CONSTRAINT "a_b" CHECK ("b" > 0);' }) },
    { name: 'other constraints are other rules', files: graphile('alter table orders add constraint orders_status_key unique (status);\n') },
  ],
  invalid: [
    {
      name: 'foreign key on an existing table: fix adds NOT VALID',
      files: graphile('alter table orders add constraint orders_user_fk foreign key (user_id) references users (id);\n'),
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 93, message: /adds foreign key orders_user_fk to orders without NOT VALID.*SHARE ROW EXCLUSIVE/, fixes: 1 }],
      output: 'alter table orders add constraint orders_user_fk foreign key (user_id) references users (id) NOT VALID;\n',
    },
    {
      name: 'a column added with an inline REFERENCES: no mechanical fix (column constraints cannot be NOT VALID)',
      files: graphile('alter table orders add column if not exists buyer_id int references users (id);\n'),
      errors: [{ line: 1, column: 1, endLine: 1, endColumn: 79, message: 'adds foreign key to orders without NOT VALID', fixes: 0 }],
    },
    {
      name: 'drizzle check constraint',
      files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int, "b" int);', '0001_b.sql': 'ALTER TABLE "a" ADD CONSTRAINT "a_b" CHECK ("b" > 0);' }),
      errors: [{ file: 'drizzle/0001_b.sql', line: 1, column: 1, endLine: 1, endColumn: 53, message: 'check constraint a_b' }],
      output: { 'drizzle/0001_b.sql': 'ALTER TABLE "a" ADD CONSTRAINT "a_b" CHECK ("b" > 0) NOT VALID;' },
    },
  ],
});
