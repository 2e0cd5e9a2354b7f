import { ruleTester } from '../ruleTester.mjs';
import { graphile, numbered } from '../safetyFixtures.mjs';

ruleTester('validate-in-same-transaction', {
  valid: [
    { name: 'validated in a later migration', files: { ...graphile('alter table orders validate constraint orders_user_fk;\n'), 'migrations/committed/000002.sql': 'alter table orders add constraint orders_user_fk foreign key (user_id) references users (id) not valid;\n' } },
    { name: 'numbered: separate transactions in one file', files: numbered({ '001_a.sql': 'BEGIN;\ncreate table a (id int);\nCOMMIT;\n', '002_b.sql': 'BEGIN;\nALTER TABLE a ADD CONSTRAINT a_id CHECK (id > 0) NOT VALID;\nCOMMIT;\nBEGIN;\nALTER TABLE a VALIDATE CONSTRAINT a_id;\nCOMMIT;\n' }) },
    { name: 'history: a table created earlier in current.sql', files: graphile('create table if not exists t (id int);\nalter table t add constraint t_id check (id > 0) not valid;\nalter table t validate constraint t_id;\n') },
  ],
  invalid: [
    {
      name: 'graphile current.sql: one transaction',
      files: graphile('alter table orders add constraint orders_user_fk foreign key (user_id) references users (id) not valid;\nalter table orders validate constraint orders_user_fk;\n'),
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 54, message: 'validates orders_user_fk of orders in the same transaction' }],
    },
  ],
});
