// pgmig.json (severities per rule, excludedSchemas, excludedTables), editor settings over it, and what the project
// loader reads from .gmrc and the migrations folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { analyze, diskFileSystem, lint, loadProject, outDir, writeProject } from './ruleTester.mjs';

const { ConfigError, mergeConfig, findProjectRoot, roleOf, DEFAULT_EXCLUDED_SCHEMAS } = (await import(`${outDir}/project.js`)).default;

const rulesOf = (findings) => findings.map((f) => `${f.line} ${f.rule} ${f.severity}`);
const SQL = 'create table a (id int);\ncreate table if not exists b (id int);';

describe('pgmig.json', () => {
  test('severities per rule, "off" included; JSON5 and // keys are fine', () => {
    const { findings } = lint({
      'pgmig.json': '{\n  // comment\n  "//": "a note",\n  $schema: "x",\n  rules: { "non-idempotent-statement": "warning", "missing-rls": "off" },\n}',
      'migrations/current.sql': SQL,
    });
    assert.deepEqual(rulesOf(findings), ['1 non-idempotent-statement warning']);
  });
  test('without pgmig.json every rule has its default severity', () => {
    assert.deepEqual(rulesOf(lint(SQL).findings), ['1 missing-rls error', '1 non-idempotent-statement error', '2 missing-rls error']);
  });
  test('excludedTables (public by default, or schema-qualified) and excludedSchemas (which replaces the defaults)', () => {
    const { findings } = lint({
      'pgmig.json': '{ "excludedTables": ["a", "app.b"], "excludedSchemas": ["audit"] }',
      'migrations/current.sql': 'create table if not exists a (id int);\ncreate table if not exists app.a (id int);\ncreate table if not exists app.b (id int);\ncreate table if not exists audit.log (id int);\ncreate table if not exists graphile_migrate.x (id int);',
    });
    assert.deepEqual(rulesOf(findings), ['2 missing-rls error', '5 missing-rls error']);
    assert.deepEqual(DEFAULT_EXCLUDED_SCHEMAS, ['graphile_migrate', 'pg_catalog', 'information_schema']);
  });
  test('editor settings are merged over pgmig.json', () => {
    const dir = writeProject({ 'pgmig.json': '{ "rules": { "missing-rls": "off" } }', 'migrations/current.sql': SQL });
    assert.deepEqual(rulesOf(analyze(dir, { rules: { 'non-idempotent-statement': 'info' } }).findings), ['1 non-idempotent-statement info']);
    assert.deepEqual(rulesOf(analyze(dir, { rules: { 'missing-rls': 'hint' }, excludedTables: ['b'] }).findings), ['1 missing-rls hint', '1 non-idempotent-statement error']);
  });
  test('bad settings are a ConfigError with a one-line message naming the file', () => {
    const bad = {
      '{ "rules": { "missing-rls": "loud" } }': /pgmig\.json: rule "missing-rls": severity must be one of error, warning, info, hint, off$/,
      '{ "rules": [] }': /pgmig\.json: "rules" must be an object$/,
      '{ "excludedSchemas": "app" }': /pgmig\.json: "excludedSchemas" must be an array of strings$/,
      '{ "excludedTables": [1] }': /pgmig\.json: "excludedTables" must be an array of strings$/,
      '{ "rule": {} }': /pgmig\.json: unknown setting "rule"$/,
      '[]': /pgmig\.json: expected an object$/,
      '{ rules: ': /pgmig\.json: not valid JSON5: /,
    };
    for (const [text, message] of Object.entries(bad)) {
      const dir = writeProject({ 'pgmig.json': text, 'migrations/current.sql': '' });
      assert.throws(() => loadProject(diskFileSystem, dir), (e) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'), text);
    }
  });
  test('mergeConfig leaves the base alone', () => {
    const base = { rules: { 'missing-rls': 'off' }, excludedSchemas: ['x'], excludedTables: [] };
    const merged = mergeConfig(base, { rules: { 'syntax-error': 'warning' } }, 'settings');
    assert.deepEqual(merged.rules, { 'missing-rls': 'off', 'syntax-error': 'warning' });
    assert.deepEqual(base.rules, { 'missing-rls': 'off' });
    assert.equal(mergeConfig(base, undefined, 'settings'), base);
    assert.throws(() => mergeConfig(base, { rules: { 'missing-rls': 'nope' } }, 'settings'), /^Error: settings: rule "missing-rls": severity must be one of/);
    // A misspelt rule id is an error too, not a silently ignored setting.
    assert.throws(() => mergeConfig(base, { rules: { 'missing-rsl': 'off' } }, 'settings'), /^Error: settings: unknown rule "missing-rsl" \(known rules: syntax-error, /);
  });
});

describe('project layout', () => {
  test('.gmrc: migrationsFolder and placeholders (JSON5, never executed)', () => {
    const dir = writeProject({
      '.gmrc': "{\n  migrationsFolder: './db',\n  placeholders: { ':DATABASE_VISITOR': '!ENV', ':lower': 'x', 'NOCOLON': 'y' },\n}",
      'db/current.sql': 'grant select on a to :DATABASE_VISITOR;',
      'db/committed/000001.sql': 'select 1;',
      'db/fixtures/f.sql': 'select 2;',
    });
    const p = loadProject(diskFileSystem, dir);
    assert.equal(path.relative(dir, p.migrationsDir), 'db');
    assert.deepEqual([...p.placeholders].sort(), ['DATABASE_NAME', 'DATABASE_OWNER', 'DATABASE_VISITOR']);
    assert.deepEqual([p.currentFiles, p.committedFiles, p.fixtureFiles].map((l) => l.map((f) => path.relative(dir, f))), [['db/current.sql'], ['db/committed/000001.sql'], ['db/fixtures/f.sql']]);
    assert.deepEqual(analyze(dir).findings, []);
  });
  test('a .gmrc that is not JSON5 is a ConfigError', () => {
    const dir = writeProject({ '.gmrc': 'module.exports = {}', 'migrations/current.sql': '' });
    assert.throws(() => loadProject(diskFileSystem, dir), (e) => e instanceof ConfigError && /\.gmrc: not valid JSON5/.test(e.message));
  });
  test('current/ files in graphile-migrate order; committed files by name; other names ignored', () => {
    const dir = writeProject({
      'migrations/current/10-c.sql': '', 'migrations/current/2-b.sql': '', 'migrations/current/001-a.sql': '', 'migrations/current/.hidden.sql': '', 'migrations/current/notes.md': '',
      'migrations/committed/000002-b.sql': 'select 2;', 'migrations/committed/000001.sql': 'select 1;', 'migrations/committed/000001.down.sql': '', 'migrations/committed/README.md': '',
      'migrations/fixtures/sub/deep.sql': '', 'migrations/fixtures/a.sql': '', 'migrations/fixtures/.hidden.sql': '', 'migrations/fixtures/readme.txt': '',
    });
    const p = loadProject(diskFileSystem, dir);
    const rel = (l) => l.map((f) => path.relative(dir, f));
    assert.equal(p.currentIsFolder, true);
    assert.deepEqual(rel(p.currentFiles), ['migrations/current/001-a.sql', 'migrations/current/2-b.sql', 'migrations/current/10-c.sql']);
    assert.deepEqual(rel(p.committedFiles), ['migrations/committed/000001.sql', 'migrations/committed/000002-b.sql']);
    assert.deepEqual(rel(p.fixtureFiles), ['migrations/fixtures/a.sql', 'migrations/fixtures/sub/deep.sql']);
    assert.equal(roleOf(p, path.join(dir, 'migrations/current/2-b.sql')), 'current');
    assert.equal(roleOf(p, path.join(dir, 'migrations/committed/000001.sql')), 'committed');
    assert.equal(roleOf(p, path.join(dir, 'migrations/committed/000001.down.sql')), 'standalone');
    assert.equal(roleOf(p, path.join(dir, 'migrations/fixtures/sub/deep.sql')), 'fixture');
    assert.equal(roleOf(p, path.join(dir, 'elsewhere.sql')), 'standalone');
  });
  test('the project root is found from a folder inside it', () => {
    const dir = writeProject({ 'migrations/current.sql': '', 'migrations/fixtures/deep/x.sql': '' });
    assert.equal(findProjectRoot(diskFileSystem, path.join(dir, 'migrations/fixtures/deep')), dir);
    fs.rmSync(path.join(dir, '.gmrc'));
    assert.equal(findProjectRoot(diskFileSystem, path.join(dir, 'migrations/fixtures/deep')), dir);
  });
});
