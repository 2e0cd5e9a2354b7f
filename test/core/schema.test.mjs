// The schema model after the replay (committed in order, then current with its includes): what the table rules,
// hover and go-to-definition see.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Analyzer, diskFileSystem, lint, loadProject, writeProject } from './ruleTester.mjs';

const modelOf = (files) => lint(files).analysis.model;
const keys = (model) => [...model.tables.keys()].sort();
const columns = (t) => [...t.columns.values()].map((c) => [c.name, c.type, c.notNull, c.hasDefault]);
const indexes = (t) => t.indexes.map((i) => [i.name, i.kind, i.columns.join(','), i.partial]);
const fks = (t) => t.foreignKeys.map((f) => [f.name, f.columns.join(','), `${f.references.schema}.${f.references.name}`, f.refColumns.join(',')]);

describe('names', () => {
  test('unquoted names fold to lower case, quoted ones keep their case; the default schema is public', () => {
    const m = modelOf('create table Foo ("Bar" INT, baz Text, "quoted""name" int);\ncreate table "Foo" (id int);\ncreate table APP.Things (id int);');
    assert.deepEqual(keys(m), ['app.things', 'public.Foo', 'public.foo']);
    assert.deepEqual(columns(m.tables.get('public.foo')).map(([n, t]) => [n, t]), [['Bar', 'integer'], ['baz', 'text'], ['quoted"name', 'integer']]);
  });
  test('search_path decides where unqualified names go, and resets for each file', () => {
    const m = modelOf({
      'migrations/committed/000001.sql': 'set search_path = app, public;\ncreate table a (id int);\nset search_path to "$user", public;\ncreate table b (id int);\nset search_path = app;\ncreate table c (id int);',
      'migrations/current.sql': 'create table d (id int);\nalter table app.c add column x int;\nset local search_path = app2;\ncreate table e (id int);\nset search_path to default;\ncreate table f (id int);\nset search_path = app3;\nreset search_path;\ncreate table g (id int);\nset search_path = app4;\nreset all;\ncreate table h (id int);',
    });
    assert.deepEqual(keys(m), ['app.a', 'app.c', 'app2.e', 'public.b', 'public.d', 'public.f', 'public.g', 'public.h']);
    assert.deepEqual(columns(m.tables.get('app.c')).map(([n]) => n), ['id', 'x']);
  });
  test('unqualified names of existing tables and indexes are looked up along the whole search_path', () => {
    const m = modelOf([
      'create table public.x (id int);',
      'create index x_id on public.x (id);',
      'set search_path = app, public;',
      'alter table x enable row level security;',
      'create table y (id int);',
      'create table x (other int);',
      'alter table x add column more int;',
      'drop index x_id;',
    ].join('\n'));
    assert.deepEqual(keys(m), ['app.x', 'app.y', 'public.x']);
    assert.equal(m.tables.get('public.x').rls, true);
    assert.deepEqual(indexes(m.tables.get('public.x')), []);
    assert.deepEqual(columns(m.tables.get('app.x')).map(([n]) => n), ['other', 'more']);
  });
  test('CREATE SCHEMA with elements creates them in that schema', () => {
    assert.deepEqual(keys(modelOf('create schema app create table t (id int) create table other.u (id int);')), ['app.t', 'other.u']);
  });
});

