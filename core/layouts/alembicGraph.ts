// The Alembic revision graph read from `<script_location>/versions/*.py` as text (never run: Python is code):
// `revision`, `down_revision` (None, a string, or a tuple of strings for merges), heads and bases.
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
}

export interface AlembicGraph {
  revisions: AlembicRevision[];
  heads: string[];
  bases: string[];
  /** Version files that could not be read as revisions (no `revision = '...'`). */
  problems: { file: string; message: string }[];
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
  };
}

/** The revision graph of a versions folder, ordered from the bases to the heads (ties by file name). */
export function readAlembicGraph(fsys: FileSystem, folder: string): AlembicGraph {
  const problems: AlembicGraph['problems'] = [];
  const found: Omit<AlembicRevision, 'index'>[] = [];
  for (const name of fsys.list(folder).filter((n) => n.endsWith('.py')).sort()) {
    const file = path.join(folder, name);
    const r = parseVersionFile(file, fsys.read(file) ?? '');
    if (!r) continue;
    if ('problem' in r) problems.push({ file, message: r.problem });
    else found.push(r);
  }
  const byId = new Map(found.map((r) => [r.revision, r]));
  for (const r of found) {
    for (const d of r.downRevisions) if (!byId.has(d)) problems.push({ file: r.file, message: `down_revision ${d} matches no revision in ${folder}` });
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

