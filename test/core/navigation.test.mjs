// core/navigation.ts: what is at an offset (statement, table, column, include directive) and a file's outline.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import analysisMod from '../../out/core/analysis.js';
import fsMod from '../../out/core/fileSystem.js';
import navMod from '../../out/core/navigation.js';
import parserMod from '../../out/core/sql/parser.js';
import projectMod from '../../out/core/project.js';

const { Analyzer } = analysisMod;
const { diskFileSystem } = fsMod;
const { symbolAt, statementAt, includeAt, includesOfFile, documentSymbols, fixturePaths, findTable } = navMod;
const { loadParser } = parserMod;
const { loadProject } = projectMod;

const COMMITTED = `--! Previous: -
--! Hash: sha1:0

CREATE SCHEMA app;
CREATE TABLE app.users (
  id bigint PRIMARY KEY,
  "Email" text NOT NULL
);
CREATE TABLE orgs (id int PRIMARY KEY, name text);
`;

const FIXTURE = `CREATE OR REPLACE VIEW app.user_names AS SELECT u.id FROM app.users u;
`;

const CURRENT = `--!include views/names.sql
ALTER TABLE app.users ADD COLUMN IF NOT EXISTS org_id int REFERENCES orgs (id);
CREATE INDEX IF NOT EXISTS users_org_idx ON app.users (org_id);
SELECT u."Email", app.users.id FROM app.users AS u WHERE u.org_id = 1;
DO $$ BEGIN
  ALTER TABLE orgs ADD COLUMN slug text;
EXCEPTION WHEN duplicate_column THEN NULL;
END $$;
`;

let root;
let analysis;
let current;
let committed;
let fixture;

before(async () => {
  await loadParser();
  root = mkdtempSync(path.join(os.tmpdir(), 'pgmig-nav-'));
  const m = path.join(root, 'migrations');
  mkdirSync(path.join(m, 'committed'), { recursive: true });
  mkdirSync(path.join(m, 'fixtures', 'views'), { recursive: true });
  writeFileSync(path.join(root, '.gmrc'), '{}');
  committed = path.join(m, 'committed', '000001.sql');
  fixture = path.join(m, 'fixtures', 'views', 'names.sql');
  current = path.join(m, 'current.sql');
  writeFileSync(committed, COMMITTED);
  writeFileSync(fixture, FIXTURE);
  writeFileSync(current, CURRENT);
  const project = loadProject(diskFileSystem, root);
  analysis = new Analyzer(diskFileSystem).analyzeProject(project);
  // Paths in the analysis are real paths (the temp folder may sit behind a symlink).
  current = project.currentFiles[0];
  committed = project.committedFiles[0];
  fixture = project.fixtureFiles[0];
});
after(() => rmSync(root, { recursive: true, force: true }));

const at = (text, needle, delta = 0, nth = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, needle);
  return i + delta;
};

test('statementAt finds the statement around an offset, innermost in DO blocks', () => {
  const s = statementAt(analysis, current, at(CURRENT, 'CREATE INDEX', 3));
  assert.equal(s.statement.type, 'IndexStmt');
  assert.equal(s.location.start, at(CURRENT, 'CREATE INDEX'));
  const inner = statementAt(analysis, current, at(CURRENT, 'ADD COLUMN slug', 2));
  assert.equal(inner.statement.type, 'AlterTableStmt');
  assert.ok(inner.statement.parent, 'the statement inside the DO block');
  assert.equal(statementAt(analysis, current, at(CURRENT, '--!include', 2)), undefined);
});

test('symbolAt: a table named in any statement, qualified or not', () => {
  const users = symbolAt(analysis, current, at(CURRENT, 'app.users', 6));
  assert.equal(users.table.name, 'users');
  assert.equal(users.table.schema, 'app');
  assert.deepEqual([users.range.start, users.range.end], [at(CURRENT, 'app.users'), at(CURRENT, 'app.users') + 'app.users'.length]);
  const orgs = symbolAt(analysis, current, at(CURRENT, 'orgs (id)', 1));
  assert.equal(orgs.table.name, 'orgs');
  assert.equal(orgs.column, undefined);
  // In a fixture, through the view's FROM.
  const inView = symbolAt(analysis, fixture, at(FIXTURE, 'app.users u', 5));
  assert.equal(inView.table.name, 'users');
  // In the committed file, the CREATE TABLE name itself.
  const created = symbolAt(analysis, committed, at(COMMITTED, 'app.users', 5));
  assert.equal(created.table.name, 'users');
  assert.equal(created.table.nameLocation.file, committed);
  assert.equal(created.table.nameLocation.start, at(COMMITTED, 'app.users'));
});

