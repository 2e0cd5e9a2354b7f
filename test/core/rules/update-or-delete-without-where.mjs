import { ruleTester } from '../ruleTester.mjs';
import { drizzle, graphile } from '../safetyFixtures.mjs';

ruleTester('update-or-delete-without-where', {
  valid: [
    { name: 'with WHERE', files: graphile("update orders set status = 'new' where status is null;\ndelete from users where name is null;\n") },
    { name: 'history: a table created earlier in current.sql', files: graphile('create table if not exists t (id int);\nupdate t set id = 1;\ndelete from t;\n') },
    { name: 'history: created in the same drizzle migration', files: drizzle({ '0000_a.sql': 'CREATE TABLE "a" ("id" int);--> statement-breakpoint\nDELETE FROM "a";' }) },
  ],
  invalid: [
    {
      name: 'UPDATE and DELETE of every row of earlier tables',
      files: graphile("update orders set status = 'new';\ndelete from users;\n"),
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 33, message: /updates every row of orders \(no WHERE\)/ },
        { line: 2, column: 1, endLine: 2, endColumn: 18, message: 'deletes every row of users' },
      ],
    },
  ],
});