describe('tables and columns', () => {
  test('columns, types, NOT NULL and defaults; a primary key makes its columns NOT NULL', () => {
    const t = modelOf("create table a (id serial primary key, name varchar(20) not null default 'x', tags text[], at timestamptz, n int);\nalter table a alter column n set not null;\nalter table a alter column name drop not null;\nalter table a alter column at type timestamp;\nalter table a add column if not exists extra bigint generated always as identity;\nalter table a add column if not exists n text;").tables.get('public.a');
    assert.deepEqual(columns(t), [
      ['id', 'serial', true, true],
      ['name', 'varchar(20)', false, true],
      ['tags', 'text[]', false, false],
      ['at', 'timestamp', false, false],
      ['n', 'integer', true, false],
      ['extra', 'bigint', false, true],
    ]);
  });
  test('CREATE TABLE IF NOT EXISTS over an existing table changes nothing', () => {
    const m = modelOf({ 'migrations/committed/000001.sql': 'create table a (id int);', 'migrations/current.sql': 'create table if not exists a (other int);' });
    assert.deepEqual(columns(m.tables.get('public.a')).map(([n]) => n), ['id']);
    assert.match(m.tables.get('public.a').created.file, /committed\/000001\.sql$/);
  });
  test('where a table was created, and its name there', () => {
    const { dir, analysis } = lint({ 'migrations/current.sql': '-- x\n--!include t.sql\n', 'migrations/fixtures/t.sql': '\ncreate table if not exists "Été" (id int);\n' });
    const t = analysis.model.tables.get('public.Été');
    assert.equal(path.relative(dir, t.created.file), 'migrations/fixtures/t.sql');
    const text = fs.readFileSync(t.created.file, 'utf8');
    assert.equal(text.slice(t.created.start, t.created.end), 'create table if not exists "Été" (id int)');
    assert.equal(text.slice(t.nameLocation.start, t.nameLocation.end), '"Été"');
    assert.equal(t.createdRole, 'current'); // the role of the script it ran in (current.sql, which includes the fixture)
  });
});

describe('renames and drops', () => {
  test('RENAME of a table, a column, an index, a constraint and a policy', () => {
    const m = modelOf([
      'create table a (id int primary key, p int constraint a_p_fk references parent (id));',
      'create index a_p on a (p);',
      'create policy pol on a using (true);',
      'alter table a rename column p to parent_id;',
      'alter table a rename to b;',
      'alter index a_p rename to b_parent_id;',
      'alter table b rename constraint a_p_fk to b_parent_fk;',
      'alter policy pol on b rename to pol2;',
      'create table parent (id int primary key);',
      'alter table parent rename to mother;',
    ].join('\n'));
    assert.deepEqual(keys(m), ['public.b', 'public.mother']);
    const b = m.tables.get('public.b');
    assert.deepEqual(columns(b).map(([n]) => n), ['id', 'parent_id']);
    assert.deepEqual(indexes(b), [['a_pkey', 'primary', 'id', false], ['b_parent_id', 'index', 'parent_id', false]]);
    assert.deepEqual(fks(b), [['b_parent_fk', 'parent_id', 'public.mother', 'id']]);
    assert.deepEqual(b.policies.map((p) => p.name), ['pol2']);
    assert.equal(m.indexOwner.get('public.b_parent_id'), 'public.b');
    assert.equal(m.indexOwner.get('public.a_p'), undefined);
  });
  test('ALTER TABLE ... SET SCHEMA moves the table', () => {
    assert.deepEqual(keys(modelOf('create table a (id int);\nalter table a set schema app;')), ['app.a']);
  });
  test('DROP TABLE (several at once), DROP INDEX, DROP POLICY, DROP SCHEMA ... CASCADE', () => {
    const m = modelOf([
      'create table a (id int);', 'create table b (id int);', 'create table c (id int);', 'create table app.d (id int);', 'create table app2.e (id int);',
      'create index c_id on c (id);', 'create policy p on c using (true);', 'create policy q on c using (true);',
      'drop table a, public.b;', 'drop index c_id;', 'drop policy p on c;', 'drop schema app cascade;', 'drop schema app2;',
    ].join('\n'));
    assert.deepEqual(keys(m), ['app2.e', 'public.c']);
    assert.deepEqual(indexes(m.tables.get('public.c')), []);
    assert.deepEqual(m.tables.get('public.c').policies.map((p) => p.name), ['q']);
  });
  test('ALTER TABLE DROP COLUMN takes the indexes and keys that use it; DROP CONSTRAINT the key', () => {
    const t = modelOf('create table a (id int primary key, x int references x, y int references y, z int unique);\ncreate index a_x_z on a (x, z);\nalter table a drop column x;\nalter table a drop constraint a_y_fkey;\nalter table a drop constraint a_z_key;').tables.get('public.a');
    assert.deepEqual(indexes(t), [['a_pkey', 'primary', 'id', false]]);
    assert.deepEqual(fks(t), []);
  });
  test('a table dropped and created again is a new table', () => {
    const t = modelOf('create table a (id int);\nalter table a enable row level security;\ndrop table a;\ncreate table a (other int);').tables.get('public.a');
    assert.equal(t.rls, false);
    assert.deepEqual(columns(t).map(([n]) => n), ['other']);
  });
});

