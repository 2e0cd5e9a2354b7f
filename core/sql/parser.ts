// The front end: PostgreSQL's own grammar (libpg-query 18, WASM) turned into a list of statements with exact string
// offsets. A file that parses whole takes the fast path (one parse); otherwise it is split at top-level semicolons and each statement
// is parsed alone, so one broken statement is one error and the rest is still analysed (see splitter.ts).
import * as pg from './pgQuery';
import { type Piece, splitStatements } from './splitter';
import { ByteOffsets, isBlank, skipTrivia } from '../text';

/** Loads the WASM parser once (compiled already when `precompiled` comes from another thread); every other
 * function here needs it done. */
export function loadParser(precompiled?: WebAssembly.Module): Promise<void> {
  return pg.loadPgQuery(precompiled);
}

export function parserReady(): boolean {
  return pg.pgQueryLoaded();
}

/** Why a statement runs only conditionally: inside a DO block's IF, or under an exception handler. */
export interface Guard {
  /** Exception conditions caught around the statement (e.g. `duplicate_object`, `others`). */
  exceptions: string[];
  /** The statement sits inside an IF/CASE branch of the block. */
  conditional: boolean;
}

export interface Statement {
  /** The node type, e.g. `CreateStmt`. */
  type: string;
  /** The node itself (the value under `type`); false/empty fields are absent. */
  node: any;
  /** First token to end of the statement (semicolon excluded), in the script's text. */
  start: number;
  end: number;
  /** Set for statements found inside a DO block: the block statement and what guards it. */
  parent?: Statement;
  guard?: Guard;
  /** Converts a node `location` (UTF-8 bytes into what was parsed) to an offset in the script's text. */
  at(location: number | undefined): number;
}

export interface SyntaxError {
  message: string;
  start: number;
  end: number;
  /** The broken statement as the scanner split it (first token to end). */
  statementStart: number;
  statementEnd: number;
}

/** A statement the parser could not take: its parse tree does not fit in the parser's memory. */
export interface Unparsed {
  start: number;
  end: number;
  /** Its length in characters. */
  size: number;
}

export interface ParsedScript {
  text: string;
  statements: Statement[];
  errors: SyntaxError[];
  /** Statements too large to parse: neither checked nor in the schema model (absent when there are none). */
  unparsed?: Unparsed[];
}

export interface ParseOptions {
  /** graphile placeholder names (without the colon) to treat as identifiers, e.g. `DATABASE_VISITOR`. */
  placeholders?: ReadonlySet<string>;
  /** Parse the parts of statements that no rule reads only when read (parseTree). For lint; not where every node is
   * visited anyway (the editor's references), which would pay for the deferral and then for the parse. */
  deferUnread?: boolean;
}

const PLACEHOLDER = /(?<![:\w]):([A-Z][0-9A-Z_]+)\b/g;

/** Replaces known `:NAME` placeholders with a same-length identifier so the grammar accepts them and offsets stay. */
export function maskPlaceholders(text: string, names: ReadonlySet<string> | undefined): string {
  if (!names || names.size === 0 || text.indexOf(':') === -1) return text;
  return text.replace(PLACEHOLDER, (m, name: string) => (names.has(name) ? '_' + name : m));
}

class Locator {
  constructor(
    private readonly textStart: number,
    private readonly offsets: ByteOffsets,
  ) {}
  at = (location: number | undefined): number => this.textStart + this.offsets.toChar(location ?? 0);
}

function unwrap(stmt: any): { type: string; node: any } {
  const type = Object.keys(stmt)[0];
  return { type, node: stmt[type] };
}

