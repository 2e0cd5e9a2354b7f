import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile } from '../safetyFixtures.mjs';

ruleTester('set-not-null-scans-table', {
  valid: [
    { name: 'an earlier migration added and validated CHECK (col IS NOT NULL)', files: { ...graphile('alter table orders alter column status set not null;\n'), 'migrations/committed/000002.sql': 'alter table orders add constraint orders_status_nn check (status is not null) not valid;\n', 'migrations/committed/000003.sql': 'alter table orders validate constraint orders_status_nn;\n' } },
    { name: 'a valid check added directly', files: { ...graphile('alter table orders alter column status set not null;\n'), 'migrations/committed/000002.sql': 'alter table orders add constraint orders_status_nn check (status is not null);\n' } },
    { name: 'history: a table created earlier in current.sql', files: graphile('create table if not exists t (id int);\nalter table t alter column id set not null;\n') },
    { name: 'history: created in the same drizzle migration', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);--> statement-breakpoint\nALTER TABLE "a" ALTER COLUMN "id" SET NOT NULL;' }) },
  ],
  invalid: [
    {
      name: 'no check, or a check that is NOT VALID only',
      files: { ...graphile('alter table orders alter column status set not null;\nalter table orders alter column note set not null;\n'), 'migrations/committed/000002.sql': 'alter table orders add constraint orders_note_nn check (note is not null) not valid;\n' },
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 52, message: /sets orders.status NOT NULL: PostgreSQL scans the whole table.*CHECK \(status IS NOT NULL\) NOT VALID/ },
        { line: 2, column: 1, endLine: 2, endColumn: 50, message: 'sets orders.note NOT NULL' },
      ],
    },
  ],
});