describe('indexes and keys', () => {
  test('kinds, columns (expressions are null), partial, generated names', () => {
    const t = modelOf('create table a (id int, b int, c int, primary key (id), unique (b, c), constraint a_c_check check (c > 0));\ncreate unique index on a (c);\ncreate index a_expr on a ((b + 1), c) where c > 0;\nalter table a add constraint a_b_uq unique (b);').tables.get('public.a');
    assert.deepEqual(t.indexes.map((i) => [i.name, i.kind, i.columns, i.partial]), [
      ['a_pkey', 'primary', ['id'], false],
      ['a_b_c_key', 'unique', ['b', 'c'], false],
      ['a_c_idx', 'unique', ['c'], false],
      ['a_expr', 'index', [null, 'c'], true],
      ['a_b_uq', 'unique', ['b'], false],
    ]);
  });
  test('foreign keys: column, table constraint, ALTER TABLE; qualified references', () => {
    const t = modelOf('create table a (id int, x int references app.x, y int, z int, foreign key (y, z) references yz (a, b));\nalter table a add constraint a_id_fk foreign key (id) references a (id);').tables.get('public.a');
    assert.deepEqual(fks(t), [['a_x_fkey', 'x', 'app.x', ''], ['a_y_z_fkey', 'y,z', 'public.yz', 'a,b'], ['a_id_fk', 'id', 'public.a', 'id']]);
  });
  test('CREATE INDEX IF NOT EXISTS with a name that exists adds nothing', () => {
    const t = modelOf('create table a (id int);\ncreate index if not exists a_i on a (id);\ncreate index if not exists a_i on a (id);').tables.get('public.a');
    assert.equal(t.indexes.length, 1);
  });
});

describe('row level security and policies', () => {
  test('ENABLE (also inside a DO block), DISABLE, policies with their command', () => {
    const m = modelOf("create table a (id int);\ncreate table b (id int);\ndo $$ begin alter table a enable row level security; end $$;\nalter table b enable row level security;\nalter table b disable row level security;\ncreate policy r on a for select using (true);\ncreate policy r on a for update using (true);");
    assert.equal(m.tables.get('public.a').rls, true);
    assert.equal(m.tables.get('public.b').rls, false);
    assert.deepEqual(m.tables.get('public.a').policies.map((p) => [p.name, p.command]), [['r', 'update']]);
  });
});

describe('committed history and current', () => {
  test('the committed model is the state before current', () => {
    const { analysis } = lint({ 'migrations/committed/000001.sql': 'create table a (id int);', 'migrations/current.sql': 'create table if not exists b (id int);\ndrop table if exists a;' });
    assert.deepEqual(keys(analysis.committedModel), ['public.a']);
    assert.deepEqual(keys(analysis.model), ['public.b']);
  });
  test('an analyzer reused after current.sql changes does not keep what the old current.sql did to the committed tables', () => {
    const dir = writeProject({
      'migrations/committed/000001.sql': 'create table a (id int, n int);\ncreate policy p on a using (true);',
      'migrations/current.sql': 'alter table a alter column n set not null;\nalter policy p on a rename to q;\nalter table a alter column id type bigint;\nalter table a enable row level security;',
    });
    const analyzer = new Analyzer(diskFileSystem);
    const first = analyzer.analyzeProject(loadProject(diskFileSystem, dir)).model.tables.get('public.a');
    assert.deepEqual([columns(first), first.policies.map((p) => p.name), first.rls], [[['id', 'bigint', false, false], ['n', 'integer', true, false]], ['q'], true]);
    fs.writeFileSync(path.join(dir, 'migrations/current.sql'), '');
    const second = analyzer.analyzeProject(loadProject(diskFileSystem, dir)).model.tables.get('public.a');
    assert.deepEqual([columns(second), second.policies.map((p) => p.name), second.rls], [[['id', 'integer', false, false], ['n', 'integer', false, false]], ['p'], false]);
  });
});
