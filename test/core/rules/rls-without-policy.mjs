// rls-without-policy: row level security on and no policy means only the owner sees any row.
import { ruleTester } from '../ruleTester.mjs';

const table = 'create table if not exists a (id int);\n';

ruleTester('rls-without-policy', {
  valid: [
    table + 'alter table a enable row level security;\ndrop policy if exists p on a;\ncreate policy p on a using (true);',
    { name: 'the policy comes before ENABLE', code: table + 'drop policy if exists p on a;\ncreate policy p on a using (true);\nalter table a enable row level security;' },
    { name: 'the policy is in a later file', files: { 'migrations/committed/000001.sql': table + 'alter table a enable row level security;', 'migrations/current.sql': 'drop policy if exists p on a;\ncreate policy p on a using (true);' } },
    { name: 'the policy follows a renamed table', code: table + 'alter table a enable row level security;\nalter table a rename to b;\ndrop policy if exists p on b;\ncreate policy p on b using (true);' },
    { name: 'no ENABLE at all (that is missing-rls)', code: table },
    { name: 'disabled again', code: table + 'alter table a enable row level security;\nalter table a disable row level security;' },
    { name: 'excluded schema', code: 'create table if not exists graphile_migrate.x (id int);\nalter table graphile_migrate.x enable row level security;' },
    { name: 'dropped table', code: table + 'alter table a enable row level security;\ndrop table if exists a;' },
  ],
  invalid: [
    {
      code: table + 'alter table a enable row level security;',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 40, text: 'alter table a enable row level security', message: 'row level security is enabled on a but it has no policy', fixes: 0 }],
    },
    {
      name: 'the only policy is dropped later',
      code: table + 'alter table a enable row level security;\ncreate policy p on a using (true);\ndrop policy if exists p on a;',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 40 }],
    },
    {
      name: 'a policy on another table does not count',
      code: table + 'create table if not exists "A" (id int);\nalter table a enable row level security;\nalter table "A" enable row level security;\ncreate policy p on "A" using (true);',
      errors: [{ line: 3, column: 1, endLine: 3, endColumn: 40, message: 'enabled on a ' }],
    },
    {
      name: 'enabled inside a DO block: reported at that statement',
      code: table + 'do $$\nbegin\n  alter table a enable row level security;\nend $$;',
      errors: [{ line: 4, column: 3, endLine: 4, endColumn: 42 }],
    },
    {
      name: 'enabled in a committed migration',
      files: { 'migrations/committed/000001.sql': table + 'alter table app.t enable row level security;\ncreate table app.t (id int);\nalter table app.t enable row level security;', 'migrations/current.sql': '' },
      errors: [{ file: 'migrations/committed/000001.sql', line: 7, column: 1, endLine: 7, endColumn: 44, severity: 'warning' }],
    },
  ],
});
