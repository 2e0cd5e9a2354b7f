// A thin binding to libpg-query's WASM build (PostgreSQL 18's parser), in place of the package's own wrapper:
// - the wrapper starts compiling the 1.7 MB WASM as soon as it is imported; here nothing happens until the first
//   loadPgQuery(), so a CLI command or a server start that never parses pays nothing;
// - a compiled WebAssembly.Module can be handed to worker threads, which then skip compiling it again;
// - text crosses the boundary with TextEncoder/TextDecoder and a native search for the terminating NUL, where the
//   wrapper loops over every byte in JavaScript (about 30 ms of a 14,000-statement file).
// The C side and the JSON it returns are the package's, unchanged.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
// @ts-expect-error the emscripten factory has no type declarations
import createPgQuery from 'libpg-query/wasm/libpg-query.js';

interface EmscriptenModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _wasm_parse_query_raw(ptr: number): number;
  _wasm_free_parse_result(ptr: number): void;
  _wasm_parse_plpgsql(ptr: number): number;
  _wasm_free_string(ptr: number): void;
}

/** A syntax error from PostgreSQL's grammar. `cursorPosition` counts code points from the start of the text (0-based). */
export class PgSyntaxError extends Error {
  readonly sqlDetails: { message: string; cursorPosition: number };
  constructor(message: string, cursorPosition: number) {
    super(message);
    this.name = 'PgSyntaxError';
    this.sqlDetails = { message, cursorPosition };
  }
}

/** The text parsed but its parse tree did not fit in the parser's memory (a single statement of tens of megabytes:
 * the tree as JSON is about five times the SQL). Not a syntax error: the grammar never said no. */
export class ParserLimitError extends Error {
  constructor(readonly size: number) {
    super(`too large for the parser (${size} characters)`);
    this.name = 'ParserLimitError';
  }
}

let instance: EmscriptenModule | undefined;
let loading: Promise<void> | undefined;
let compiled: Promise<WebAssembly.Module> | undefined;

function wasmPath(): string {
  // The bundles run from dist/, where esbuild.mjs copies the .wasm; compiled tests run from out/core/.
  const beside = path.join(__dirname, 'libpg-query.wasm');
  const inPackage = 'libpg-query/wasm/libpg-query.wasm'; // a variable: the bundles never take this branch
  return existsSync(beside) ? beside : require.resolve(inPackage);
}

/** The compiled parser, compiled once per process (and shareable with workers through postMessage/workerData). */
export function compiledPgQuery(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(readFileSync(wasmPath()));
  return compiled;
}

/** Instantiates the parser once. `precompiled` (from another thread's compiledPgQuery()) skips the compile. */
export function loadPgQuery(precompiled?: WebAssembly.Module): Promise<void> {
  if (precompiled) compiled ??= Promise.resolve(precompiled);
  loading ??= (async () => {
    const wasm = await compiledPgQuery();
    let failed: (e: unknown) => void = () => {};
    const failure = new Promise<never>((_, reject) => (failed = reject));
    instance = await Promise.race([
      createPgQuery({
        instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
          WebAssembly.instantiate(wasm, imports).then(done, failed);
          return {};
        },
      }),
      failure,
    ]);
  })();
  return loading;
}

