// `-- pgmig-ignore <rule>[, <rule>]` silences those rules for the next statement; `-- pgmig-ignore-file <rule>`
// for the whole file; without a rule list, every rule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lint } from './ruleTester.mjs';

const found = (files) => lint(files).findings.map((f) => `${f.file.replace('migrations/', '')}:${f.line} ${f.rule}`);

describe('pgmig-ignore', () => {
  test('silences the listed rules for the next statement only', () => {
    assert.deepEqual(found('-- pgmig-ignore non-idempotent-statement\ninsert into a values (1);\ninsert into a values (2);'), ['current.sql:3 non-idempotent-statement']);
  });
  test('a list of rules; other rules on the same statement still report', () => {
    assert.deepEqual(
      found('-- pgmig-ignore non-idempotent-statement, unindexed-foreign-key\ncreate table b (id bigint primary key, a_id int references a);\nalter table b enable row level security;\ndrop policy if exists p on b;\ncreate policy p on b using (true);'),
      [],
    );
    assert.deepEqual(found('-- pgmig-ignore missing-rls\ncreate table b (id int);'), ['current.sql:2 non-idempotent-statement']);
  });
  test('without a rule list: every rule', () => {
    assert.deepEqual(found('-- pgmig-ignore\ncreate table b (id int);\ndrop table c;'), ['current.sql:3 non-idempotent-statement']);
  });
  test('comments and blank lines between the ignore comment and the statement are fine', () => {
    assert.deepEqual(found('-- pgmig-ignore non-idempotent-statement\n\n-- why: seeded once\ninsert into a values (1);'), []);
  });
  test('a trailing ignore comment applies to the statement after it', () => {
    assert.deepEqual(found('insert into a values (1); -- pgmig-ignore non-idempotent-statement\ninsert into a values (2);'), ['current.sql:1 non-idempotent-statement']);
  });
  test('before a DO block: the whole block; inside it: the block\'s next statement only', () => {
    const block = (inner) => `do $$ begin\n${inner}\n  insert into a values (1);\n  insert into a values (2);\nend $$;\ninsert into b values (3);`;
    assert.deepEqual(found('-- pgmig-ignore non-idempotent-statement\n' + block('')), ['current.sql:7 non-idempotent-statement']);
    assert.deepEqual(found(block('  -- pgmig-ignore non-idempotent-statement')), ['current.sql:4 non-idempotent-statement', 'current.sql:6 non-idempotent-statement']);
  });
  test('silences a syntax error in the next statement, and only that', () => {
    assert.deepEqual(found('-- pgmig-ignore syntax-error\nselec 1;\nselec 2;'), ['current.sql:3 syntax-error']);
  });
  test('a table finding is silenced at the statement where it is reported', () => {
    assert.deepEqual(found('create table if not exists a (id int);\n-- pgmig-ignore missing-rls\nalter table a add column if not exists b int;'), ['current.sql:1 missing-rls']);
  });
  test('in a block comment or with another word it is not an ignore comment', () => {
    assert.deepEqual(found('/* pgmig-ignore */ drop table a;\n-- pgmig-ignored\ndrop table b;'), ['current.sql:1 non-idempotent-statement', 'current.sql:3 non-idempotent-statement']);
  });
  test('an unknown rule name silences nothing', () => {
    assert.deepEqual(found('-- pgmig-ignore no-such-rule\ndrop table a;'), ['current.sql:2 non-idempotent-statement']);
  });
});

describe('pgmig-ignore-file', () => {
  test('silences the rule in the whole file, wherever the comment is', () => {
    assert.deepEqual(found('drop table a;\ndrop table b;\n-- pgmig-ignore-file non-idempotent-statement\ncreate table if not exists c (id int);'), ['current.sql:4 missing-rls']);
  });
  test('only in that file', () => {
    assert.deepEqual(
      found({ 'migrations/current.sql': '-- pgmig-ignore-file non-idempotent-statement\ndrop table a;\n--!include f.sql\n', 'migrations/fixtures/f.sql': 'drop table b;' }),
      ['fixtures/f.sql:1 non-idempotent-statement'],
    );
  });
  test('in a fixture, for the fixture', () => {
    assert.deepEqual(found({ 'migrations/current.sql': 'drop table a;\n--!include f.sql\n', 'migrations/fixtures/f.sql': '-- pgmig-ignore-file non-idempotent-statement\ndrop table b;' }), ['current.sql:1 non-idempotent-statement']);
  });
  test('in a committed migration, for a finding reported there', () => {
    assert.deepEqual(
      found({ 'migrations/committed/000001.sql': '-- pgmig-ignore-file missing-rls\ncreate table a (id int);', 'migrations/committed/000002.sql': 'create table b (id int);', 'migrations/current.sql': '' }),
      ['committed/000002.sql:4 missing-rls'],
    );
  });
  test('without a rule list: every rule in the file', () => {
    assert.deepEqual(found('-- pgmig-ignore-file\ndrop table a;\nselec 1;\ncreate table if not exists c (id int);'), []);
  });
});
