// An Analyzer that re-analyses after edits (incremental re-parse, replay from a checkpoint) must find exactly what
// a fresh Analyzer finds on the same text.
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

function rng(seed) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

function summary(analysis) {
  const tables = [...analysis.model.tables.values()].map((t) => ({
    name: `${t.schema}.${t.name}`,
    columns: [...t.columns.values()].map((c) => [c.name, c.type, c.notNull, c.hasDefault, c.created.start]),
    indexes: t.indexes.map((i) => [i.name, i.kind, i.columns.join(',')]),
    fks: t.foreignKeys.map((f) => [f.name, f.columns.join(','), f.references.name]),
    rls: t.rls,
    policies: t.policies.map((p) => p.name),
    references: t.references.map((r) => `${path.basename(r.file)}:${r.start}-${r.end}`),
  }));
  const findings = analysis.findings.map((f) => ({ rule: f.rule, file: path.basename(f.file), start: f.start, end: f.end, message: f.message, fixes: JSON.stringify(f.fixes) }));
  return { tables, findings };
}

test('re-analysing after random edits of current.sql equals a fresh analysis', async () => {
  await loadParser();
  const root = mkdtempSync(path.join(os.tmpdir(), 'pgmig-incremental-'));
  try {
    mkdirSync(path.join(root, 'migrations', 'committed'), { recursive: true });
    writeFileSync(path.join(root, '.gmrc'), '{}');
    writeFileSync(path.join(root, 'migrations', 'committed', '000001.sql'), '--! Previous: -\n--! Hash: sha1:x\n\nCREATE TABLE base (id int PRIMARY KEY, note text);\n');
    const lines = [];
    for (let i = 0; i < 150; i++) {
      lines.push(`CREATE TABLE IF NOT EXISTS t_${i} (id int PRIMARY KEY, base_id int REFERENCES base (id), note text);`);
      lines.push(`ALTER TABLE t_${i} ALTER COLUMN note SET NOT NULL;`);
      lines.push(`ALTER TABLE base ADD COLUMN IF NOT EXISTS c_${i} text;`);
      if (i % 3 === 0) lines.push(`ALTER TABLE t_${i} ENABLE ROW LEVEL SECURITY;`);
      if (i % 5 === 0) lines.push(`DROP TABLE IF EXISTS t_${i - 1};`);
      if (i % 7 === 0) lines.push(`ALTER TABLE t_${i} RENAME COLUMN note TO note_${i};`);
      if (i % 11 === 0) lines.push('SET search_path TO other;', 'CREATE TABLE IF NOT EXISTS x (a int);', 'RESET search_path;');
    }
    const current = path.join(root, 'migrations', 'current.sql');
    let text = lines.join('\n') + '\n';
    writeFileSync(current, text);
    const fs = new OverlayFileSystem();
    const project = loadProject(fs, root);
    const analyzer = new Analyzer(fs);
    analyzer.analyzeProject(project);
    const random = rng(3);
    const pieces = ['x', ' ', ';', 'NOT NULL ', 'ALTER TABLE base DROP COLUMN note;\n', "'", '-- c\n', 'CREATE INDEX IF NOT EXISTS ON t_3 (base_id);\n'];
    let focus = Math.floor(text.length / 2);
    for (let i = 0; i < 80; i++) {
      // Mostly edits near the previous one (typing), sometimes a jump.
      if (random() < 0.2) focus = Math.floor(random() * text.length);
      focus = Math.max(0, Math.min(text.length, focus + Math.floor(random() * 40) - 20));
      const insert = pieces[Math.floor(random() * pieces.length)];
      const del = random() < 0.3 ? Math.floor(random() * 8) : 0;
      text = text.slice(0, focus) + insert + text.slice(focus + del);
      fs.overlay.set(current, text);
      const incremental = summary(analyzer.analyzeProject(project));
      const fresh = summary(new Analyzer(fs).analyzeProject(project));
      assert.deepEqual(incremental, fresh, `after edit ${i}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
