// Files written for `psql -f`: psql meta-commands (`\set ON_ERROR_STOP on`, `\echo`, `\i file`, `\if`) are not SQL.
// The analysis parses such files with the meta-commands blanked out (same length, so every offset still points into
// the file), and the numbered layout runs them the way psql would for the common commands, refusing the others
// before anything runs, with the line and the way out. Also here: Drizzle's `--> statement-breakpoint` marks the end
// of a statement even without a `;` (drizzle runs the chunks one by one), so the parser is given a `;` there.
import path from 'node:path';
import { EngineError } from '../engine/errors';
import type { FileSystem } from '../fileSystem';

export interface PsqlMetaCommand {
  /** From the backslash to the end of the line (the line break excluded). */
  start: number;
  end: number;
  /** 1-based line of the backslash. */
  line: number;
  /** The command without its backslash: `set`, `echo`, `i`, `if`, ... */
  name: string;
  args: string;
}

/**
 * The meta-commands of a psql script: an unquoted backslash outside comments, string literals, quoted identifiers
 * and dollar-quoted bodies starts one, up to the end of its line (as psql reads them).
 */
export function psqlMetaCommands(text: string): PsqlMetaCommand[] {
  const out: PsqlMetaCommand[] = [];
  if (!text.includes('\\')) return out;
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (depth++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (depth--, (i += 2));
        else {
          if (text[i] === '\n') line++;
          i++;
        }
      }
    } else if (c === "'" || c === '"') {
      // E'...' strings take backslash escapes; '' and "" are the quote itself.
      const escapes = c === "'" && /[eE]/.test(text[i - 1] ?? '') && !/[\w$]/.test(text[i - 2] ?? '');
      i++;
      while (i < n) {
        if (escapes && text[i] === '\\') i += 2;
        else if (text[i] === c && text[i + 1] === c) i += 2;
        else if (text[i] === c) break;
        else {
          if (text[i] === '\n') line++;
          i++;
        }
      }
      i++;
    } else if (c === '$' && !/[\w$]/.test(text[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_][\w]*)?\$/.exec(text.slice(i, i + 64));
      if (!tag) {
        i++;
        continue;
      }
      const close = text.indexOf(tag[0], i + tag[0].length);
      const stop = close < 0 ? n : close + tag[0].length;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      i = stop;
    } else if (c === '\\') {
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      if (text[end - 1] === '\r') end--;
      const body = text.slice(i + 1, end);
      const m = /^([A-Za-z_!?]\w*|\\)?\s*(.*)$/s.exec(body)!;
      out.push({ start: i, end, line, name: m[1] ?? '', args: m[2].trim() });
      i = end;
    } else {
      i++;
    }
  }
  return out;
}

/** The text with every meta-command blanked (spaces; line breaks kept): what PostgreSQL's parser should see. */
export function maskPsql(text: string): string {
  const cmds = psqlMetaCommands(text);
  if (!cmds.length) return text;
  let out = '';
  let at = 0;
  for (const c of cmds) {
    out += text.slice(at, c.start) + ' '.repeat(c.end - c.start);
    at = c.end;
  }
  return out + text.slice(at);
}

const BREAKPOINT = /--> statement-breakpoint/g;

/** Drizzle's breakpoint ends a statement: `--> statement-breakpoint` becomes `;-- statement-breakpoint` (same length). */
export function maskBreakpoints(text: string): string {
  return text.includes('--> statement-breakpoint') ? text.replace(BREAKPOINT, (m) => ';--' + m.slice(3)) : text;
}

/** What the parser of a file of this layout should see (same length as `text`). */
export function parseTextFor(layout: string | undefined, text: string): string {
  if (layout === 'drizzle') return maskBreakpoints(text);
  if (layout === 'numbered') return maskPsql(text);
  return text;
}

// psql variables that change only psql's own output, or its error handling in the way pgmig always behaves
// (ON_ERROR_STOP: pgmig stops at the first error and rolls the migration back).
const HARMLESS_SET = /^(?:ON_ERROR_STOP|ON_ERROR_ROLLBACK|QUIET|ECHO|ECHO_HIDDEN|VERBOSITY|SHOW_CONTEXT|FETCH_COUNT)\b/i;
const OUTPUT_ONLY = new Set(['echo', 'qecho', 'warn', 'timing', 'pset', 'x', 'a', 't', 'H', 'C', 'f', 'unset', 'encoding', 'conninfo']);
const INCLUDE = new Set(['i', 'include', 'ir', 'include_relative']);

/** One step of a psql script as pgmig runs it: SQL (with where it sits in its file), or a message psql would print. */
export type PsqlStep = { sql: string; file: string; offset: number; fileText: string } | { echo: string };

/**
 * The steps psql would run for `text` (from `file`), following `\i` / `\ir`; refuses (EngineError 'refused', before
 * anything runs) a meta-command pgmig cannot honour, naming the file and line and the way out.
 */
export function psqlSteps(fsys: FileSystem, file: string, text: string, depth = 0): PsqlStep[] {
  const cmds = psqlMetaCommands(text);
  if (!cmds.length) return [{ sql: text, file, offset: 0, fileText: text }];
  const steps: PsqlStep[] = [];
  let at = 0;
  for (const c of cmds) {
    steps.push({ sql: text.slice(at, c.start), file, offset: at, fileText: text });
    at = c.end;
    const where = `${file}:${c.line}`;
    if (c.name === 'set' && (c.args === '' || HARMLESS_SET.test(c.args))) continue;
    if (OUTPUT_ONLY.has(c.name)) {
      if (c.name === 'echo' || c.name === 'qecho' || c.name === 'warn') steps.push({ echo: c.args.replace(/^'(.*)'$/s, '$1') });
      continue;
    }
    if (INCLUDE.has(c.name)) {
      const name = c.args.replace(/^'(.*)'$/s, '$1');
      // \ir is relative to this file; \i to psql's working folder, which pgmig does not know: this file's folder
      // first (the usual `cd migrations && psql -f`), then the project's.
      const candidates = c.name.startsWith('ir') || c.name === 'include_relative' ? [path.resolve(path.dirname(file), name)] : [path.resolve(path.dirname(file), name), path.resolve(path.dirname(file), '..', name)];
      const found = candidates.find((f) => fsys.read(f) !== undefined);
      if (!found) throw new EngineError('refused', `${where}: \\${c.name} ${name}: no such file (looked at ${candidates.join(', ')}); fix the path or inline the file`);
      if (depth > 16) throw new EngineError('refused', `${where}: \\${c.name} ${name}: files include each other`);
      steps.push(...psqlSteps(fsys, found, fsys.read(found)!, depth + 1));
      continue;
    }
    throw new EngineError(
      'refused',
      `${where}: psql meta-command \\${c.name}${c.args ? ' ' + c.args : ''} needs psql, and pgmig runs migrations itself: write it as SQL (a DO block instead of \\if, SET instead of \\set) or remove the line; pgmig follows \\set ON_ERROR_STOP, \\echo, \\i and \\ir`,
    );
  }
  steps.push({ sql: text.slice(at), file, offset: at, fileText: text });
  return steps.filter((s) => !('sql' in s) || s.sql.trim() !== '');
}
