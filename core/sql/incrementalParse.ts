// Re-parsing after an edit without parsing the whole file again: the statements before and after the edited region
// are kept (those after it shifted), and only the top-level statements the edit touches are parsed. This is what
// keeps typing in a 2,000-statement current.sql fast. It gives exactly what parseScript gives, or falls back to it:
// the re-parsed region must start right after a top-level semicolon, parse cleanly, and end with a real semicolon
// token (or at the end of the text), so the scanner's state where the kept text resumes is the same as before.
import { type ParsedScript, type ParseOptions, parseScript, type Statement } from './parser';

/** Where each top-level statement's text ends including its semicolon; undefined when one lacks it (not last). */
function boundaries(parsed: ParsedScript): number[] | undefined {
  const text = parsed.text;
  const out: number[] = [0];
  const tops = parsed.statements.filter((s) => !s.parent);
  for (let i = 0; i < tops.length; i++) {
    let j = tops[i].end;
    while (j < text.length && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13)) j++;
    if (text[j] === ';') out.push(j + 1);
    else if (i === tops.length - 1) out.push(text.length);
    else return undefined;
  }
  if (out[out.length - 1] !== text.length) out.push(text.length);
  return out;
}

/** For a statement's `at` made by shiftedAt: the original and the total shift, so that a statement shifted by edit
 * after edit stays one call deep (a closure over the previous closure grew by one call per edit, and every
 * location lookup paid for all of them: 100 edits made each edit's analysis several times slower). */
const shifts = new WeakMap<(l: number | undefined) => number, { base: (l: number | undefined) => number; by: number }>();

function shiftedAt(at: (l: number | undefined) => number, delta: number): (l: number | undefined) => number {
  if (delta === 0) return at;
  const prior = shifts.get(at);
  const base = prior?.base ?? at;
  const by = (prior?.by ?? 0) + delta;
  const shiftedFn = (l: number | undefined) => base(l) + by;
  shifts.set(shiftedFn, { base, by });
  return shiftedFn;
}

function shifted(s: Statement, delta: number, parent: Statement | undefined): Statement {
  if (delta === 0 && parent === s.parent) return s;
  // Named fields, not `...s`: V8 builds a literal that starts with a spread on a slow path, and an edit shifts every
  // statement after it.
  return { type: s.type, node: s.node, start: s.start + delta, end: s.end + delta, at: shiftedAt(s.at, delta), parent, guard: s.guard };
}

/** Parses `text`, an edit of `previous.text`, reusing `previous` where the edit cannot change it. */
export function reparseScript(previous: ParsedScript, text: string, options: ParseOptions = {}): ParsedScript {
  const old = previous.text;
  if (previous.errors.length > 0 || previous.unparsed || old.length < 4096) return parseScript(text, options);
  const bounds = boundaries(previous);
  if (!bounds) return parseScript(text, options);

  // The edited region: common prefix and suffix of the two texts.
  const max = Math.min(old.length, text.length);
  // Block-wise first (string comparison is native), then character by character within the differing block.
  const BLOCK = 512;
  let p = 0;
  while (p + BLOCK <= max && old.slice(p, p + BLOCK) === text.slice(p, p + BLOCK)) p += BLOCK;
  while (p < max && old.charCodeAt(p) === text.charCodeAt(p)) p++;
  let s = 0;
  while (s + BLOCK <= max - p && old.slice(old.length - s - BLOCK, old.length - s) === text.slice(text.length - s - BLOCK, text.length - s)) s += BLOCK;
  while (s < max - p && old.charCodeAt(old.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
  if (p === old.length && p === text.length) return previous;
  const delta = text.length - old.length;

  // Widen to statement boundaries of the old text: the last boundary at or before the edit's start (strictly before
  // when the edit starts at a boundary with a deletion of its semicolon is covered by `p` itself), the first at or
  // after its end.
  let a = 0;
  for (const b of bounds) if (b <= p) a = b;
  let oldEnd = old.length;
  for (const b of bounds) {
    if (b >= old.length - s && b >= a) {
      oldEnd = b;
      break;
    }
  }
  const newEnd = oldEnd + delta;
  if (newEnd < a) return parseScript(text, options);
  const regionText = text.slice(a, newEnd);
  // The region must end with a semicolon token (checked below) unless it runs to the end of the text.
  if (newEnd < text.length && !regionText.endsWith(';')) return parseScript(text, options);

  const region = parseScript(regionText, options);
  if (region.errors.length > 0 || region.unparsed) return parseScript(text, options);
  if (newEnd < text.length) {
    // The final semicolon must be a token, not the end of a comment: the last statement ends right before it.
    const tops = region.statements.filter((x) => !x.parent);
    const last = tops[tops.length - 1];
    if (!last) {
      if (regionText.trim() !== ';' && /--|\/\*/.test(regionText)) return parseScript(text, options);
    } else {
      const tail = regionText.slice(last.end);
      if (!/^\s*;$/.test(tail)) return parseScript(text, options);
    }
  }

  const statements: Statement[] = [];
  const mapped = new Map<Statement, Statement>();
  for (const st of previous.statements) {
    const top = st.parent ?? st;
    if (top.end <= a) statements.push(st);
  }
  for (const st of region.statements) {
    const parent = st.parent ? mapped.get(st.parent) : undefined;
    const moved = shifted(st, a, parent);
    mapped.set(st, moved);
    statements.push(moved);
  }
  for (const st of previous.statements) {
    const top = st.parent ?? st;
    if (top.start >= oldEnd) {
      const parent = st.parent ? mapped.get(st.parent) : undefined;
      const moved = shifted(st, delta, parent);
      mapped.set(st, moved);
      statements.push(moved);
    }
  }
  return { text, statements, errors: [] };
}