/** Parses a whole script. Never throws for bad SQL: errors come back in `errors`. */
export function parseScript(original: string, options: ParseOptions = {}): ParsedScript {
  if (!pg.pgQueryLoaded()) throw new Error('parser not loaded: await loadParser() first');
  let text = maskPlaceholders(original, options.placeholders);
  const errors: SyntaxError[] = [];
  // The parser reads NUL-terminated text: a NUL byte would end the file there, unseen. It is reported where it is,
  // and parsed as a blank (one byte either way, so every offset stays) so that the rest is still analysed.
  if (text.includes('\0')) {
    errors.push(...nulErrors(text));
    text = text.replaceAll('\0', ' ');
  }
  const offsets = new ByteOffsets(text);
  const statements: Statement[] = [];
  const unparsed: Unparsed[] = [];
  let result: any;
  let failedAt: number | undefined;
  try {
    result = treeOf(pg.parseToJson(text), options);
  } catch (e: any) {
    if (e instanceof pg.ParserLimitError) failedAt = undefined;
    else {
      const cursor = e?.sqlDetails?.cursorPosition;
      failedAt = typeof cursor === 'number' && cursor >= 0 ? cursorOffset(text, 0, cursor) : text.length;
    }
    if (e instanceof pg.ParserLimitError) {
      // A file of one statement: that one is too large; it is not parsed again to learn what is known.
      const pieces = splitStatements(text).filter((p) => skipTrivia(text, p.start, p.end) < p.end);
      if (pieces.length === 1) {
        addUnparsed(text, pieces[0], unparsed);
        return finish(original, statements, errors, unparsed);
      }
    }
  }
  if (result) {
    const loc = new Locator(0, offsets);
    for (const raw of result.stmts ?? []) {
      const byteStart = raw.stmt_location ?? 0;
      const charStart = offsets.toChar(byteStart);
      const charEnd = raw.stmt_len ? offsets.toChar(byteStart + raw.stmt_len) : text.length;
      pushStatement(text, statements, raw.stmt, charStart, charEnd, loc.at);
    }
  } else {
    parseStatementByStatement(text, statements, errors, failedAt, unparsed, options);
  }
  return finish(original, statements, errors, unparsed);
}

function finish(text: string, statements: Statement[], errors: SyntaxError[], unparsed: Unparsed[]): ParsedScript {
  if (errors.length > 1) errors.sort((a, b) => a.start - b.start || a.end - b.end);
  return unparsed.length > 0 ? { text, statements, errors, unparsed } : { text, statements, errors };
}

function addUnparsed(text: string, piece: Piece, unparsed: Unparsed[]): void {
  const start = skipTrivia(text, piece.start, piece.end);
  const end = Math.max(start, contentEnd(text, start, piece.end));
  unparsed.push({ start, end, size: end - start });
}

/** At most this many NUL findings per script: a UTF-16 file read as UTF-8 has one every other character. */
const MAX_NUL_ERRORS = 10;

/** One error per run of NUL characters. */
function nulErrors(text: string): SyntaxError[] {
  const spans: { start: number; end: number; message: string }[] = [];
  let total = 0;
  for (let i = text.indexOf('\0'); i !== -1; i = text.indexOf('\0', i)) {
    let j = i + 1;
    while (text.charCodeAt(j) === 0) j++;
    total++;
    if (spans.length < MAX_NUL_ERRORS) spans.push({ start: i, end: j, message: `NUL byte${j - i > 1 ? `s (${j - i})` : ''} in the text: PostgreSQL rejects text that contains one (08P01 invalid message format); remove ${j - i > 1 ? 'them' : 'it'}` });
    i = j;
  }
  if (total > MAX_NUL_ERRORS) spans[spans.length - 1].message += ` (${total - MAX_NUL_ERRORS} more runs of NUL bytes after this one are not reported; is the file UTF-16?)`;
  // Statements are found as the parser will see them, with the NULs as blanks.
  return errorsAt(text.replaceAll('\0', ' '), spans);
}

/** Errors at places that are no statement's own (bad bytes), each with its statement for ignore comments: the
 * top-level statement around it, or just itself between statements. The text is split once for all of them. */
export function errorsAt(text: string, spans: { start: number; end: number; message: string }[]): SyntaxError[] {
  if (spans.length === 0) return [];
  const pieces = splitStatements(text);
  let k = 0;
  return [...spans]
    .sort((a, b) => a.start - b.start)
    .map(({ start, end, message }) => {
      while (k < pieces.length - 1 && pieces[k].end < start) k++;
      const p = pieces[k];
      const first = skipTrivia(text, p.start, p.end);
      if (start < first || first >= p.end) return { message, start, end, statementStart: start, statementEnd: end };
      return { message, start, end, statementStart: first, statementEnd: Math.max(end, contentEnd(text, first, p.end)) };
    });
}

