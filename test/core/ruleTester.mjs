// A small ESLint-RuleTester style harness for the core rules. A case is a project given as an object
// `{ 'migrations/current.sql': '...', 'migrations/committed/000001.sql': '<body>', ... }` (or just a string: the
// text of current.sql). It is written to a temporary folder and analysed as the CLI and the server do:
// `new Analyzer().analyzeProject(loadProject(diskFileSystem, dir))`, fixes as the rule writes them. Committed files given as a body get correct
// graphile-migrate headers and hash chain; text that starts with a `--! ` header, or `{ raw: text }`, is written as
// is; `{ symlink: target }` makes a symbolic link (target relative to the project folder); `null` leaves a file out
// (every project gets an empty `.gmrc` otherwise). Positions are 1-based, columns in UTF-16 units as editors count
// them, `endLine`/`endColumn` just after the last character (as in ESLint).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/core');
const load = async (p) => (await import(path.join(out, p))).default;

const analysisMod = await load('analysis.js');
const projectMod = await load('project.js');
const fileSystemMod = await load('fileSystem.js');
const parserMod = await load('sql/parser.js');
const textMod = await load('text.js');
const committedMod = await load('graphile/committedFile.js');
const rulesMod = await load('rules/index.js');

export const { Analyzer } = analysisMod;
export const { loadProject } = projectMod;
export const { diskFileSystem } = fileSystemMod;
export const { loadParser, parseScript } = parserMod;
export const { LineIndex } = textMod;
export const { formatCommittedFile, calculateHash, parseCommittedFile } = committedMod;
export const rules = rulesMod.rules;
export const outDir = out;

await loadParser();

const CURRENT = 'migrations/current.sql';
const tempDirs = [];
// On exit rather than in an after() hook: a root hook registered from a module imported later (rules.test.mjs
// imports the rule files dynamically) does not run.
process.on('exit', () => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes a project into a fresh temporary folder; returns the folder (real path). */
export function writeProject(files) {
  if (typeof files === 'string') files = { [CURRENT]: files };
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pgmig-core-')));
  tempDirs.push(dir);
  const all = { '.gmrc': '{}\n', ...files };
  let previous = null;
  const committed = Object.keys(all)
    .filter((f) => /(?:^|\/)committed\/[0-9]+(?:-[-_a-zA-Z0-9]*)?\.sql$/.test(f)) // graphile-migrate's committed names
    .sort();
  const texts = {};
  for (const f of committed) {
    let v = all[f];
    if (typeof v === 'string' && /^--! [A-Z]/.test(v)) v = { raw: v }; // already has headers: written as is
    if (typeof v === 'string') {
      const { text, hash } = formatCommittedFile({ body: v, previousHash: previous });
      texts[f] = text;
      previous = hash;
    } else if (v && typeof v.raw === 'string') {
      texts[f] = v.raw;
      previous = parseCommittedFile(v.raw).hash ?? previous;
    }
  }
  for (const [rel, v] of Object.entries(all)) {
    if (v === undefined || v === null) continue;
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (typeof v === 'object' && v.symlink) fs.symlinkSync(v.symlink.startsWith('/') ? v.symlink : path.join(dir, v.symlink), full);
    else if (typeof v === 'object' && v.dir) fs.mkdirSync(full, { recursive: true });
    else fs.writeFileSync(full, texts[rel] ?? (typeof v === 'string' ? v : v.raw));
  }
  return dir;
}

const rel = (dir, file) => path.relative(dir, file).split(path.sep).join('/');

/** 1-based line/column of a string offset (columns in UTF-16 units, as editors count). */
function position(text, offset) {
  const p = new LineIndex(text).position(offset);
  return { line: p.line + 1, column: p.character + 1 };
}

/** Analyses the project in `dir` and returns plain findings with 1-based positions. */
export function analyze(dir, configOverride) {
  // Each rule's fixes as the rule writes them: the step that fits every fix to its file (keyword case, a title that
  // names another file it edits) has its own tests (test/core/fixFitting.test.mjs).
  const analysis = new Analyzer(diskFileSystem, undefined, { fixesAsWritten: true }).analyzeProject(loadProject(diskFileSystem, dir), configOverride);
  const cache = new Map();
  const textOf = (file) => {
    if (!cache.has(file)) cache.set(file, fs.readFileSync(file, 'utf8'));
    return cache.get(file);
  };
  const findings = analysis.findings.map((f) => {
    const text = textOf(f.file);
    const s = position(text, f.start);
    const e = position(text, f.end);
    return {
      file: rel(dir, f.file),
      rule: f.rule,
      severity: f.severity,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
      message: f.message,
      text: text.slice(f.start, f.end),
      fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((ed) => ({ ...ed, file: rel(dir, ed.file) })) })),
      related: f.related.map((r) => ({ ...r, file: rel(dir, r.file) })),
    };
  });
  return { dir, analysis, findings };
}

/** Writes a project and analyses it. */
export function lint(files, configOverride) {
  return analyze(writeProject(files), configOverride);
}

/** Applies edits (of one or several fixes) to the files on disk; returns the new texts by relative path. */
export function applyEdits(dir, edits) {
  const byFile = new Map();
  for (const e of edits) {
    if (!byFile.has(e.file)) byFile.set(e.file, []);
    byFile.get(e.file).push(e);
  }
  const texts = {};
  for (const [file, list] of byFile) {
    const full = path.join(dir, file);
    let text = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
    list.sort((a, b) => b.start - a.start || b.end - a.end);
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i].end <= list[i - 1].start || (list[i].start === list[i].end && list[i - 1].start === list[i - 1].end),
        `overlapping edits in ${file}`);
    }
    for (const e of list) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    fs.writeFileSync(full, text);
    texts[file] = text;
  }
  return texts;
}