export function pgQueryLoaded(): boolean {
  return instance !== undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function loaded(): EmscriptenModule {
  if (!instance) throw new Error('parser not loaded: await loadPgQuery() first');
  return instance;
}

/** Copies `text` into WASM memory as a NUL-terminated UTF-8 string; the caller frees it. */
function toWasm(m: EmscriptenModule, text: string): number {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const capacity = text.length * 3 + 1;
  const ptr = m._malloc(capacity);
  if (!ptr) throw new ParserLimitError(text.length);
  // HEAPU8 is read after _malloc: growing the memory replaces the view.
  const { written } = encoder.encodeInto(text, m.HEAPU8.subarray(ptr, ptr + capacity - 1));
  m.HEAPU8[ptr + written] = 0;
  return ptr;
}

function fromWasm(m: EmscriptenModule, ptr: number): string {
  if (!ptr) return '';
  const heap = m.HEAPU8;
  const end = heap.indexOf(0, ptr);
  return decoder.decode(heap.subarray(ptr, end < 0 ? heap.length : end));
}

/** Parses SQL text into libpg-query's JSON parse tree (as text). Throws PgSyntaxError for invalid SQL. */
export function parseToJson(text: string): string {
  const m = loaded();
  const queryPtr = toWasm(m, text);
  let resultPtr = 0;
  try {
    resultPtr = m._wasm_parse_query_raw(queryPtr);
    if (!resultPtr) throw new ParserLimitError(text.length);
    // struct PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
    const words = m.HEAPU32;
    const treePtr = words[resultPtr >> 2];
    const errorPtr = words[(resultPtr + 8) >> 2];
    if (errorPtr) {
      // struct PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; ... }
      const message = fromWasm(m, words[errorPtr >> 2]) || 'syntax error';
      const cursor = words[(errorPtr + 16) >> 2] | 0;
      throw new PgSyntaxError(message, cursor > 0 ? cursor - 1 : 0);
    }
    // Every successful parse has a tree, even of empty text; none means its JSON could not be allocated.
    if (!treePtr) throw new ParserLimitError(text.length);
    const json = fromWasm(m, treePtr);
    if (!json) throw new ParserLimitError(text.length);
    return json;
  } finally {
    m._free(queryPtr);
    if (resultPtr) m._wasm_free_parse_result(resultPtr);
  }
}

/** Parses SQL text into libpg-query's parse tree. Throws PgSyntaxError for invalid SQL. */
export function parse(text: string): any {
  return JSON.parse(parseToJson(text));
}

// The PL/pgSQL parser's verdict on texts it read, handed over once to the PL/pgSQL syntax check (plpgsqlError):
// the front end parses every DO block for the statements it runs (parsePlPgSQL), and a large file's functions are
// checked on the thread that parsed them (parallelParse.ts). Keyed by the exact text, so a hit is always the answer
// the parser would give; taken out when read, and bounded, since it is only for that hand-over.
const verdicts = new Map<string, string | null>();
const MAX_VERDICTS = 16384;

/** Records the PL/pgSQL parser's verdict on `text` (its error, or null when it parses), found elsewhere (another
 * thread), for the next plpgsqlError(text). */
export function rememberPlpgsqlVerdict(text: string, error: string | null): void {
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(text, error);
}

/** The PL/pgSQL parser's error for a function or DO block (the whole statement text), or undefined when it parses.
 * Only the error is read back: no tree is decoded or built in JS. */
export function plpgsqlError(text: string): string | undefined {
  const known = verdicts.get(text);
  if (known !== undefined) {
    verdicts.delete(text);
    return known ?? undefined;
  }
  const m = loaded();
  const queryPtr = toWasm(m, text);
  let resultPtr = 0;
  try {
    resultPtr = m._wasm_parse_plpgsql(queryPtr);
    if (resultPtr && m.HEAPU8[resultPtr] === 0x7b /* '{': the tree */) return undefined;
    return fromWasm(m, resultPtr) || 'syntax error';
  } finally {
    m._free(queryPtr);
    if (resultPtr) m._wasm_free_string(resultPtr);
  }
}

/** Parses a PL/pgSQL function or DO block (the whole CREATE FUNCTION / DO statement text). */
export function parsePlPgSQL(text: string): any {
  const m = loaded();
  const queryPtr = toWasm(m, text);
  let resultPtr = 0;
  try {
    resultPtr = m._wasm_parse_plpgsql(queryPtr);
    const result = fromWasm(m, resultPtr);
    // Success is a JSON object; anything else is the error message.
    if (!result.startsWith('{')) {
      rememberPlpgsqlVerdict(text, result || 'syntax error');
      throw new Error(result);
    }
    rememberPlpgsqlVerdict(text, null);
    return JSON.parse(result);
  } finally {
    m._free(queryPtr);
    if (resultPtr) m._wasm_free_string(resultPtr);
  }
}
