// Work lint does not repeat (issue 14, CPU): what it reads once and what it leaves unparsed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { Analyzer, diskFileSystem, loadParser, loadProject, writeProject } from './ruleTester.mjs';
import { graphile } from './safetyFixtures.mjs';

before(() => loadParser());

function tempFile(name, text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgmig-lint-cpu-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

test('a standalone file is read once, though its findings have fixes (keyword case) and ignore comments are looked for', () => {
  const file = tempFile('a.sql', 'CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);\nCREATE INDEX t_at ON t (at);\n');
  const reads = new Map();
  const counting = { ...diskFileSystem, read: (f) => (reads.set(f, (reads.get(f) ?? 0) + 1), diskFileSystem.read(f)) };
  const analysis = new Analyzer(counting, undefined, { references: false }).analyzeStandalone(file);
  assert.ok(analysis.findings.some((f) => f.fixes.length > 0), JSON.stringify(analysis.findings.map((f) => f.rule)));
  assert.equal(reads.get(file), 1);
});

test('update-or-delete-without-where leaves a long WHERE of an UPDATE unparsed (lint defers it), and still tells both apart', () => {
  const where = Array.from({ length: 20 }, (_, i) => `status = 'value number ${i}'`).join(' or ');
  const dir = writeProject(graphile(`update orders set status = 'new' where ${where};\nupdate orders set status = 'old';\n`));
  const analysis = new Analyzer(undefined, undefined, { references: false }).analyzeProject(loadProject(diskFileSystem, dir));
  const current = analysis.scripts.find((s) => s.file.endsWith('current.sql'));
  const updates = current.parsed.statements.filter((s) => s.type === 'UpdateStmt');
  assert.equal(updates.length, 2);
  assert.equal(typeof Object.getOwnPropertyDescriptor(updates[0].node, 'whereClause')?.get, 'function', 'still deferred after the rules ran');
  const found = analysis.findings.filter((f) => f.rule === 'update-or-delete-without-where');
  assert.deepEqual(found.map((f) => [f.start, f.message.slice(0, 27)]), [[updates[1].start, 'updates every row of orders']]);
  // Read, it is the WHERE as parsed.
  assert.equal(updates[0].node.whereClause.BoolExpr.args.length, 20);
});
