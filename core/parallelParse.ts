// Parsing one large script on two threads. libpg-query's WASM parse is the largest single cost of analysing a big
// file, and it runs as well on a worker thread; the JSON it returns is turned into statements here. This thread
// parses the first fifth of the script while a helper thread starts up, cuts the rest into pieces at statement
// boundaries and parses them one by one; each piece's statements are handed on (to the replay) as soon as they are
// ready, in text order, so the replay overlaps the helper's parsing.
import { maskPlaceholders, type ParseOptions, statementsOfPiece, type Statement } from './parser';
import { parseToJson, PgSyntaxError } from './pgQuery';
import { splitStatements } from './splitter';

/** One piece of a script, text[from, to), and its parse tree as JSON; undefined when it does not parse. */
export interface ParsedPiece {
  from: number;
  to: number;
  json: string | undefined;
}

/** Another thread that parses (see parsePiecesHere, which it runs). Its iterator throws HelperFailed when the thread
 * dies before it is done. */
export interface PieceParser {
  parsePieces(text: string, from: number, sizes: number[]): AsyncIterable<ParsedPiece>;
}

export class HelperFailed extends Error {}

/** Below this many characters one thread is faster: starting a helper costs about as much as parsing 300 KB. */
export const PARALLEL_PARSE_MIN = 512 * 1024;

/** The share of the script this thread parses itself while the helper starts, then the helper's pieces: they
 * shrink, so that the last one, which nothing else overlaps, is short. */
const LOCAL_SHARE = 0.2;
const HELPER_SHARES = [0.3, 0.25, 0.15];

/**
 * What the helper runs: cuts text[from, end) at top-level semicolons (splitter.ts, PostgreSQL's lexical rules) into
 * pieces of about `sizes` characters (the rest is the last piece) and parses each. Stops after a piece that does not
 * parse. The text before `from` is not read: `from` must be a statement boundary.
 */
export function* parsePiecesHere(text: string, from: number, sizes: number[]): Generator<ParsedPiece> {
  const cuts: number[] = [];
  let want = from + (sizes[0] ?? Infinity);
  for (const p of splitStatements(text, from)) {
    if (cuts.length >= sizes.length) break;
    // A piece that ends at a semicolon (not at the end of the text) closes a statement: a place to cut.
    if (p.end < text.length && p.end + 1 >= want) {
      cuts.push(p.end + 1);
      want = p.end + 1 + (sizes[cuts.length] ?? Infinity);
    }
  }
  const bounds = [from, ...cuts, text.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    let json: string | undefined;
    try {
      json = parseToJson(text.slice(bounds[i], bounds[i + 1]));
    } catch (e) {
      if (!(e instanceof PgSyntaxError)) throw e;
    }
    yield { from: bounds[i], to: bounds[i + 1], json };
    if (json === undefined) return;
  }
}

/** Where the last statement that ends (at a top-level semicolon) before `limit` ends, or undefined. */
function lastBoundaryBefore(text: string, limit: number): number | undefined {
  let cut: number | undefined;
  for (const p of splitStatements(text, 0, limit)) if (p.end < limit) cut = p.end + 1;
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
  const n = text.length;
  // No statement ends early enough (one huge statement first): the helper does it all.
  const cut = lastBoundaryBefore(text, Math.floor(LOCAL_SHARE * n)) ?? 0;
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
      if (e instanceof PgSyntaxError) return false;
      throw e;
    }
    onStatements(statementsOfPiece(text, 0, cut, local));
  }
  let covered = cut;
  for await (const piece of remote) {
    if (piece.json === undefined || piece.from !== covered) return false;
    onStatements(statementsOfPiece(text, piece.from, piece.to, piece.json));
    covered = piece.to;
  }
  return covered === n;
}
