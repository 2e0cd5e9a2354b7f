// Syntax errors inside PL/pgSQL: the bodies of LANGUAGE plpgsql functions and procedures, and DO blocks. The SQL
// grammar sees a body as a string; PostgreSQL compiles it at CREATE FUNCTION (check_function_bodies, on by default)
// or when the DO block runs, and only then rejects it. libpg-query's PL/pgSQL parser gives the message but no
// position: the position is found by parsing ever shorter prefixes of the body (the parser stops at the same token
// whenever the text up to that token is there). Results are cached by the statement's text, so keystrokes elsewhere
// cost a lookup, and by script, so an unchanged history costs nothing.
import { plpgsqlError } from '../sql/pgQuery';
import { maskPlaceholders, type Statement } from '../sql/parser';
import type { Script } from '../script';

export interface BodyError {
  /** Offsets in the script's text. */
  start: number;
  end: number;
  message: string;
}

const str = (n: any): string => n?.String?.sval ?? '';

/** The PL/pgSQL body of a statement (function, procedure or DO block), or undefined. */
function plpgsqlBody(s: Statement): string | undefined {
  let language = s.type === 'DoStmt' ? 'plpgsql' : '';
  let body: string | undefined;
  const options: any[] = s.type === 'DoStmt' ? s.node.args : s.type === 'CreateFunctionStmt' ? s.node.options : [];
  for (const o of options ?? []) {
    const d = o.DefElem;
    if (d?.defname === 'language') language = str(d.arg).toLowerCase();
    else if (d?.defname === 'as') body = s.type === 'DoStmt' ? str(d.arg) : (d.arg?.List?.items ?? []).length === 1 ? str(d.arg.List.items[0]) : undefined;
  }
  return language === 'plpgsql' ? body : undefined;
}

/** Error of a statement's PL/pgSQL, relative to the statement's text; null when it compiles. */
type Relative = { start: number; end: number; message: string } | null;
const byText = new Map<string, Relative>();
const MAX_CACHED = 4096;

const messageOf = plpgsqlError;

function checkStatement(text: string, body: string): Relative {
  const cached = byText.get(text);
  if (cached !== undefined) return cached;
  let result: Relative = null;
  const message = messageOf(text);
  if (message !== undefined) {
    const bodyAt = text.indexOf(body);
    result = bodyAt < 0 ? { start: 0, end: Math.min(text.length, 1), message } : locate(text, bodyAt, body, message);
  }
  if (byText.size >= MAX_CACHED) byText.clear();
  byText.set(text, result);
  return result;
}

// Cut points: after each word, and after each semicolon and parenthesis (an SQL statement in the body is parsed
// when its semicolon is read).
const WORD = /[^\s;(),]+|[;(),]/g;

/** Where in the body the parser stopped: the shortest prefix of the body (cut after a token) that fails with the
 * same message ends with the token it stopped at. */
function locate(text: string, bodyAt: number, body: string, message: string): Relative {
  const before = text.slice(0, bodyAt);
  const after = text.slice(bodyAt + body.length);
  const tokens: { start: number; end: number }[] = [];
  for (const m of body.matchAll(WORD)) tokens.push({ start: m.index!, end: m.index! + m[0].length });
  if (!tokens.length) return { start: bodyAt, end: bodyAt + body.length, message };
  const last = tokens[tokens.length - 1];
  // At the end of input: the body is cut short; point at its last token.
  if (/end of input/.test(message)) return { start: bodyAt + last.start, end: bodyAt + last.end, message };
  let lo = 0;
  let hi = tokens.length - 1; // the whole body fails: tokens[hi] is a candidate
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (messageOf(before + body.slice(0, tokens[mid].end) + after) === message) hi = mid;
    else lo = mid + 1;
  }
  let { start, end } = tokens[lo];
  // The message names the token ("at or near "x"", ""x" is not a known variable"): its last occurrence up to here.
  // Not before the statement the parser was reading (after the previous semicolon).
  const named = /"([^"]+)"/.exec(message)?.[1];
  if (named) {
    const at = body.toLowerCase().lastIndexOf(named.toLowerCase(), end - named.length);
    const statementStart = body.lastIndexOf(';', start - 1) + 1;
    if (at >= statementStart) {
      start = at;
      end = at + named.length;
    }
  }
  return { start: bodyAt + start, end: bodyAt + end, message };
}

const byScript = new WeakMap<Script, BodyError[]>();

/** The PL/pgSQL syntax errors of a script's statements. */
export function plpgsqlErrors(script: Script, placeholders: ReadonlySet<string> | undefined): BodyError[] {
  let out = byScript.get(script);
  if (out) return out;
  out = [];
  const text = script.expansion.text;
  // After `SET check_function_bodies = false` (pg_dump writes it) PostgreSQL does not compile function bodies.
  let checkBodies = true;
  for (const s of script.parsed.statements) {
    if (s.type === 'VariableSetStmt' && s.node.name === 'check_function_bodies') {
      const v = s.node.args?.[0]?.A_Const;
      const value = (v?.sval ? String(v.sval.sval) : v?.boolval ? String(v.boolval.boolval ?? false) : v?.ival ? String(v.ival.ival ?? 0) : 'true').toLowerCase();
      checkBodies = s.node.kind !== 'VAR_SET_VALUE' || !['false', 'off', '0', 'no', 'f', 'n'].includes(value);
      continue;
    }
    if (s.parent || (s.type !== 'CreateFunctionStmt' && s.type !== 'DoStmt') || (s.type === 'CreateFunctionStmt' && !checkBodies)) continue;
    const body = plpgsqlBody(s);
    if (body === undefined) continue;
    const statementText = maskPlaceholders(text.slice(s.start, s.end), placeholders);
    const e = checkStatement(statementText, body);
    if (e) {
      const where = s.type === 'DoStmt' ? 'in the DO block (PostgreSQL rejects it when the block runs)' : 'in the PL/pgSQL body (PostgreSQL rejects it at CREATE FUNCTION)';
      out.push({ start: s.start + e.start, end: s.start + e.end, message: `${e.message} ${where}` });
    }
  }
  byScript.set(script, out);
  return out;
}
