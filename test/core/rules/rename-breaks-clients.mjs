import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile } from '../safetyFixtures.mjs';

ruleTester('rename-breaks-clients', {
  valid: [
    { name: 'history: a table and view created earlier in current.sql', files: graphile('create table if not exists t (id int);\nalter table t rename column id to key;\nalter table t rename to t2;\ncreate or replace view v as select 1 as x;\nalter view v rename to w;\n') },
    { name: 'history: created in the same drizzle migration', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);--> statement-breakpoint\nALTER TABLE "a" RENAME COLUMN "id" TO "key";' }) },
    { name: 'renaming other things (an index)', files: graphile('alter index orders_user_idx rename to orders_user_id_idx;\n') },
  ],
  invalid: [
    {
      name: 'table, column and view of earlier migrations',
      files: graphile('alter table orders rename column note to remark;\nalter table users rename to members;\nalter view order_totals rename to order_sums;\n'),
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 48, message: /renames column orders.note to remark: application code that is running/ },
        { line: 2, column: 1, endLine: 2, endColumn: 36, message: 'renames table users to members' },
        { line: 3, column: 1, endLine: 3, endColumn: 45, message: 'renames view order_totals to order_sums' },
      ],
    },
  ],
});
