// Parsing one large script on two threads. libpg-query's WASM parse is the largest single cost of analysing a big
// file, and it runs as well on a worker thread; the JSON it returns is turned into statements here. This thread
// parses the first quarter of the script while a helper thread starts up, cuts the rest into pieces at statement
// boundaries and parses them one by one; each piece's statements are handed on (to the replay) as soon as they are
// ready, in text order, so the replay overlaps the helper's parsing.
import { maskPlaceholders, type ParseOptions, plpgsqlFunctionsOfPiece, statementsOfPiece, type Statement } from './parser';
import { ParserLimitError, parseToJson, PgSyntaxError, plpgsqlError, rememberPlpgsqlVerdict } from './pgQuery';
import { splitStatements } from './splitter';

/** One piece of a script, text[from, to), and its parse tree as JSON; undefined when it does not parse. */
export interface ParsedPiece {
  from: number;
  to: number;
  json: string | undefined;
  /** The PL/pgSQL parser's verdict on each LANGUAGE plpgsql function of the piece, text[start, end): its error, or
   * null. Checked by the thread that parsed the piece: the PL/pgSQL syntax check (plpgsqlBodies.ts), a second WASM
   * parse of every body and the largest cost of a PL/pgSQL-heavy file, takes them over instead of running on the
   * thread that runs the rules. */
  bodies?: { start: number; end: number; error: string | null }[];
}

/** Another thread that parses (see parsePiecesHere, which it runs). Its iterator throws HelperFailed when the thread
 * dies before it is done. */
export interface PieceParser {
  parsePieces(text: string, from: number, sizes: number[]): AsyncIterable<ParsedPiece>;
}

export class HelperFailed extends Error {}

/** Below this many characters one thread is faster: starting a helper costs about as much as parsing 300 KB. */
export const PARALLEL_PARSE_MIN = 512 * 1024;

/** The share of the script this thread parses itself while the helper starts (which takes about as long), then the
 * helper's pieces: the first is small, so that it is ready when this thread is done with its own; the last (the
 * rest, 15%) is short too, since nothing else overlaps it. */
const LOCAL_SHARE = 0.25;
const HELPER_SHARES = [0.15, 0.25, 0.2];

/** Whether the PL/pgSQL bodies of `text` are checked ahead: not after `SET check_function_bodies = false` (pg_dump
 * writes it), where PostgreSQL does not compile them; the PL/pgSQL syntax check knows where it applies. */
function checksBodies(text: string): boolean {
  return !/check_function_bodies/i.test(text);
}

/** Checks a function's body now, for the PL/pgSQL syntax check to take over (plpgsqlBodies.ts). */
function checkBody(statement: string): void {
  rememberPlpgsqlVerdict(statement, plpgsqlError(statement) ?? null);
}

/**
 * What the helper runs: cuts text[from, end) at top-level semicolons (splitter.ts, PostgreSQL's lexical rules) into
 * pieces of about `sizes` characters (the rest is the last piece) and parses each. Stops after a piece that does not
 * parse. The text before `from` is not read: `from` must be a statement boundary.
 */
export function* parsePiecesHere(text: string, from: number, sizes: number[]): Generator<ParsedPiece> {
  let start = from;
  const checkBodies = checksBodies(text);
  for (let i = 0; start < text.length; i++) {
    // Each piece is scanned for its cut only when it is next: the first one is parsed and posted without waiting for
    // a scan of the whole rest. Without a statement end in range (one huge statement), the piece runs to the end.
    const cut = i < sizes.length ? firstBoundaryFrom(text, start, start + sizes[i]) : undefined;
    const end = cut ?? text.length;
    let json: string | undefined;
    try {
      json = parseToJson(text.slice(start, end));
    } catch (e) {
      // Too large is not parsed either: the one-thread path finds which statement it is and says so.
      if (!(e instanceof PgSyntaxError || e instanceof ParserLimitError)) throw e;
    }
    const bodies = json !== undefined && checkBodies ? plpgsqlFunctionsOfPiece(text, start, end, json).map((f) => ({ ...f, error: plpgsqlError(text.slice(f.start, f.end)) ?? null })) : undefined;
    yield { from: start, to: end, json, bodies };
    if (json === undefined) return;
    start = end;
  }
}

/** Just after the first top-level semicolon at or after `want`, scanning from `from` (a statement boundary), or
 * undefined. Scans a window past `want` first: the rest of the text only for a statement longer than that. */
function firstBoundaryFrom(text: string, from: number, want: number): number | undefined {
  for (const limit of [Math.min(text.length, want + 65536), text.length]) {
    for (const p of splitStatements(text, from, limit)) if (p.end < limit && p.end + 1 >= want) return p.end + 1;
    if (limit === text.length) break;
  }
  return undefined;
}

/** Just after the last top-level semicolon in text[from, limit), or undefined. `from` must be a statement boundary. */
function lastBoundaryBefore(text: string, from: number, limit: number): number | undefined {
  let cut: number | undefined;
  for (const p of splitStatements(text, from, limit)) if (p.end < limit) cut = p.end + 1;
  return cut;
}

/**
 * Parses `original` in pieces, the first here and the others with `helper`, calling `onStatements` with each
 * piece's statements in text order: exactly the statements parseScript gives for the whole text. Returns false,
 * having stopped calling `onStatements`, when a piece does not parse: the caller then parses the whole text with
 * parseScript, which reports the errors exactly.
 */
export async function parseInParallel(
  original: string,
  helper: PieceParser,
  onStatements: (statements: Statement[]) => void,
  options: ParseOptions = {},
): Promise<boolean> {
  const text = maskPlaceholders(original, options.placeholders);
  // NUL bytes end the text for the parser: parseScript reports them and parses around them.
  if (text.includes('\0')) return false;
  const n = text.length;
  // No statement ends early enough (one huge statement first): the helper does it all.
  const cut = lastBoundaryBefore(text, 0, Math.floor(LOCAL_SHARE * n)) ?? 0;
  const remote = helper.parsePieces(
    text,
    cut,
    HELPER_SHARES.map((f) => Math.floor(f * n)),
  );
  if (cut > 0) {
    let local: string;
    try {
      local = parseToJson(text.slice(0, cut));
    } catch (e) {
      if (e instanceof PgSyntaxError || e instanceof ParserLimitError) return false;
      throw e;
    }
    onStatements(statementsOfPiece(text, 0, cut, local, options));
    // The helper's first piece is rarely ready yet: this thread checks its own piece's functions meanwhile.
    if (checksBodies(text)) for (const f of plpgsqlFunctionsOfPiece(text, 0, cut, local)) checkBody(text.slice(f.start, f.end));
  }
  let covered = cut;
  for await (const piece of remote) {
    if (piece.json === undefined || piece.from !== covered) return false;
    for (const b of piece.bodies ?? []) rememberPlpgsqlVerdict(text.slice(b.start, b.end), b.error);
    onStatements(statementsOfPiece(text, piece.from, piece.to, piece.json, options));
    covered = piece.to;
  }
  return covered === n;
}