/** `parsed` with errors found outside the grammar added (bytes that are not UTF-8, from the file's bytes). */
export function withErrors(parsed: ParsedScript, extra: SyntaxError[]): ParsedScript {
  if (extra.length === 0) return parsed;
  const errors = [...parsed.errors, ...extra].sort((a, b) => a.start - b.start || a.end - b.end);
  return { ...parsed, errors };
}

// ---- Pieces parsed elsewhere (parallelParse.ts) ----------------------------------------------------------------

/** The statements of text[from, to) given the JSON parse tree of that piece (pgQuery.parseToJson, on any thread),
 * as parseScript would give them for the whole text. `text` has its placeholders masked (maskPlaceholders). */
export function statementsOfPiece(text: string, from: number, to: number, json: string, options: ParseOptions = {}): Statement[] {
  const statements: Statement[] = [];
  pushTree(text, from, to, text.slice(from, to), treeOf(json, options), statements);
  return statements;
}

/** A CREATE FUNCTION or PROCEDURE whose body is PL/pgSQL: text[start, end) as statementsOfPiece gives it. */
export interface PlpgsqlFunctionAt {
  start: number;
  end: number;
}

const FUNCTION_STMT = '{"stmt":{"CreateFunctionStmt":';
const LANGUAGE = '"defname":"language","arg":{"String":{"sval":"';

/** The LANGUAGE plpgsql functions and procedures of text[from, to), read from the piece's JSON parse tree without
 * building it (so that the thread that parsed a piece can check their bodies, plpgsqlBodies.ts). Offsets are those
 * statementsOfPiece gives: the body check's results are keyed by the statement's exact text. */
export function plpgsqlFunctionsOfPiece(text: string, from: number, to: number, json: string): PlpgsqlFunctionAt[] {
  const out: PlpgsqlFunctionAt[] = [];
  let loc: Locator | undefined;
  for (let at = json.indexOf(FUNCTION_STMT); at !== -1; ) {
    const next = json.indexOf(FUNCTION_STMT, at + FUNCTION_STMT.length);
    // This RawStmt only: up to the next statement of any type (a slice is a view, not a copy).
    const stmtEnd = json.indexOf(STMT, at + STMT.length);
    const element = json.slice(at, stmtEnd === -1 ? json.length : stmtEnd);
    at = next;
    const language = element.indexOf(LANGUAGE);
    if (language === -1) continue;
    const nameAt = language + LANGUAGE.length;
    if (element.slice(nameAt, element.indexOf('"', nameAt)).toLowerCase() !== 'plpgsql') continue;
    // The RawStmt's own fields follow its node; nodes inside have none of these names (absent when 0).
    const location = element.lastIndexOf('"stmt_location":');
    const length = element.lastIndexOf('"stmt_len":');
    const byteStart = location === -1 ? 0 : parseInt(element.slice(location + 16, location + 32), 10);
    const byteLength = length === -1 ? 0 : parseInt(element.slice(length + 11, length + 27), 10);
    loc ??= new Locator(from, new ByteOffsets(text.slice(from, to)));
    const rawStart = loc.at(byteStart);
    const rawEnd = byteLength ? loc.at(byteStart + byteLength) : to;
    const start = skipTrivia(text, rawStart, rawEnd);
    out.push({ start, end: contentEnd(text, start, rawEnd) });
  }
  return out;
}

function treeOf(json: string, options: ParseOptions): any {
  return options.deferUnread ? parseTree(json) : JSON.parse(json);
}

// ---- Parse trees --------------------------------------------------------------------------------------------------

/** Parts of a statement's tree that neither the schema model nor any lint rule reads, and that are large: the rows of
 * INSERT ... VALUES (every constant is an object with its location), the expressions of policies, the WHERE and FROM
 * of UPDATE. `key` is how the field starts in libpg-query's JSON, right after fields that hold no statement of their
 * own in every case but UPDATE's (a subquery in SET may have its own WHERE: parseTree checks where each part landed). */
