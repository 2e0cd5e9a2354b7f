import { ruleTester } from '../ruleTester.mjs';
import { graphile, numbered } from '../safetyFixtures.mjs';

const types = { 'migrations/committed/000002.sql': "create type order_status as enum ('new', 'paid');\n" };

ruleTester('enum-value-used-in-same-transaction', {
  valid: [
    { name: 'used in a later migration', files: { ...graphile("update orders set status = 'shipped' where status = 'paid';\n", types), 'migrations/committed/000003.sql': "alter type order_status add value 'shipped';\n" } },
    { name: 'numbered: committed in between', files: numbered({ '001_a.sql': "BEGIN;\nCREATE TYPE s AS ENUM ('a');\nCOMMIT;\n", '002_b.sql': "BEGIN;\nALTER TYPE s ADD VALUE 'b';\nCOMMIT;\nBEGIN;\nSELECT 'b'::s;\nCOMMIT;\n" }) },
  ],
  invalid: [
    {
      name: 'graphile current.sql: one transaction',
      files: graphile("alter type order_status add value if not exists 'shipped';\nupdate orders set status = 'shipped' where status = 'paid';\n", types),
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 59, message: /uses 'shipped', which ALTER TYPE order_status ADD VALUE added in the same transaction.*unsafe use of new value/ }],
    },
    {
      name: 'even a type created in the same transaction (PostgreSQL 15 refuses it too)',
      files: graphile("create type t_status as enum ('a');\nalter type t_status add value 'b';\nselect 'b'::t_status;\n"),
      errors: [{ line: 3, column: 1, endLine: 3, endColumn: 21, message: "uses 'b'" }],
    },
  ],
});
