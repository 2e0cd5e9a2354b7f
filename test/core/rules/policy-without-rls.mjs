// policy-without-rls: a policy on a table whose row level security is off does nothing.
import { ruleTester } from '../ruleTester.mjs';

const table = 'create table if not exists a (id int);\n';

ruleTester('policy-without-rls', {
  valid: [
    table + 'alter table a enable row level security;\ndrop policy if exists p on a;\ncreate policy p on a using (true);',
    { name: 'ENABLE after the policy', code: table + 'drop policy if exists p on a;\ncreate policy p on a using (true);\nalter table a enable row level security;' },
    { name: 'ENABLE in a DO block', code: table + 'drop policy if exists p on a;\ncreate policy p on a using (true);\ndo $$ begin alter table a enable row level security; end $$;' },
    { name: 'ENABLE in current for a committed policy', files: { 'migrations/committed/000001.sql': table + 'create policy p on a using (true);', 'migrations/current.sql': 'alter table a enable row level security;' } },
    { name: 'the policy is dropped again', code: table + 'create policy p on a using (true);\ndrop policy if exists p on a;' },
    { name: 'the table is dropped', code: table + 'create policy p on a using (true);\ndrop table if exists a;' },
    { name: 'a policy on a table the migrations do not create', code: 'drop policy if exists p on elsewhere;\ncreate policy p on elsewhere using (true);' },
    { name: 'excluded table', files: { 'pgmig.json': '{ "excludedTables": ["a"] }', 'migrations/current.sql': table + 'create policy p on a using (true);' } },
  ],
  invalid: [
    {
      code: table + 'drop policy if exists p on a;\ncreate policy p on a for select using (true);\n',
      errors: [{ line: 3, column: 1, endLine: 3, endColumn: 45, message: 'policy "p" has no effect: row level security is not enabled on a' }],
      output: table + 'drop policy if exists p on a;\ncreate policy p on a for select using (true);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\n',
    },
    {
      name: 'every policy of the table is reported; quoted and qualified names',
      code: 'create table if not exists app."Docs" (id int);\ncreate policy "Read" on app."Docs" using (true); create policy w on app."Docs" for insert with check (true);',
      errors: [
        { line: 2, column: 1, endLine: 2, endColumn: 48, message: 'policy "Read" has no effect: row level security is not enabled on app."Docs"' },
        { line: 2, column: 50, endLine: 2, endColumn: 108, message: 'policy "w"' },
      ],
      afterFix: [],
      output: 'create table if not exists app."Docs" (id int);\ncreate policy "Read" on app."Docs" using (true);\nALTER TABLE app."Docs" ENABLE ROW LEVEL SECURITY; create policy w on app."Docs" for insert with check (true);\nALTER TABLE app."Docs" ENABLE ROW LEVEL SECURITY;',
    },
    {
      name: 'disabled after the policy',
      code: table + 'alter table a enable row level security;\ncreate policy p on a using (true);\nalter table a disable row level security;',
      errors: [{ line: 3, column: 1, endLine: 3, endColumn: 34 }],
    },
    {
      name: 'a committed policy: the fix goes into current.sql',
      files: { 'migrations/committed/000001.sql': table + 'create policy p on a using (true);\n', 'migrations/current.sql': '-- nothing yet\n' },
      errors: [{ file: 'migrations/committed/000001.sql', line: 5, column: 1, endLine: 5, endColumn: 34 }],
      output: { 'migrations/current.sql': '-- nothing yet\n\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\n' },
    },
    {
      name: 'the table was renamed after the policy: the fix next to the policy uses the name it had there',
      code: table + 'create policy p on a using (true);\nalter table a rename to b;',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 34, message: 'not enabled on b' }],
      output: table + 'create policy p on a using (true);\nALTER TABLE a ENABLE ROW LEVEL SECURITY;\nalter table a rename to b;',
    },
  ],
});
