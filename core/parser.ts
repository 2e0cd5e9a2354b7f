// The front end: PostgreSQL's own grammar (libpg-query 18, WASM) turned into a list of statements with exact string
// offsets. A file that parses whole takes the fast path (one parse); otherwise the scanner splits it and each statement
// is parsed alone, so one broken statement is one error and the rest is still analysed.
import * as pg from 'libpg-query';
import { ByteOffsets, skipTrivia } from './text';

let loaded: Promise<void> | undefined;
let ready = false;

/** Loads the WASM parser once; every other function here needs it done. */
export function loadParser(): Promise<void> {
  loaded ??= pg.loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

export function parserReady(): boolean {
  return ready;
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

export interface ParsedScript {
  text: string;
  statements: Statement[];
  errors: SyntaxError[];
}

export interface ParseOptions {
  /** graphile placeholder names (without the colon) to treat as identifiers, e.g. `DATABASE_VISITOR`. */
  placeholders?: ReadonlySet<string>;
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
  if (!ready) throw new Error('parser not loaded: await loadParser() first');
  const text = maskPlaceholders(original, options.placeholders);
  const offsets = new ByteOffsets(text);
  const statements: Statement[] = [];
  const errors: SyntaxError[] = [];
  let result: any;
  try {
    result = pg.parseSync(text);
  } catch {
    result = undefined;
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
    parseStatementByStatement(text, offsets, statements, errors);
  }
  return { text: original, statements, errors };
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
  let end = rawEnd;
  while (end > start && /\s/.test(text[end - 1])) end--;
  const { type, node } = unwrap(stmt);
  const statement: Statement = { type, node, start, end, at };
  out.push(statement);
  if (type === 'DoStmt') pushDoBlockStatements(text, statement, out);
}

interface Piece {
  start: number; // char offsets, semicolon excluded
  end: number;
}

/** Splits with PostgreSQL's scanner at top-level semicolons (not inside parentheses or BEGIN ATOMIC bodies). */
function splitStatements(text: string, offsets: ByteOffsets, limit: number): Piece[] {
  const tokens = pg.scanSync(limit < text.length ? text.slice(0, limit) : text).tokens;
  const pieces: Piece[] = [];
  let pieceStart = 0;
  let parens = 0;
  let atomic = 0; // depth of BEGIN ATOMIC ... END (CASE ... END nests inside)
  let prev = '';
  const sliceOffsets = limit < text.length ? new ByteOffsets(text.slice(0, limit)) : offsets;
  for (const t of tokens) {
    const word = t.text.length <= 6 ? t.text.toLowerCase() : '';
    if (t.text === '(') parens++;
    else if (t.text === ')') parens = Math.max(0, parens - 1);
    else if (word === 'atomic' && prev === 'begin') atomic++;
    else if (atomic > 0 && word === 'case') atomic++;
    else if (atomic > 0 && word === 'end') atomic--;
    else if (t.text === ';' && parens === 0 && atomic === 0) {
      const at = sliceOffsets.toChar(t.start);
      pieces.push({ start: pieceStart, end: at });
      pieceStart = at + 1;
    }
    prev = word;
  }
  pieces.push({ start: pieceStart, end: limit });
  return pieces;
}

function parseStatementByStatement(
  text: string,
  offsets: ByteOffsets,
  statements: Statement[],
  errors: SyntaxError[],
): void {
  let pieces: Piece[];
  try {
    pieces = splitStatements(text, offsets, text.length);
  } catch {
    // The scanner stops at an unterminated literal or comment. What comes before it still splits; from the broken
    // token on, the rest of the file is one statement (PostgreSQL would read it the same way).
    const cut = unterminatedAt(text);
    try {
      pieces = splitStatements(text, offsets, cut);
    } catch {
      pieces = [{ start: 0, end: cut }];
    }
    const last = pieces[pieces.length - 1];
    last.end = text.length;
  }
  for (const piece of pieces) {
    const start = skipTrivia(text, piece.start, piece.end);
    if (start >= piece.end) continue;
    const source = text.slice(piece.start, piece.end);
    try {
      const result = pg.parseSync(source);
      const loc = new Locator(piece.start, new ByteOffsets(source));
      for (const raw of result.stmts ?? []) {
        const byteStart = raw.stmt_location ?? 0;
        const s = loc.at(byteStart);
        const e = raw.stmt_len ? loc.at(byteStart + raw.stmt_len) : piece.end;
        pushStatement(text, statements, raw.stmt, s, e, loc.at);
      }
    } catch (e: any) {
      errors.push(syntaxError(text, piece.start, piece.end, e));
    }
  }
}

/** Where the file-level parse reports an unterminated token (its cursor position), else the end. */
function unterminatedAt(text: string): number {
  try {
    pg.parseSync(text);
  } catch (e: any) {
    const p = e?.sqlDetails?.cursorPosition;
    if (typeof p === 'number' && p >= 0 && p <= text.length) return p;
  }
  return text.length;
}

function syntaxError(text: string, pieceStart: number, pieceEnd: number, e: any): SyntaxError {
  const found = locateSyntaxError(text, pieceStart, pieceEnd, e);
  let statementEnd = pieceEnd;
  while (statementEnd > pieceStart && /\s/.test(text[statementEnd - 1])) statementEnd--;
  return { ...found, statementStart: skipTrivia(text, pieceStart, pieceEnd), statementEnd };
}

function locateSyntaxError(text: string, pieceStart: number, pieceEnd: number, e: any): Omit<SyntaxError, 'statementStart' | 'statementEnd'> {
  const message: string = e?.sqlDetails?.message ?? e?.message ?? 'syntax error';
  const cursor: number | undefined = e?.sqlDetails?.cursorPosition;
  let start: number;
  if (typeof cursor === 'number' && cursor >= 0 && pieceStart + cursor < pieceEnd) {
    start = pieceStart + cursor;
  } else {
    // "at end of input": point at the statement's last token.
    let end = pieceEnd;
    while (end > pieceStart && /\s/.test(text[end - 1])) end--;
    start = end - 1;
    while (start > pieceStart && /\w/.test(text[start - 1]) && /\w/.test(text[start])) start--;
    if (start < pieceStart) start = pieceStart;
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
    tree = pg.parsePlPgSQLSync(blockText);
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
            parsed = pg.parseSync(query);
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
