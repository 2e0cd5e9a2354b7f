// column-type-change does not report the changes PostgreSQL makes without a rewrite or a check of the values (each
// is checked on a real PostgreSQL in test/core/pgBehaviour.test.mjs).
import { ruleTester } from '../ruleTester.mjs';
import { graphile } from '../safetyFixtures.mjs';

ruleTester('column-type-change', {
  valid: [
    { name: 'varchar(20) to varchar(50), to varchar, to text', files: graphile('alter table orders alter column note type varchar(50);\nalter table orders alter column note type varchar;\nalter table orders alter column note type text;\n') },
    { name: 'numeric(10,2) to numeric(12,2) and to numeric', files: graphile('alter table orders alter column total type numeric(12,2);\nalter table orders alter column total type numeric;\n') },
    { name: 'cidr to inet; text to varchar without a limit', files: graphile('alter table orders alter column net type inet;\nalter table orders alter column status type varchar;\n') },
    { name: 'the old type followed through a column rename', files: { ...graphile('alter table orders alter column remark type text;\n'), 'migrations/committed/000002.sql': 'alter table orders rename column note to remark;\n' } },
  ],
  invalid: [
    {
      name: 'narrower, other scale, other type, or with USING',
      files: graphile('alter table orders alter column note type varchar(10);\nalter table orders alter column total type numeric(12,3);\nalter table orders alter column status type int using status::int;\nalter table orders alter column net type text;\n'),
      errors: [
        { line: 1, column: 1, endLine: 1, endColumn: 54, message: 'to varchar(10)' },
        { line: 2, column: 1, endLine: 2, endColumn: 57, message: 'to numeric(12,3)' },
        { line: 3, column: 1, endLine: 3, endColumn: 66, message: 'to integer' },
        { line: 4, column: 1, endLine: 4, endColumn: 46, message: 'to text' },
      ],
    },
  ],
});
