// An Analyzer kept across edits (as the language server keeps one) must give exactly what a fresh one gives.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Analyzer, diskFileSystem, loadProject, writeProject } from './ruleTester.mjs';

const strip = (analysis) => analysis.findings.map((f) => ({ ...f, fixes: f.fixes.map((x) => x.edits.map((e) => [e.start, e.end, e.newText])), related: f.related.length }));

test('re-analysing after each edit of current.sql and a fixture equals a fresh analysis', () => {
  const dir = writeProject({
    'migrations/committed/000001.sql': 'create table a (id int primary key, n int, p int references a);\ncreate policy pol on a using (true);\nalter table a enable row level security;',
    'migrations/current.sql': '',
    'migrations/fixtures/f.sql': 'create index if not exists a_p on a (p);',
  });
  const versions = [
    'alter table a alter column n set not null;',
    'alter table a rename column p to q;\nalter policy pol on a rename to pol2;',
    'alter table a disable row level security;',
    '--!include f.sql\n',
    'alter table a disable row level security;\n--!include f.sql\ncreate table if not exists b (id int references a);',
    'create table if not exists b (id int references a);\nselec 1;\ndrop table if exists a cascade;',
    '',
    'alter table a rename to c;\ncreate index if not exists a_p on c (p);',
    'alter table a alter column n set not null;',
  ];
  const kept = new Analyzer(diskFileSystem);
  const current = path.join(dir, 'migrations/current.sql');
  versions.forEach((text, i) => {
    fs.writeFileSync(current, text);
    if (i === 6) fs.writeFileSync(path.join(dir, 'migrations/fixtures/f.sql'), 'create index if not exists a_other on a (n);');
    const incremental = kept.analyzeProject(loadProject(diskFileSystem, dir));
    const fresh = new Analyzer(diskFileSystem).analyzeProject(loadProject(diskFileSystem, dir));
    assert.deepEqual(strip(incremental), strip(fresh), `after version ${i + 1}: ${JSON.stringify(text)}`);
    assert.deepEqual([...incremental.model.tables.keys()], [...fresh.model.tables.keys()]);
  });
});