/** Applies fix number `fixIndex` of `finding` in the project at `dir`; returns the new texts by relative path. */
export function applyFix(dir, finding, fixIndex = 0) {
  const fix = finding.fixes[fixIndex];
  assert.ok(fix, `finding has no fix #${fixIndex}: ${finding.rule} ${finding.message}`);
  return applyEdits(dir, fix.edits);
}

export function readProjectFile(dir, file) {
  return fs.readFileSync(path.join(dir, file), 'utf8');
}

const ruleIds = new Set(rules.map((r) => r.id));
const defaults = new Map(rules.map((r) => [r.id, r.defaultSeverity]));

const CASE_KEYS = new Set(['name', 'code', 'files', 'errors', 'output', 'afterFix', 'config', 'noNewFindings']);

/** A case is SQL (current.sql), `{ code?, files?, ... }`, or a files object itself (`{ 'migrations/x.sql': ... }`). */
function caseFiles(c) {
  if (typeof c === 'string') return { [CURRENT]: c };
  if (c.files) return c.code !== undefined ? { ...c.files, [CURRENT]: c.code } : c.files;
  if (c.code !== undefined) return { [CURRENT]: c.code };
  return Object.fromEntries(Object.entries(c).filter(([k]) => !CASE_KEYS.has(k)));
}

function caseName(c, i, kind) {
  if (typeof c === 'object' && c.name) return c.name;
  const text = Object.values(caseFiles(c)).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' | ');
  const one = text.replace(/\s+/g, ' ').trim();
  return `${kind} #${i + 1}: ${one.length > 90 ? one.slice(0, 87) + '...' : one}`;
}

const show = (list) => list.map((f) => `  ${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.rule} ${JSON.stringify(f.text)}: ${f.message}`).join('\n') || '  (none)';

/** Checks `actual` findings (of one rule) against expected `errors`, in order. */
export function assertFindings(actual, errors, ruleId) {
  assert.equal(actual.length, errors.length, `expected ${errors.length} ${ruleId} finding(s), got ${actual.length}:\n${show(actual)}`);
  errors.forEach((want, i) => {
    const got = actual[i];
    const where = `finding ${i + 1} of ${ruleId}:\n${show([got])}`;
    assert.equal(got.file, want.file ?? CURRENT, where);
    for (const k of ['line', 'column', 'endLine', 'endColumn']) {
      assert.ok(want[k] !== undefined, `test case must give ${k} (positions are asserted exactly)`);
      assert.equal(got[k], want[k], `${k} of ${where}`);
    }
    if (want.message !== undefined) {
      if (want.message instanceof RegExp) assert.match(got.message, want.message, where);
      else assert.ok(got.message.includes(want.message), `message should contain ${JSON.stringify(want.message)}: ${where}`);
    }
    if (want.text !== undefined) assert.equal(got.text, want.text, where);
    assert.equal(got.severity, want.severity ?? defaults.get(ruleId), where);
    if (want.fixes !== undefined) assert.equal(got.fixes.length, want.fixes, `number of fixes of ${where}`);
  });
}

/**
 * Declares node:test cases for one rule. `valid`: cases that must produce no finding of the rule. `invalid`: cases
 * with `errors` (every finding of the rule, in file/position order, with exact positions). With `output` (the text
 * of current.sql, or `{ file: text }`), the first fix of every expected finding is applied and the files must read
 * so; the fixed project is then analysed again and must have no finding of the rule (or exactly `afterFix`).
 */
export function ruleTester(ruleId, { valid = [], invalid = [] }) {
  assert.ok(ruleIds.has(ruleId), `unknown rule ${ruleId}`);
  describe(ruleId, () => {
    valid.forEach((c, i) => {
      test(caseName(c, i, 'valid'), () => {
        const { findings } = lint(caseFiles(c), c.config);
        const mine = findings.filter((f) => f.rule === ruleId);
        assert.equal(mine.length, 0, `expected no ${ruleId} finding, got:\n${show(mine)}`);
      });
    });
    invalid.forEach((c, i) => {
      test(caseName(c, i, 'invalid'), () => {
        assert.ok(Array.isArray(c.errors) && c.errors.length > 0, 'an invalid case lists its errors');
        const { dir, findings } = lint(caseFiles(c), c.config);
        const mine = findings.filter((f) => f.rule === ruleId);
        assertFindings(mine, c.errors, ruleId);
        if (c.output === undefined) return;
        const edits = mine.flatMap((f) => {
          assert.ok(f.fixes.length > 0, `expected a fix for:\n${show([f])}`);
          return f.fixes[0].edits;
        });
        applyEdits(dir, edits);
        const expected = typeof c.output === 'string' ? { [CURRENT]: c.output } : c.output;
        for (const [file, text] of Object.entries(expected)) assert.equal(readProjectFile(dir, file), text, `${file} after the fix`);
        const again = analyze(dir, c.config).findings;
        assertFindings(again.filter((f) => f.rule === ruleId), c.afterFix ?? [], ruleId);
        if (c.noNewFindings !== false) {
          // A fix must not break the file: no syntax error appears.
          const broken = again.filter((f) => f.rule === 'syntax-error');
          assert.equal(broken.length, findings.filter((f) => f.rule === 'syntax-error').length, `the fix introduced a syntax error:\n${show(broken)}`);
        }
      });
    });
  });
}
