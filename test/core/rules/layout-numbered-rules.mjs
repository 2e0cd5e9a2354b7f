// migration-without-transaction and missing-rollback: rules of the plain numbered SQL layout
// (`migrations/NNN_name.sql` + `rollback-NNN.sql`); no `.gmrc`, so the project is detected as numbered.
import { ruleTester } from '../ruleTester.mjs';

const numbered = (files) => ({ '.gmrc': null, ...files });

ruleTester('migration-without-transaction', {
  valid: [
    numbered({ 'migrations/001_init.sql': '-- Purpose: init\nBEGIN;\ncreate table a (id int);\nCOMMIT;\n', 'migrations/rollback-001.sql': 'drop table a;' }),
    { name: 'START TRANSACTION ... END', files: numbered({ 'migrations/001_init.sql': 'start transaction;\ncreate table a (id int);\nend;\n' }) },
    { name: 'a file that cannot run in a transaction', files: numbered({ 'migrations/001_init.sql': 'begin;\ncreate table a (id int);\ncommit;\n', 'migrations/002_idx.sql': 'create index concurrently a_id on a (id);\n' }) },
    { name: 'a graphile-migrate project is not checked', files: { 'migrations/committed/000001.sql': 'create table a (id int);\n', 'migrations/current.sql': '' } },
    { name: 'an empty migration', files: numbered({ 'migrations/001_init.sql': '-- nothing yet\n' }) },
  ],
  invalid: [
    {
      name: 'no BEGIN/COMMIT: wrapped by the fix',
      files: numbered({ 'migrations/001_init.sql': '-- Purpose: init\ncreate table a (id int);\ncreate index on a (id);\n' }),
      errors: [{ file: 'migrations/001_init.sql', line: 2, column: 1, endLine: 2, endColumn: 24, severity: 'warning', message: 'does not run in a transaction' }],
      output: { 'migrations/001_init.sql': '-- Purpose: init\nBEGIN;\n\ncreate table a (id int);\ncreate index on a (id);\n\nCOMMIT;\n' },
    },
    {
      name: 'BEGIN without COMMIT; the last statement has no semicolon',
      files: numbered({ 'migrations/001_init.sql': 'begin;\ncreate table a (id int)' }),
      errors: [{ file: 'migrations/001_init.sql', line: 1, column: 1, endLine: 1, endColumn: 6 }],
      output: { 'migrations/001_init.sql': 'BEGIN;\n\nbegin;\ncreate table a (id int);\n\nCOMMIT;' },
      noNewFindings: false,
    },
  ],
});

ruleTester('missing-rollback', {
  valid: [
    numbered({ 'migrations/001_init.sql': 'begin;\ncreate table a (id int);\ncommit;\n', 'migrations/rollback-001.sql': 'drop table a;\n' }),
    { name: 'rollback file with a name after the number', files: numbered({ 'migrations/005_x.sql': 'begin;\ncommit;\n', 'migrations/rollback-005_x.sql': 'select 1;\n' }) },
    { name: 'graphile-migrate committed files have no rollback files', files: { 'migrations/committed/000001.sql': 'create table a (id int);\n', 'migrations/current.sql': '' } },
  ],
  invalid: [
    {
      name: 'the second migration has none: reported on its first line, as info',
      files: numbered({
        'migrations/001_init.sql': 'begin;\ncommit;\n',
        'migrations/rollback-001.sql': 'select 1;\n',
        'migrations/002_add_b.sql': '-- Purpose: b\nbegin;\ncommit;\n',
        'migrations/rollback-003.sql': 'select 1;\n',
      }),
      errors: [{ file: 'migrations/002_add_b.sql', line: 1, column: 1, endLine: 1, endColumn: 14, severity: 'info', message: 'no rollback-002.sql' }],
    },
  ],
});