const DEFERRED: Record<string, { key: string; holder: (node: any) => any; field: string }[]> = {
  InsertStmt: [{ key: '"selectStmt":{"SelectStmt":{"valuesLists":', holder: (n) => n.selectStmt?.SelectStmt, field: 'valuesLists' }],
  CreatePolicyStmt: [
    { key: '"qual":', holder: (n) => n, field: 'qual' },
    { key: '"with_check":', holder: (n) => n, field: 'with_check' },
  ],
  AlterPolicyStmt: [
    { key: '"qual":', holder: (n) => n, field: 'qual' },
    { key: '"with_check":', holder: (n) => n, field: 'with_check' },
  ],
  UpdateStmt: [
    { key: '"whereClause":', holder: (n) => n, field: 'whereClause' },
    { key: '"fromClause":', holder: (n) => n, field: 'fromClause' },
  ],
};
/** Parts shorter than this (as JSON) are parsed at once: deferring costs a getter. */
const DEFER_MIN = 256;
/** Each RawStmt of the tree starts so; inside a JSON string every quote is escaped, so this matches structure only. */
const STMT = '{"stmt":{"';

/**
 * JSON.parse of libpg-query's parse tree, except that the DEFERRED parts of its statements are parsed only when
 * something reads them (a getter in their place). They made most of the tree, and of the garbage, of data-heavy and
 * policy-heavy files. Whoever reads them (the editor's references, a test) gets exactly what JSON.parse gives.
 */
export function parseTree(json: string): any {
  const kept: string[] = [];
  const cuts: { ordinal: number; holder: (node: any) => any; field: string; type: string; json: string }[] = [];
  let copied = 0;
  let ordinal = 0;
  for (let at = json.indexOf(STMT); at !== -1; ordinal++) {
    const next = json.indexOf(STMT, at + STMT.length);
    const typeEnd = json.indexOf('"', at + STMT.length);
    const deferred = DEFERRED[json.slice(at + STMT.length, typeEnd)];
    if (deferred) {
      const end = next === -1 ? json.length : next;
      // Searched within the statement only (a slice is a view, not a copy): a field it lacks must not send the
      // search through the rest of the file.
      const element = json.slice(0, end);
      let from = typeEnd;
      for (const d of deferred) {
        const k = element.indexOf(d.key, from);
        if (k === -1) continue;
        const open = k + d.key.length;
        const close = closingBracket(json, open);
        from = close + 1;
        if (close - open < DEFER_MIN) continue;
        kept.push(json.slice(copied, open), 'null');
        cuts.push({ ordinal, holder: d.holder, field: d.field, type: json.slice(at + STMT.length, typeEnd), json: json.slice(open, close + 1) });
        copied = close + 1;
      }
    }
    at = next;
  }
  if (cuts.length === 0) return JSON.parse(json);
  kept.push(json.slice(copied));
  const tree = JSON.parse(kept.join(''));
  const stmts = tree.stmts ?? [];
  for (const c of cuts) {
    const holder = c.holder(stmts[c.ordinal]?.stmt?.[c.type] ?? {});
    // null is what the part was replaced with (JSON.parse never gives null for these fields). Anywhere else (a nested
    // field matched first): parse it all as it is.
    if (!holder || holder[c.field] !== null) return JSON.parse(json);
    deferParse(holder, c.field, c.json);
  }
  return tree;
}

/** The offset of the `]` or `}` that closes the array or object opening at `open`. */
function closingBracket(json: string, open: number): number {
  let depth = 0;
  for (let i = open; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 34) {
      // A string: skip to its closing quote (a backslash escapes the next character).
      for (i++; i < json.length; i++) {
        const d = json.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) depth++;
    else if ((c === 93 || c === 125) && --depth === 0) return i;
  }
  return json.length - 1;
}

