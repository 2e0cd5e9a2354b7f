// The review rules keep the table events of the committed history between analyses (core/rules/reviewScope.ts):
// an edit of a committed file, or of current.sql, must give what a fresh Analyzer gives.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import analysisMod from '../../out/core/analysis.js';
import fsMod from '../../out/core/fileSystem.js';
import parserMod from '../../out/core/sql/parser.js';
import projectMod from '../../out/core/project.js';

const { Analyzer } = analysisMod;
const { OverlayFileSystem } = fsMod;
const { loadParser } = parserMod;
const { loadProject } = projectMod;

const review = (analysis) =>
  analysis.findings.filter((f) => ['drop-loses-data', 'column-type-change', 'not-null-without-default'].includes(f.rule)).map((f) => `${f.rule} ${path.basename(f.file)}:${f.start} ${f.message}`);

test('review findings follow edits of the committed history and of current.sql', async () => {
  await loadParser();
  const root = mkdtempSync(path.join(os.tmpdir(), 'pgmig-review-history-'));
  try {
    const committed = path.join(root, 'migrations', 'committed');
    mkdirSync(committed, { recursive: true });
    writeFileSync(path.join(root, '.gmrc'), '{}');
    const first = path.join(committed, '000001.sql');
    const second = path.join(committed, '000002.sql');
    writeFileSync(first, '--! Previous: -\n--! Hash: sha1:x\n\nCREATE TABLE a (id int PRIMARY KEY, note text);\n');
    writeFileSync(second, '--! Previous: sha1:x\n--! Hash: sha1:y\n\nCREATE TABLE b (id int PRIMARY KEY);\n');
    const current = path.join(root, 'migrations', 'current.sql');
    writeFileSync(current, 'ALTER TABLE a DROP COLUMN note;\nDROP TABLE a;\nDROP TABLE b;\n');
    const fs = new OverlayFileSystem();
    const project = loadProject(fs, root);
    const analyzer = new Analyzer(fs);
    const check = (expected) => {
      const reused = review(analyzer.analyzeProject(project));
      assert.deepEqual(reused, review(new Analyzer(fs).analyzeProject(project)));
      assert.equal(reused.length, expected, reused.join('\n'));
    };
    check(3);
    // current.sql changes (the history is reused): one drop fewer.
    fs.overlay.set(current, 'ALTER TABLE a DROP COLUMN note;\nDROP TABLE a;\n');
    check(2);
    // The history changes: `b` is renamed away in the last committed migration, `a` no longer created.
    fs.overlay.set(first, '--! Previous: -\n--! Hash: sha1:x\n\nCREATE TABLE c (id int PRIMARY KEY);\n');
    fs.overlay.set(current, 'DROP TABLE a;\nDROP TABLE b;\nDROP TABLE c;\n');
    check(2);
    fs.overlay.set(second, '--! Previous: sha1:x\n--! Hash: sha1:y\n\nCREATE TABLE b (id int PRIMARY KEY);\nALTER TABLE b RENAME TO d;\n');
    check(1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
