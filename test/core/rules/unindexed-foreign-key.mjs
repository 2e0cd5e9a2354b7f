// unindexed-foreign-key: the key's columns must be the leading columns (in any order) of some index on the
// referencing table at the end of the replay. Primary keys and unique constraints count; partial and expression
// indexes do not. Reported at the key.
import { ruleTester } from '../ruleTester.mjs';

const parent = 'create table if not exists parent (id int primary key, k int, unique (id, k));\n';

ruleTester('unindexed-foreign-key', {
  valid: [
    parent + 'create table if not exists child (id int, parent_id int references parent);\ncreate index if not exists child_parent on child (parent_id);',
    { name: 'the index has more columns after the key', code: parent + 'create table if not exists child (id int, parent_id int references parent);\ncreate index if not exists child_parent on child (parent_id, id);' },
    { name: 'composite key, index columns in another order', code: parent + 'create table if not exists child (a int, b int, c int, foreign key (a, b) references parent (id, k));\ncreate index if not exists child_ba on child (b, a, c);' },
    { name: 'the primary key covers it', code: parent + 'create table if not exists child (parent_id int references parent, n int, primary key (parent_id, n));' },
    { name: 'a column primary key covers it', code: parent + 'create table if not exists child (parent_id int primary key references parent);' },
    { name: 'a unique constraint covers it', code: parent + 'create table if not exists child (a int, b int, unique (b, a), foreign key (a, b) references parent (id, k));' },
    { name: 'a unique index covers it', code: parent + 'create table if not exists child (parent_id int references parent);\ncreate unique index if not exists child_u on child (parent_id);' },
    { name: 'an unnamed index counts for this rule', code: parent + 'create table if not exists child (parent_id int references parent);\n-- pgmig-ignore non-idempotent-statement\ncreate index on child (parent_id);' },
    {
      name: 'the index is created in a later file',
      files: {
        'migrations/committed/000001.sql': parent + 'create table child (parent_id int references parent);',
        'migrations/current.sql': 'create index if not exists child_parent on child (parent_id);',
      },
    },
    { name: 'ALTER TABLE ADD CONSTRAINT, then an index', code: parent + 'create table if not exists child (p int);\nalter table child add constraint child_p_fk foreign key (p) references parent;\ncreate index if not exists child_p on child (p);' },
    { name: 'the key is dropped again', code: parent + 'create table if not exists child (p int);\nalter table child add constraint child_p_fk foreign key (p) references parent;\nalter table child drop constraint if exists child_p_fk;' },
    { name: 'an unnamed column key is dropped by its generated name', code: parent + 'create table if not exists child (p int references parent);\nalter table child drop constraint if exists child_p_fkey;' },
    { name: 'the column is dropped', code: parent + 'create table if not exists child (id int, p int references parent);\nalter table child drop column if exists p;' },
    { name: 'the referencing table is dropped', code: parent + 'create table if not exists child (p int references parent);\ndrop table if exists child;' },
    { name: 'the referenced table is dropped with CASCADE', code: parent + 'create table if not exists child (p int references parent);\ndrop table if exists parent cascade;' },
    { name: 'a renamed column keeps its index', code: parent + 'create table if not exists child (p int references parent);\ncreate index if not exists child_p on child (p);\nalter table child rename column p to parent_id;' },
    { name: 'the index is created after the column is renamed', code: parent + 'create table if not exists child (p int references parent);\nalter table child rename column p to parent_id;\ncreate index if not exists child_p on child (parent_id);' },
    { name: 'the table is renamed, then indexed under its new name', code: parent + 'create table if not exists child (p int references parent);\nalter table child rename to kid;\ncreate index if not exists kid_p on kid (p);' },
    { name: 'quoted and schema-qualified names', code: parent + 'create table if not exists app."Child" ("ParentId" int references public.parent);\ncreate index if not exists "Child_ParentId" on app."Child" ("ParentId");' },
    { name: 'temporary table', code: parent + 'create temp table child (p int references parent);' },
    { name: 'ADD CONSTRAINT ... USING INDEX turns the index into a key', code: parent + 'create table if not exists child (p int references parent);\ncreate unique index if not exists child_p_key on child (p);\nalter table child drop constraint if exists child_p_uq;\nalter table child add constraint child_p_uq unique using index child_p_key;' },
  ],
  invalid: [
    {
      name: 'column REFERENCES: reported at the key; the fix indexes the key right after its statement',
      code: parent + 'create table if not exists child (id int, parent_id int references parent);\n',
      errors: [{ line: 2, column: 57, endLine: 2, endColumn: 74, text: 'references parent', message: 'foreign key child (parent_id) -> parent has no index on child starting with (parent_id)' }],
      output: parent + 'create table if not exists child (id int, parent_id int references parent);\nCREATE INDEX IF NOT EXISTS child_parent_id_idx ON child (parent_id);\n',
    },
    {
      name: 'table constraint, composite key',
      code: parent + 'create table if not exists child (a int, b int, constraint child_fk foreign key (a, b) references parent (id, k));',
      errors: [{ line: 2, column: 49, endLine: 2, endColumn: 113, text: 'constraint child_fk foreign key (a, b) references parent (id, k)', message: 'child (a, b) -> parent' }],
      output: parent + 'create table if not exists child (a int, b int, constraint child_fk foreign key (a, b) references parent (id, k));\nCREATE INDEX IF NOT EXISTS child_a_b_idx ON child (a, b);',
    },
    {
      name: 'ALTER TABLE ADD CONSTRAINT',
      code: parent + 'create table if not exists child (p int);\nalter table child drop constraint if exists child_p_fk;\nalter table child add constraint child_p_fk foreign key (p) references parent (id);\n',
      errors: [{ line: 4, column: 23, endLine: 4, endColumn: 83, text: 'constraint child_p_fk foreign key (p) references parent (id)' }],
      output: parent + 'create table if not exists child (p int);\nalter table child drop constraint if exists child_p_fk;\nalter table child add constraint child_p_fk foreign key (p) references parent (id);\nCREATE INDEX IF NOT EXISTS child_p_idx ON child (p);\n',
    },
    {
      name: 'an index that has only part of a composite key',
      code: parent + 'create table if not exists child (a int, b int, foreign key (a, b) references parent (id, k));\ncreate index if not exists child_a on child (a);',
      errors: [{ line: 2, column: 49, endLine: 2, endColumn: 93, text: 'foreign key (a, b) references parent (id, k)' }],
    },
    {
      name: 'the key is not the leading columns of the index',
      code: parent + 'create table if not exists child (id int, p int references parent);\ncreate index if not exists child_id_p on child (id, p);',
      errors: [{ line: 2, column: 49, endLine: 2, endColumn: 66 }],
    },
    {
      name: 'partial and expression indexes do not count',
      code: parent + 'create table if not exists child (p int references parent);\ncreate index if not exists child_p_partial on child (p) where p is not null;\ncreate index if not exists child_p_expr on child ((p + 0));',
      errors: [{ line: 2, column: 41, endLine: 2, endColumn: 58 }],
      output: parent + 'create table if not exists child (p int references parent);\nCREATE INDEX IF NOT EXISTS child_p_idx ON child (p);\ncreate index if not exists child_p_partial on child (p) where p is not null;\ncreate index if not exists child_p_expr on child ((p + 0));',
    },
    {
      name: 'the fix picks an index name nothing has yet (a partial index already has the usual one)',
      code: parent + 'create table if not exists child (p int references parent);\ncreate index if not exists child_p_idx on child (p) where p > 0;',
      errors: [{ line: 2, column: 41, endLine: 2, endColumn: 58 }],
      output: parent + 'create table if not exists child (p int references parent);\nCREATE INDEX IF NOT EXISTS child_p_idx1 ON child (p);\ncreate index if not exists child_p_idx on child (p) where p > 0;',
    },
    {
      name: 'a long name is cut at 63 bytes, on a character boundary',
      code: parent + 'create table if not exists "tâble_with_a_very_long_name_that_goes_on" ("référence_to_the_parent_row" int references parent);',
      errors: [{ line: 2, column: 106, endLine: 2, endColumn: 123 }],
      output: parent + 'create table if not exists "tâble_with_a_very_long_name_that_goes_on" ("référence_to_the_parent_row" int references parent);\nCREATE INDEX IF NOT EXISTS "tâble_with_a_very_long_name_that_goes_on_référence_to_the_pa" ON "tâble_with_a_very_long_name_that_goes_on" ("référence_to_the_parent_row");',
    },
    {
      name: 'the index is dropped later',
      code: parent + 'create table if not exists child (p int references parent);\ncreate index if not exists child_p on child (p);\ndrop index if exists child_p;',
      errors: [{ line: 2, column: 41, endLine: 2, endColumn: 58 }],
    },
    {
      name: 'the index is renamed, then dropped under its new name',
      code: parent + 'create table if not exists child (p int references parent);\ncreate index if not exists child_p on child (p);\nalter index child_p rename to child_p_idx;\ndrop index if exists public.child_p_idx;',
      errors: [{ line: 2, column: 41, endLine: 2, endColumn: 58 }],
    },
    {
      name: 'an index on another table with the same column name does not count',
      code: parent + 'create table if not exists child (p int references parent);\ncreate table if not exists other (p int);\ncreate index if not exists other_p on other (p);',
      errors: [{ line: 2, column: 41, endLine: 2, endColumn: 58 }],
    },
    {
      name: 'columns renamed after the key: the message has the final names, the fix next to the key the names there',
      code: parent + 'create table if not exists child (p int references parent);\nalter table child rename column p to parent_id;\nalter table child rename to kid;',
      errors: [{ line: 2, column: 41, endLine: 2, endColumn: 58, message: 'foreign key kid (parent_id) -> parent' }],
      output: parent + 'create table if not exists child (p int references parent);\nCREATE INDEX IF NOT EXISTS child_p_idx ON child (p);\nalter table child rename column p to parent_id;\nalter table child rename to kid;',
    },
    {
      name: 'a key in an immutable committed migration: the fix goes into current.sql, with the final names',
      files: {
        'migrations/committed/000001.sql': parent + 'create table child (p int references parent);\n',
        'migrations/committed/000002.sql': 'alter table child rename column p to "ParentId";\n',
        'migrations/current.sql': 'select 1;\n',
      },
      errors: [{ file: 'migrations/committed/000001.sql', line: 5, column: 27, endLine: 5, endColumn: 44, text: 'references parent' }],
      output: { 'migrations/current.sql': 'select 1;\n\nCREATE INDEX IF NOT EXISTS "child_ParentId_idx" ON child ("ParentId");\n' },
    },
    {
      name: 'quoted and schema-qualified names',
      code: parent + 'create table if not exists app."Child" ("ParentId" int references public.parent (id));',
      errors: [{ line: 2, column: 56, endLine: 2, endColumn: 85, text: 'references public.parent (id)', message: 'app."Child" ("ParentId") -> parent' }],
      output: parent + 'create table if not exists app."Child" ("ParentId" int references public.parent (id));\nCREATE INDEX IF NOT EXISTS "Child_ParentId_idx" ON app."Child" ("ParentId");',
    },
    {
      name: 'non-ASCII text before the key',
      code: '-- 😀 émoji\n' + parent + 'create table if not exists "Kind" ("nom_été" text, "père" int references parent);',
      errors: [{ line: 3, column: 63, endLine: 3, endColumn: 80, text: 'references parent' }],
      output: '-- 😀 émoji\n' + parent + 'create table if not exists "Kind" ("nom_été" text, "père" int references parent);\nCREATE INDEX IF NOT EXISTS "Kind_père_idx" ON "Kind" ("père");',
    },
    {
      name: 'inside a DO block, after non-ASCII text: the fix goes inside the block, after the statement',
      code: "do $$\ndeclare\n  x text := '😀 é';\nbegin\n  -- 😀\n  create table if not exists \"Été\" (id int primary key, p int references \"Été\");\nend $$;",
      errors: [{ line: 6, column: 63, endLine: 6, endColumn: 79, text: 'references "Été"' }],
      output: "do $$\ndeclare\n  x text := '😀 é';\nbegin\n  -- 😀\n  create table if not exists \"Été\" (id int primary key, p int references \"Été\");\nCREATE INDEX IF NOT EXISTS \"Été_p_idx\" ON \"Été\" (p);\nend $$;",
    },
    {
      name: 'a key in an included fixture is reported in the fixture',
      files: {
        'migrations/current.sql': parent + '--!include child.sql\n',
        'migrations/fixtures/child.sql': '-- child\ncreate table if not exists child (p int references parent);\n',
      },
      errors: [{ file: 'migrations/fixtures/child.sql', line: 2, column: 41, endLine: 2, endColumn: 58 }],
      output: { 'migrations/fixtures/child.sql': '-- child\ncreate table if not exists child (p int references parent);\nCREATE INDEX IF NOT EXISTS child_p_idx ON child (p);\n' },
    },
  ],
});