function deferParse(holder: any, field: string, json: string): void {
  const settle = (value: unknown) => Object.defineProperty(holder, field, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(holder, field, {
    enumerable: true,
    configurable: true,
    get() {
      const value = JSON.parse(json);
      settle(value);
      return value;
    },
    set: settle,
  });
}

function pushStatement(
  text: string,
  out: Statement[],
  stmt: any,
  rawStart: number,
  rawEnd: number,
  at: (l: number | undefined) => number,
): void {
  const start = skipTrivia(text, rawStart, rawEnd);
  const end = contentEnd(text, start, rawEnd);
  const { type, node } = unwrap(stmt);
  const statement: Statement = { type, node, start, end, at };
  out.push(statement);
  if (type === 'DoStmt') pushDoBlockStatements(text, statement, out);
}

/** Just after the last token of text[from, to): the blanks and comments after it (before the semicolon, or at the
 * end of the file for a last statement without one) are not part of the statement, and a fix placed at its end must
 * not land inside a comment. */
function contentEnd(text: string, from: number, to: number): number {
  let end = to;
  while (end > from && isBlank(text.charCodeAt(end - 1))) end--;
  // The last token ends here unless this is inside a comment. A line without `--` and `*/` up to here cannot end
  // in one (a block comment that reached this line would end on it): the common case, without lexing.
  const line = text.slice(Math.max(from, text.lastIndexOf('\n', end - 1) + 1), end);
  if (!line.includes('--') && !line.includes('*/')) return end;
  end = from;
  for (const p of splitStatements(text, from, to)) if (p.contentEnd > p.start) end = p.contentEnd;
  return end;
}

/** The string offset `cursor` characters after `from`: libpg-query's cursorPosition counts code points, so each
 * character outside the BMP (an emoji) is one position there and two UTF-16 units here. */
function cursorOffset(text: string, from: number, cursor: number): number {
  let i = from;
  for (let n = 0; n < cursor && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

/** Characters parsed in one call on the statement-by-statement path: a failure re-parses at most this much. */
const CHUNK = 64 * 1024;

function parseStatementByStatement(
  text: string,
  statements: Statement[],
  errors: SyntaxError[],
  firstFailure: number | undefined,
  unparsed: Unparsed[],
  options: ParseOptions,
): void {
  const pieces = splitStatements(text);
  // Parse in chunks of about CHUNK characters: everything up to the statement the parser stops at is valid and
  // parses in one call; the broken statement is parsed alone for its error; then the rest of the chunk. Per-statement
  // calls cost far more than one call over the same text, and bounded chunks keep a failure from re-parsing the whole
  // rest of the file, so broken files are nearly as fast as valid ones. After many errors (a file that is not
  // PostgreSQL at all) go statement by statement.
  const end = pieces[pieces.length - 1].end;
  let i = 0;
  let failures = 0;
  while (i < pieces.length) {
    if (failures >= 8) {
      parsePiece(text, pieces[i], statements, errors, unparsed, options);
      i++;
      continue;
    }
    const from = pieces[i].start;
    let next = i + 1;
    while (next < pieces.length && pieces[next].start - from < CHUNK) next++;
    const to = next < pieces.length ? pieces[next].start : end;
    let at = to;
    if (i === 0 && firstFailure !== undefined && firstFailure < to) {
      at = firstFailure; // the whole-file parse already ran over this range
      failures++;
    } else {
      try {
        parseRange(text, from, to, statements, options);
        i = next;
        continue;
      } catch (e: any) {
        if (e instanceof pg.ParserLimitError) {
          // Too large, not wrong: a chunk of one statement is that statement; several are tried one by one.
          if (next === i + 1) addUnparsed(text, pieces[i], unparsed);
          else for (let j = i; j < next; j++) parsePiece(text, pieces[j], statements, errors, unparsed, options);
          i = next;
          continue;
        }
        failures++;
        const cursor = e?.sqlDetails?.cursorPosition;
        if (typeof cursor === 'number' && cursor >= 0) at = cursorOffset(text, from, cursor);
      }
    }
    let k = i;
    while (k + 1 < next && pieces[k + 1].start <= at) k++;
    if (k > i) {
      try {
        parseRange(text, from, pieces[k].start, statements, options);
      } catch {
        for (let j = i; j < k; j++) parsePiece(text, pieces[j], statements, errors, unparsed, options);
      }
    }
    parsePiece(text, pieces[k], statements, errors, unparsed, options);
    i = k + 1;
  }
}

function parseRange(text: string, from: number, to: number, statements: Statement[], options: ParseOptions): void {
  const source = text.slice(from, to);
  pushTree(text, from, to, source, treeOf(pg.parseToJson(source), options), statements);
}

/** Adds the statements of `result`, the parse tree of `source` = text[from, to). */
function pushTree(text: string, from: number, to: number, source: string, result: any, statements: Statement[]): void {
  const loc = new Locator(from, new ByteOffsets(source));
  for (const raw of result.stmts ?? []) {
    const byteStart = raw.stmt_location ?? 0;
    const s = loc.at(byteStart);
    const e = raw.stmt_len ? loc.at(byteStart + raw.stmt_len) : to;
    pushStatement(text, statements, raw.stmt, s, e, loc.at);
  }
}

function parsePiece(text: string, piece: Piece, statements: Statement[], errors: SyntaxError[], unparsed: Unparsed[], options: ParseOptions): void {
  const start = skipTrivia(text, piece.start, piece.end);
  // Only blanks and comments: nothing to parse, unless a block comment is never closed (PostgreSQL rejects that).
  if (start >= piece.end && !text.slice(piece.start, piece.end).includes('/*')) return;
  try {
    parseRange(text, piece.start, piece.end, statements, options);
  } catch (e: any) {
    if (e instanceof pg.ParserLimitError) return addUnparsed(text, piece, unparsed);
    const error = syntaxError(text, piece.start, piece.end, e);
    const cut = piece.nested[0];
    // A semicolon inside parentheses is only valid in CREATE RULE's action list. Anywhere else the statement has an
    // unclosed parenthesis and really ends there: what follows are the next statements, still to be analysed.
    if (cut !== undefined && error.start <= cut && !/^create\s+(?:or\s+replace\s+)?rule\b/i.test(text.slice(start, start + 64))) {
      errors.push({ ...error, end: Math.min(error.end, cut + 1), statementEnd: contentEnd(text, start, cut) });
      for (const rest of splitStatements(text, cut + 1, piece.end)) parsePiece(text, rest, statements, errors, unparsed, options);
      return;
    }
    errors.push(error);
  }
}

function syntaxError(text: string, pieceStart: number, pieceEnd: number, e: any): SyntaxError {
  const found = locateSyntaxError(text, pieceStart, pieceEnd, e);
  const statementStart = skipTrivia(text, pieceStart, pieceEnd);
  return { ...found, statementStart, statementEnd: Math.max(statementStart, contentEnd(text, statementStart, pieceEnd)) };
}

function locateSyntaxError(text: string, pieceStart: number, pieceEnd: number, e: any): Omit<SyntaxError, 'statementStart' | 'statementEnd'> {
  const message: string = e?.sqlDetails?.message ?? e?.message ?? 'syntax error';
  const cursor: number | undefined = e?.sqlDetails?.cursorPosition;
  let start: number;
  const at = typeof cursor === 'number' && cursor >= 0 ? cursorOffset(text, pieceStart, cursor) : pieceEnd;
  if (at < pieceEnd) {
    start = at;
  } else {
    // "at end of input": point at the statement's last token.
    const end = contentEnd(text, pieceStart, pieceEnd);
    start = end - 1;
    while (start > pieceStart && /\w/.test(text[start - 1]) && /\w/.test(text[start])) start--;
    if (start < pieceStart) start = pieceStart;
    return { message, start, end: Math.max(end, start + 1) };
  }
  if (text.charCodeAt(start) === 0xfeff) {
    // Invisible in the editor and in PostgreSQL's message; editors on Windows save it at the start of a file.
    return { message: 'byte order mark (U+FEFF): PostgreSQL rejects it; save the file as UTF-8 without a BOM', start, end: start + 1 };
  }
  if (message.startsWith('unterminated')) {
    // The literal or comment runs to the end of the file: mark the rest of its first line.
    let end = text.indexOf('\n', start);
    if (end === -1 || end > pieceEnd) end = pieceEnd;
    while (end > start + 1 && /\s/.test(text[end - 1])) end--;
    return { message, start, end: Math.max(end, start + 1) };
  }
  const m = /^(?:\w+|'[^']*'?|"[^"]*"?|\$\w*\$|.)/.exec(text.slice(start, Math.min(pieceEnd, start + 200)));
  const length = m ? m[0].length : 1;
  return { message, start, end: Math.min(pieceEnd, start + length) };
}

// ---- DO blocks --------------------------------------------------------------------------------------------------

function doBody(node: any): { body: string; language: string } | undefined {
  let body: string | undefined;
  let language = 'plpgsql';
  for (const arg of node.args ?? []) {
    const d = arg.DefElem;
    if (d?.defname === 'as') body = d.arg?.String?.sval;
    else if (d?.defname === 'language') language = String(d.arg?.String?.sval ?? '').toLowerCase();
  }
  return body === undefined ? undefined : { body, language };
}

/** Adds the SQL statements a PL/pgSQL DO block runs, each with its position and what guards it. */
function pushDoBlockStatements(text: string, block: Statement, out: Statement[]): void {
  const info = doBody(block.node);
  if (!info || info.language !== 'plpgsql') return;
  const blockText = text.slice(block.start, block.end);
  let tree: any;
  try {
    tree = pg.parsePlPgSQL(blockText);
  } catch {
    return; // the block's body is not valid PL/pgSQL; PostgreSQL reports that at run time, not the grammar
  }
  const bodyAt = blockText.indexOf(info.body);
  let cursor = block.start + (bodyAt >= 0 ? bodyAt : 0);
  const visit = (stmts: any[] | undefined, guard: Guard): void => {
    for (const wrapped of stmts ?? []) {
      const kind = Object.keys(wrapped)[0];
      const s = wrapped[kind];
      switch (kind) {
        case 'PLpgSQL_stmt_execsql': {
          const query: string | undefined = s.sqlstmt?.PLpgSQL_expr?.query;
          if (!query) break;
          const found = text.indexOf(query, cursor);
          const start = found >= 0 && found < block.end ? found : block.start;
          if (found >= 0 && found < block.end) cursor = found + query.length;
          let parsed: any;
          try {
            parsed = pg.parse(query);
          } catch {
            break;
          }
          const loc = new Locator(start, new ByteOffsets(query));
          for (const raw of parsed.stmts ?? []) {
            const { type, node } = unwrap(raw.stmt);
            const inner: Statement = {
              type,
              node,
              start,
              end: found >= 0 ? start + query.length : block.end,
              at: loc.at,
              parent: block,
              guard: guard.exceptions.length || guard.conditional ? guard : undefined,
            };
            out.push(inner);
          }
          break;
        }
        case 'PLpgSQL_stmt_block': {
          const handlers: any[] = s.exceptions?.PLpgSQL_exception_block?.exc_list ?? [];
          const caught: string[] = [];
          for (const h of handlers) {
            for (const c of h.PLpgSQL_exception?.conditions ?? []) {
              const name = c.PLpgSQL_condition?.condname;
              if (name) caught.push(String(name).toLowerCase());
            }
          }
          visit(s.body, { exceptions: [...guard.exceptions, ...caught], conditional: guard.conditional });
          break;
        }
        case 'PLpgSQL_stmt_if': {
          const g = { exceptions: guard.exceptions, conditional: true };
          visit(s.then_body, g);
          for (const e of s.elsif_list ?? []) visit(e.PLpgSQL_if_elsif?.stmts, g);
          visit(s.else_body, g);
          break;
        }
        case 'PLpgSQL_stmt_case': {
          const g = { exceptions: guard.exceptions, conditional: true };
          for (const w of s.case_when_list ?? []) visit(w.PLpgSQL_case_when?.stmts, g);
          visit(s.else_stmts, g);
          break;
        }
        case 'PLpgSQL_stmt_loop':
        case 'PLpgSQL_stmt_while':
        case 'PLpgSQL_stmt_fori':
        case 'PLpgSQL_stmt_fors':
        case 'PLpgSQL_stmt_foreach_a':
          visit(s.body, { exceptions: guard.exceptions, conditional: true });
          break;
        default:
          break;
      }
    }
  };
  for (const fn of tree?.plpgsql_funcs ?? []) {
    const action = fn.PLpgSQL_function?.action;
    if (action) visit([action], { exceptions: [], conditional: false });
  }
}
