// The Alembic revision graph read from `<script_location>/versions/*.py` as text (never run: Python is code):
// `revision`, `down_revision` (None, a string, or a tuple of strings for merges), heads and bases.
import type { spawn as Spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FileSystem } from '../fileSystem';
import type { LayoutMigration } from './types';

export interface AlembicRevision extends LayoutMigration {
  /** The revision id (also `id`). */
  revision: string;
  /** Parents: none for a base, two or more for a merge. */
  downRevisions: string[];
  /** Where `revision = ...` is written (offsets in the file), for diagnostics and CodeLens. */
  revisionAt: { start: number; end: number };
  /** The docstring's first line (alembic's message). */
  message: string;
  /** `branch_labels` (an independent branch made with `alembic revision --head base --branch-label NAME`). */
  branchLabels: string[];
}

export interface AlembicGraph {
  revisions: AlembicRevision[];
  heads: string[];
  bases: string[];
  /** Version files that could not be read as revisions (a Python syntax error, no `revision = '...'`, ...). */
  problems: { file: string; message: string; at?: { start: number; end: number } }[];
}

const REVISION = /^revision\s*(?::[^=\n]*)?=\s*(['"])([^'"]+)\1/m;
const DOWN_REVISION = /^down_revision\s*(?::[^=\n]*)?=\s*/m;

/** Parses a Python literal alembic allows for down_revision: None, 'x', ('a', 'b'), ['a', 'b'] (multi-line ok). */
function parseDownRevision(text: string, from: number): string[] | undefined {
  const rest = text.slice(from);
  if (/^None\b/.test(rest)) return [];
  const single = /^(['"])([^'"]*)\1/.exec(rest);
  if (single) return single[2] ? [single[2]] : [];
  const open = rest[0];
  if (open === '(' || open === '[') {
    const close = rest.indexOf(open === '(' ? ')' : ']');
    if (close < 0) return undefined;
    return [...rest.slice(1, close).matchAll(/(['"])([^'"]+)\1/g)].map((m) => m[2]);
  }
  return undefined;
}

/** One version file, or undefined when it is not one (helpers, `__init__.py`). */
export function parseVersionFile(file: string, text: string): Omit<AlembicRevision, 'index'> | { problem: string } | undefined {
  const rev = REVISION.exec(text);
  if (!rev) return /^down_revision\b/m.test(text) ? { problem: 'has down_revision but no `revision = "..."`' } : undefined;
  const dr = DOWN_REVISION.exec(text);
  if (!dr) return { problem: 'has no down_revision' };
  const downRevisions = parseDownRevision(text, dr.index + dr[0].length);
  if (!downRevisions) return { problem: 'down_revision is not None, a string or a tuple of strings' };
  const bl = /^branch_labels\s*(?::[^=\n]*)?=\s*/m.exec(text);
  const branchLabels = (bl && parseDownRevision(text, bl.index + bl[0].length)) || [];
  const doc = /^\s*(?:[rubRUB]{0,2})("""|''')\s*([^\n]*)/.exec(text);
  const start = rev.index + rev[0].indexOf(rev[1]);
  return {
    id: rev[2],
    revision: rev[2],
    name: path.basename(file, '.py'),
    file,
    downRevisions,
    revisionAt: { start, end: start + rev[2].length + 2 },
    message: doc?.[2].trim() ?? '',
    branchLabels,
  };
}

/** The revision graph of a versions folder, ordered from the bases to the heads (ties by file name). */
export function readAlembicGraph(fsys: FileSystem, folder: string): AlembicGraph {
  const problems: AlembicGraph['problems'] = [];
  const found: Omit<AlembicRevision, 'index'>[] = [];
  const files = fsys
    .list(folder)
    .filter((n) => n.endsWith('.py'))
    .sort()
    .map((name) => ({ file: path.join(folder, name), text: fsys.read(path.join(folder, name)) ?? '' }));
  // alembic imports every version file: one that does not compile stops every alembic command.
  const syntax = pythonSyntaxErrors(files.map((f) => f.text));
  files.forEach(({ file, text }, i) => {
    const e = syntax[i];
    if (e) problems.push({ file, message: `is not valid Python (line ${e.line}: ${e.message}): every alembic command fails until it is fixed`, at: { start: e.offset, end: Math.min(text.length, e.offset + 1) } });
    // Its revision still stands in the graph as the text gives it: the files after it are not reported too.
    const r = parseVersionFile(file, text);
    if (!r) return;
    if (e && 'problem' in r) return;
    if ('problem' in r) problems.push({ file, message: r.problem });
    else found.push(r);
  });
  const byId = new Map(found.map((r) => [r.revision, r]));
  for (const r of found) {
    for (const d of r.downRevisions) if (!byId.has(d)) problems.push({ file: r.file, message: `has down_revision ${d}, which matches no revision in ${folder}` });
  }
  const isParent = new Set(found.flatMap((r) => r.downRevisions));
  // Kahn's algorithm: a revision comes after all of its parents.
  const ordered: AlembicRevision[] = [];
  const placed = new Set<string>();
  let rest = found;
  while (rest.length) {
    const ready = rest.filter((r) => r.downRevisions.every((d) => placed.has(d) || !byId.has(d)));
    if (!ready.length) {
      for (const r of rest) problems.push({ file: r.file, message: 'is part of a cycle of down_revisions' });
      break;
    }
    for (const r of ready) {
      placed.add(r.revision);
      ordered.push({ ...r, index: ordered.length });
    }
    rest = rest.filter((r) => !placed.has(r.revision));
  }
  return {
    revisions: ordered,
    heads: ordered.filter((r) => !isParent.has(r.revision)).map((r) => r.revision),
    bases: ordered.filter((r) => r.downRevisions.length === 0).map((r) => r.revision),
    problems,
  };
}

/** The revisions at or below `revs` (what is applied when alembic_version holds them). */
export function ancestors(graph: AlembicGraph, revs: string[]): Set<string> {
  const byId = new Map(graph.revisions.map((r) => [r.revision, r]));
  const out = new Set<string>();
  const stack = [...revs];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    for (const d of byId.get(id)?.downRevisions ?? []) stack.push(d);
  }
  return out;
}


export interface PythonSyntaxError {
  line: number;
  message: string;
  /** String offset of the error in the file. */
  offset: number;
}

const syntaxCache = new Map<string, PythonSyntaxError | null>();
// Compiles (ast.parse: nothing is executed) each text given as JSON on stdin; prints [line, column, message] or null.
const CHECK = 'import sys, json, ast\nout = []\nfor t in json.load(sys.stdin):\n    try:\n        ast.parse(t)\n        out.append(None)\n    except SyntaxError as e:\n        out.append([e.lineno or 1, e.offset or 1, e.msg])\n    except Exception as e:\n        out.append([1, 1, str(e)])\nprint(json.dumps(out))\n';
let python: string | null | undefined;

const textKey = (t: string) => createHash('sha1').update(t).digest('hex');

/** Python's answers (printed by CHECK) for `todo`, cached by text. */
function remember(todo: string[], stdout: string): void {
  const results: ([number, number, string] | null)[] = JSON.parse(stdout);
  todo.forEach((t, i) => {
    const e = results[i];
    syntaxCache.set(textKey(t), e ? { line: e[0], message: e[2], offset: offsetOf(t, e[0], e[1]) } : null);
  });
}

/**
 * The Python syntax error of each text (undefined: none, or no Python on this machine to ask), from Python's own
 * parser, with nothing run. Results are cached by text, so an unchanged folder costs no process.
 */
export function pythonSyntaxErrors(texts: string[]): (PythonSyntaxError | undefined)[] {
  const todo = [...new Set(texts.filter((t) => !syntaxCache.has(textKey(t))))];
  if (todo.length && python !== null) {
    // Required here: child_process (with net, dgram and tty it loads) costs every `pgmig lint` start ~5 ms otherwise,
    // and only an Alembic project with Python files gets this far.
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    for (const candidate of python ? [python] : ['python3', 'python']) {
      const r = spawnSync(candidate, ['-c', CHECK], { input: JSON.stringify(todo), encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30_000 });
      if (r.status !== 0 || r.error) continue;
      python = candidate;
      remember(todo, r.stdout);
      break;
    }
    if (!python) python = null;
  }
  return texts.map((t) => syntaxCache.get(textKey(t)) ?? undefined);
}

/**
 * Asks Python about `texts` without blocking, so that pythonSyntaxErrors then finds them cached: the language server
 * awaits this before analysing an Alembic project (Python's start, run synchronously inside the analysis, held every
 * other request of the server for ~250 ms, the Migrations view's status among them). A failure here only leaves
 * the question to pythonSyntaxErrors.
 */
export async function preparePythonSyntaxErrors(texts: string[]): Promise<void> {
  const todo = [...new Set(texts.filter((t) => !syntaxCache.has(textKey(t))))];
  if (!todo.length || python === null) return;
  const { spawn } = require('node:child_process') as typeof import('node:child_process'); // not at load: see above
  for (const candidate of python ? [python] : ['python3', 'python']) {
    const stdout = await new Promise<string | undefined>((resolve) => {
      let out = '';
      let child: ReturnType<typeof Spawn>;
      try {
        child = spawn(candidate, ['-c', CHECK], { stdio: ['pipe', 'pipe', 'ignore'], timeout: 30_000 });
      } catch {
        resolve(undefined);
        return;
      }
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stdin!.on('error', () => undefined); // no such program: reported by 'error' below
      child.on('error', () => resolve(undefined));
      child.on('close', (code) => resolve(code === 0 ? out : undefined));
      child.stdin!.end(JSON.stringify(todo));
    });
    if (stdout === undefined) continue;
    try {
      remember(todo, stdout);
      python = candidate;
    } catch {
      /* unreadable answer: pythonSyntaxErrors asks again */
    }
    return;
  }
  python = null;
}

/** Python's 1-based line and column (characters) as a string offset. */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return Math.min(text.length, at + Math.max(0, column - 1));
}

/** The independent parts of the graph (revisions connected through down_revisions), each with its heads and labels. */
export function components(graph: AlembicGraph): { revisions: AlembicRevision[]; heads: string[]; labels: string[] }[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    while (parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  for (const r of graph.revisions) parent.set(r.revision, r.revision);
  for (const r of graph.revisions) for (const d of r.downRevisions) if (parent.has(d)) parent.set(find(r.revision), find(d));
  const groups = new Map<string, AlembicRevision[]>();
  for (const r of graph.revisions) groups.set(find(r.revision), [...(groups.get(find(r.revision)) ?? []), r]);
  const heads = new Set(graph.heads);
  return [...groups.values()].map((revisions) => ({
    revisions,
    heads: revisions.filter((r) => heads.has(r.revision)).map((r) => r.revision),
    labels: revisions.flatMap((r) => r.branchLabels),
  }));
}