test('symbolAt: columns by qualified reference, alias, own table, REFERENCES list and DO blocks', () => {
  const quoted = symbolAt(analysis, current, at(CURRENT, '"Email"', 2));
  assert.equal(quoted.column.name, 'Email');
  assert.equal(quoted.column.created.file, committed);
  assert.equal(quoted.column.created.start, at(COMMITTED, '"Email"'));

  const qualified = symbolAt(analysis, current, at(CURRENT, 'users.id', 7));
  assert.equal(qualified.column.name, 'id');
  assert.equal(qualified.table.name, 'users');

  const alias = symbolAt(analysis, current, at(CURRENT, 'u.org_id', 3));
  assert.equal(alias.column.name, 'org_id');
  assert.equal(alias.column.created.file, current);

  const indexColumn = symbolAt(analysis, current, at(CURRENT, '(org_id)', 2));
  assert.equal(indexColumn.column.name, 'org_id');
  assert.equal(indexColumn.table.name, 'users');

  const added = symbolAt(analysis, current, at(CURRENT, 'org_id int', 1));
  assert.equal(added.column.name, 'org_id');
  assert.equal(added.column.created.start, at(CURRENT, 'org_id int'));

  const referenced = symbolAt(analysis, current, at(CURRENT, 'orgs (id)', 7));
  assert.equal(referenced.table.name, 'orgs');
  assert.equal(referenced.column.name, 'id');

  const inDo = symbolAt(analysis, current, at(CURRENT, 'slug', 1));
  assert.equal(inDo.table.name, 'orgs');
  assert.equal(inDo.column.name, 'slug');

  // A keyword is not a column.
  assert.equal(symbolAt(analysis, current, at(CURRENT, 'WHERE', 1)).column, undefined);
});

test('includeAt and includesOfFile find the directive and its target', () => {
  const d = includeAt(analysis, current, 5);
  assert.equal(d.rawPath, 'views/names.sql');
  assert.equal(d.target, fixture);
  assert.deepEqual([d.pathStart, d.pathEnd], [11, 11 + 'views/names.sql'.length]);
  assert.equal(includeAt(analysis, current, at(CURRENT, 'ALTER')), undefined);
  assert.equal(includesOfFile(analysis, current).length, 1);
});

test('fixturePaths lists fixtures and their folders relative to the fixtures folder', () => {
  assert.deepEqual(fixturePaths(analysis.project), { files: ['views/names.sql'], folders: ['views/'] });
});

test('documentSymbols names each statement and selects its object name', () => {
  const symbols = documentSymbols(analysis, current);
  assert.deepEqual(
    symbols.map((s) => s.name),
    ['ALTER TABLE app.users ADD COLUMN IF NOT EXISTS org_id int REFERENCES orgs', 'CREATE INDEX IF NOT EXISTS users_org_idx ON app.users', 'SELECT u."Email", app.users.id', 'DO'],
  );
  assert.equal(symbols[1].category, 'index');
  assert.equal(symbols[1].nameLocation.start, at(CURRENT, 'app.users', 0, 1));
  assert.equal(symbols[3].children.length, 1);
  assert.equal(symbols[3].children[0].type, 'AlterTableStmt');
  const inCommitted = documentSymbols(analysis, committed).map((s) => s.name);
  assert.deepEqual(inCommitted, ['CREATE SCHEMA app', 'CREATE TABLE app.users', 'CREATE TABLE orgs']);
});

test('findTable resolves unqualified names through public, then a unique name anywhere', () => {
  assert.equal(findTable(analysis.model, { name: 'orgs' }).schema, 'public');
  assert.equal(findTable(analysis.model, { name: 'users' }).schema, 'app');
  assert.equal(findTable(analysis.model, { schema: 'public', name: 'users' }), undefined);
});
