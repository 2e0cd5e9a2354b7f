// The step every fix goes through in the analysis (analysis.ts fitFix, keywordCase.ts): its SQL follows the keyword
// case of the file it goes into, and a fix that edits another file than the finding's says so in its title.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Analyzer, diskFileSystem, loadProject, outDir, writeProject } from './ruleTester.mjs';

const { keywordCaseOf, inKeywordCase } = (await import(path.join(outDir, 'keywordCase.js'))).default;

const analyse = (files) => {
  const dir = writeProject(files);
  return { dir, analysis: new Analyzer(diskFileSystem).analyzeProject(loadProject(diskFileSystem, dir)) };
};
const fixesOf = (analysis, rule) => analysis.findings.filter((f) => f.rule === rule).flatMap((f) => f.fixes);

test("a file's keyword case", () => {
  assert.equal(keywordCaseOf('create table a (id int primary key);\nalter table a enable row level security;'), 'lower');
  assert.equal(keywordCaseOf('CREATE TABLE a (id INT PRIMARY KEY);'), 'upper');
  // Words in strings, quoted names and comments do not count; a file with too few keywords cannot tell.
  assert.equal(keywordCaseOf(`-- CREATE TABLE x\nselect 'CREATE TABLE ALTER INDEX' as "TABLE";`), 'lower');
  assert.equal(keywordCaseOf(`-- create table x\nSELECT 1;`), undefined);
  assert.equal(keywordCaseOf(''), undefined);
  assert.equal(keywordCaseOf('Create Table a (id int);'), undefined);
});

test('SQL in a lowercase file: keywords lowercased, names, strings, comments and placeholders kept', () => {
  assert.equal(inKeywordCase('ALTER TABLE "Users" ENABLE ROW LEVEL SECURITY;', 'lower'), 'alter table "Users" enable row level security;');
  assert.equal(
    inKeywordCase(`DO $$ BEGIN\n  CREATE TYPE app.mood AS ENUM ('OK');\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$; -- KEEP\nGRANT SELECT ON t TO :DATABASE_VISITOR;`, 'lower'),
    `do $$ begin\n  create type app.mood as enum ('OK');\nexception when duplicate_object then null;\nend $$; -- KEEP\ngrant select on t to :DATABASE_VISITOR;`,
  );
  assert.equal(inKeywordCase('CREATE INDEX CONCURRENTLY IF NOT EXISTS a_b_idx ON a (b);', 'upper'), 'CREATE INDEX CONCURRENTLY IF NOT EXISTS a_b_idx ON a (b);');
  assert.equal(inKeywordCase('CREATE INDEX x ON a (b);', undefined), 'CREATE INDEX x ON a (b);');
});

test('every fix of the analysis follows the keyword case of the file it edits', () => {
  let { analysis } = analyse({ 'migrations/current.sql': 'create table if not exists orders (id int primary key, customer_id int references orders (id));\n' });
  const [rls] = fixesOf(analysis, 'missing-rls');
  assert.match(rls.edits[0].newText, /^\n?alter table orders enable row level security;/);
  const [index] = fixesOf(analysis, 'unindexed-foreign-key');
  assert.match(index.edits[0].newText, /create index if not exists/);
  assert.doesNotMatch(index.edits[0].newText, /[A-Z]{2}/);

  ({ analysis } = analyse({ 'migrations/current.sql': 'CREATE TABLE IF NOT EXISTS orders (id INT PRIMARY KEY);\n' }));
  assert.match(fixesOf(analysis, 'missing-rls')[0].edits[0].newText, /ALTER TABLE orders ENABLE ROW LEVEL SECURITY;/);

  // The non-idempotent fix inserts words into the statement itself.
  ({ analysis } = analyse({ 'migrations/current.sql': 'create table orders (id int primary key);\nalter table orders enable row level security;\n' }));
  const [ifNotExists] = fixesOf(analysis, 'non-idempotent-statement');
  assert.equal(ifNotExists.edits[0].newText, 'if not exists ');
});

test("a fix that edits another file says so in its title, in that file's case", () => {
  const { analysis } = analyse({
    'migrations/committed/000001.sql': 'CREATE TABLE accounts (id INT PRIMARY KEY);\n',
    'migrations/current.sql': 'select 1;\n\ngrant select on accounts to public;\n',
  });
  const finding = analysis.findings.find((f) => f.rule === 'missing-rls');
  assert.match(finding.file, /committed\/000001\.sql$/);
  const [fix] = finding.fixes;
  assert.match(fix.title, /\(edits migrations\/current\.sql\)$/);
  assert.match(fix.edits[0].file, /current\.sql$/);
  assert.match(fix.edits[0].newText, /alter table accounts enable row level security;/);
  // A fix in the finding's own file keeps its title.
  const { analysis: own } = analyse({ 'migrations/current.sql': 'create table if not exists a (id int);\n' });
  assert.doesNotMatch(fixesOf(own, 'missing-rls')[0].title, /edits/);
});
