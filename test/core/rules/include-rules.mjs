// include-not-found, include-cycle, include-outside-fixtures: the `--!include` problems graphile-migrate refuses to
// compile. Reported at the path in the directive; a broken directive does not stop the rest from being analysed.
import { ruleTester } from '../ruleTester.mjs';

ruleTester('include-not-found', {
  valid: [
    { files: { 'migrations/current.sql': '--!include a.sql\n', 'migrations/fixtures/a.sql': 'select 1;' } },
    { name: 'nested folders resolve from the fixtures root', files: { 'migrations/current.sql': '--!include sub/a.sql\n', 'migrations/fixtures/sub/a.sql': '--!include sub/b.sql', 'migrations/fixtures/sub/b.sql': 'select 1;' } },
    { name: 'not a directive: not at the start of a line, or not a .sql path', code: '  --!include missing.sql\n--!include missing.txt\n-- !include missing.sql\n' },
    { name: 'committed migrations are not expanded', files: { 'migrations/committed/000001.sql': '--!include missing.sql\nselect 1;', 'migrations/current.sql': '' } },
  ],
  invalid: [
    {
      files: { 'migrations/current.sql': 'select 1;\n--!include   missing.sql  \nselect 2;\n', 'migrations/fixtures/other.sql': '' },
      errors: [{ line: 2, column: 14, endLine: 2, endColumn: 25, text: 'missing.sql', message: "fixture 'missing.sql' not found" }],
    },
    {
      name: 'no fixtures folder at all',
      code: '--!include a.sql\n',
      errors: [{ line: 1, column: 12, endLine: 1, endColumn: 17, message: 'the fixtures folder' }],
    },
    {
      name: 'in a nested fixture: reported in that fixture, and the rest of current is still analysed',
      files: {
        'migrations/current.sql': '--!include a.sql\ncreate table b (id int);\n',
        'migrations/fixtures/a.sql': 'select 1;\n--!include gone/b.sql\n',
      },
      errors: [{ file: 'migrations/fixtures/a.sql', line: 2, column: 12, endLine: 2, endColumn: 22, text: 'gone/b.sql' }],
    },
    {
      name: 'in a file of current/',
      files: { 'migrations/current/001.sql': 'select 1;\n', 'migrations/current/002-x.sql': '--!include nope.sql', 'migrations/fixtures/.keep': '' },
      errors: [{ file: 'migrations/current/002-x.sql', line: 1, column: 12, endLine: 1, endColumn: 20 }],
    },
  ],
});

ruleTester('include-cycle', {
  valid: [
    { name: 'the same fixture twice in a row is no cycle', files: { 'migrations/current.sql': '--!include a.sql\n--!include a.sql\n', 'migrations/fixtures/a.sql': '--!include b.sql', 'migrations/fixtures/b.sql': 'select 1;' } },
  ],
  invalid: [
    {
      name: 'a fixture that includes itself',
      files: { 'migrations/current.sql': '--!include a.sql\n', 'migrations/fixtures/a.sql': 'select 1;\n--!include a.sql\n' },
      errors: [{ file: 'migrations/fixtures/a.sql', line: 2, column: 12, endLine: 2, endColumn: 17, message: 'circular include: a.sql -> a.sql' }],
    },
    {
      name: 'the message shows the chain',
      files: {
        'migrations/current.sql': 'select 0;\n--!include a.sql\n',
        'migrations/fixtures/a.sql': '--!include sub/b.sql\n',
        'migrations/fixtures/sub/b.sql': '--!include c.sql\n',
        'migrations/fixtures/c.sql': 'select 1;\n--!include a.sql\n',
      },
      errors: [{ file: 'migrations/fixtures/c.sql', line: 2, column: 12, endLine: 2, endColumn: 17, message: 'circular include: a.sql -> sub/b.sql -> c.sql -> a.sql' }],
    },
  ],
});

ruleTester('include-outside-fixtures', {
  valid: [
    { name: 'a symbolic link that stays inside fixtures', files: { 'migrations/current.sql': '--!include link.sql\n', 'migrations/fixtures/real/a.sql': 'select 1;', 'migrations/fixtures/link.sql': { symlink: 'migrations/fixtures/real/a.sql' } } },
    { name: '.. that comes back inside', files: { 'migrations/current.sql': '--!include sub/../a.sql\n', 'migrations/fixtures/a.sql': 'select 1;', 'migrations/fixtures/sub/.keep': '' } },
  ],
  invalid: [
    {
      name: 'a relative path out of fixtures',
      files: { 'migrations/current.sql': '--!include ../committed/000001.sql\n', 'migrations/committed/000001.sql': 'select 1;', 'migrations/fixtures/.keep': '' },
      errors: [{ line: 1, column: 12, endLine: 1, endColumn: 35, text: '../committed/000001.sql', message: 'outside the fixtures folder' }],
    },
    {
      name: 'a symbolic link out of fixtures is outside too',
      files: { 'migrations/current.sql': 'select 1;\n--!include link.sql\n', 'secret.sql': 'select 2;', 'migrations/fixtures/link.sql': { symlink: 'secret.sql' } },
      errors: [{ line: 2, column: 12, endLine: 2, endColumn: 20, text: 'link.sql', message: 'through a symbolic link' }],
    },
    {
      name: 'a symbolic link to a folder out of fixtures',
      files: { 'migrations/current.sql': '--!include shared/x.sql\n', 'elsewhere/x.sql': 'select 2;', 'migrations/fixtures/shared': { symlink: 'elsewhere' } },
      errors: [{ line: 1, column: 12, endLine: 1, endColumn: 24, text: 'shared/x.sql', message: 'outside the fixtures folder' }],
    },
  ],
});
