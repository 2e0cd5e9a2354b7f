// Text that runs on the database, and the way back from a database error position to the file a human edits:
// placeholders substituted (as graphile-migrate does, with a map of the replacements), a chain of offset maps
// through include expansion, and the error formatted as file:line:column with a caret excerpt.
import { LineIndex, skipTrivia } from '../text';
import { splitStatements } from '../sql/splitter';
import { EngineError, isPgServerError, type SqlErrorLocation } from './errors';

/** A place in a real file. */
export interface FileOffset {
  file: string;
  offset: number;
}

/** Text to run plus how to find where each of its offsets came from. */
export interface RunnableText {
  text: string;
  /** The file text name used in messages when nothing better is known (e.g. `current.sql`). */
  label: string;
  toSource(offset: number): FileOffset;
}

function escapeRegexp(s: string): string {
  return s.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');
}

/** graphile-migrate's placeholder replacement: `(?:key1|key2)\b`, unknown values become ''. */
export function substitutePlaceholders(
  text: string,
  placeholders: Record<string, string>,
): { text: string; toInput(offset: number): number } {
  const keys = Object.keys(placeholders);
  // Most texts name no placeholder: no regular expression to build.
  if (!keys.some((k) => text.includes(k))) return { text, toInput: (o) => o };
  const re = new RegExp('(?:' + keys.map(escapeRegexp).join('|') + ')\\b', 'g');
  // Each replacement: output [outStart, outEnd) came from input [inStart, inEnd).
  const repl: { outStart: number; outEnd: number; inStart: number; inEnd: number }[] = [];
  let delta = 0;
  const out = text.replace(re, (kw: string, at: number) => {
    const value = placeholders[kw] || '';
    repl.push({ outStart: at + delta, outEnd: at + delta + value.length, inStart: at, inEnd: at + kw.length });
    delta += value.length - kw.length;
    return value;
  });
  if (!repl.length) return { text, toInput: (o) => o };
  return {
    text: out,
    toInput(offset: number) {
      let shift = 0;
      for (const r of repl) {
        if (offset < r.outStart) break;
        if (offset < r.outEnd) return r.inStart; // inside a substituted value: point at the placeholder
        shift = r.inEnd - r.outEnd;
      }
      return offset + shift;
    },
  };
}

/** Builds the placeholder table for one database, as graphile-migrate does (reserved names cannot be redefined). */
export function placeholdersFor(user: Record<string, string>, databaseName: string, databaseOwner: string): Record<string, string> {
  return { ...user, ':DATABASE_NAME': databaseName, ':DATABASE_OWNER': databaseOwner };
}

/** graphile-migrate's `--! no-transaction` test: on the first line of the (substituted) text. */
export function isNoTransaction(sql: string): boolean {
  const i = sql.indexOf('\n');
  const first = i > 0 ? sql.substring(0, i) : sql;
  return /^--!\s*no-transaction\b/.test(first);
}

/** True when the text holds nothing but whitespace and comments (graphile-migrate: pg-minify gives ''). */
export function isBlankSql(text: string): boolean {
  return skipTrivia(text, 0) >= text.length;
}

/** A comparison key that ignores comments and whitespace between statements (watch's "unchanged" test). */
export function sqlFingerprint(text: string): string {
  const parts: string[] = [];
  for (const p of splitStatements(text)) {
    const s = skipTrivia(text, p.start, p.end);
    if (s < p.end) parts.push(text.slice(s, p.end).trim());
  }
  return parts.join(';\n');
}

/** PostgreSQL positions count characters (code points), 1-based; JS offsets count UTF-16 units, 0-based. */
export function positionToOffset(text: string, position: number): number {
  let chars = 0;
  let i = 0;
  while (i < text.length && chars < position - 1) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    chars++;
  }
  return i;
}

/** Line, column (1-based) and a caret excerpt for an offset in a file's text. */
export function describeLocation(file: string, text: string, offset: number): SqlErrorLocation {
  const index = new LineIndex(text);
  const { line, character } = index.position(offset);
  const first = Math.max(0, line - 2);
  const lines: string[] = [];
  for (let l = first; l <= line; l++) lines.push(`${String(l + 1).padStart(5)} | ${index.lineText(l)}`);
  const caretIndent = index.lineText(line).slice(0, character).replace(/[^\t]/g, ' ');
  lines.push(`${' '.repeat(5)} | ${caretIndent}^`);
  return { file, offset, line: line + 1, column: character + 1, excerpt: lines.join('\n') };
}

/**
 * Turns an error thrown while running `runnable` into an EngineError. A server error with a position is mapped
 * to the exact file, line and column; without one, `statementOffset` (where a replay found the failing statement,
 * an offset of `runnable.text`) is used. `readFile` gives the text of files reached through the map.
 */
export function sqlError(e: unknown, runnable: RunnableText, readFile: (file: string) => string | undefined, statementOffset?: number): unknown {
  if (!isPgServerError(e)) return e;
  const pos = e.position !== undefined ? Number(e.position) : NaN;
  const offset = Number.isFinite(pos) && pos > 0 ? positionToOffset(runnable.text, pos) : statementOffset;
  let location: SqlErrorLocation | undefined;
  if (offset !== undefined) {
    const at = runnable.toSource(offset);
    const text = readFile(at.file);
    if (text !== undefined) location = describeLocation(at.file, text, Math.min(at.offset, text.length));
  }
  const where = location ? `${location.file}:${location.line}:${location.column}: ` : `${runnable.label}: `;
  return new EngineError('sql', `${where}${e.code}: ${e.message}`, {
    sqlstate: e.code,
    location,
    detail: e.detail || undefined,
    hint: e.hint || undefined,
    cause: e,
  });
}

/**
 * PostgreSQL refuses a query that contains a NUL byte with `08P01 invalid message format`, which says neither what
 * nor where. A text holding one is not sent: the error names the first NUL's file, line and column instead (lint
 * reports it the same way, as a syntax-error finding).
 */
export function nulByteError(runnable: RunnableText, readFile: (file: string) => string | undefined): EngineError | undefined {
  const at = runnable.text.indexOf('\0');
  if (at < 0) return undefined;
  const reason = 'NUL byte in the text: PostgreSQL rejects text that contains one (invalid message format); remove it';
  const src = runnable.toSource(at);
  const text = readFile(src.file);
  const location = text !== undefined ? describeLocation(src.file, text, Math.min(src.offset, text.length)) : undefined;
  const where = location ? `${location.file}:${location.line}:${location.column}: ` : `${runnable.label}: `;
  // The cause carries the bare reason, as a server error would (commit re-words it for current.sql).
  return new EngineError('sql', `${where}08P01: ${reason}`, { sqlstate: '08P01', location, cause: new Error(reason) });
}
