// The keyword case of a SQL file, and SQL text written in it. Fixes are written with UPPERCASE keywords; inserted into a
// file written in lowercase they would stand out, so the analysis passes every fix through here (analysis.ts).

export type KeywordCase = 'lower' | 'upper';

/** Words every migration uses: enough to tell how a file writes its keywords. */
const COMMON = new Set([
  'create', 'table', 'alter', 'drop', 'index', 'select', 'insert', 'update', 'delete', 'from', 'where', 'grant', 'revoke',
  'begin', 'commit', 'references', 'primary', 'key', 'not', 'null', 'default', 'function', 'returns', 'language', 'policy',
  'enable', 'row', 'level', 'security', 'on', 'to', 'as', 'and', 'or', 'if', 'exists', 'add', 'column', 'constraint',
  'unique', 'foreign', 'schema', 'view', 'trigger', 'using', 'with', 'check', 'set', 'values', 'into', 'type', 'execute',
]);

/**
 * Calls `word(start, end)` for each bare word of `sql`: outside single-quoted strings, quoted identifiers, comments,
 * and not a `:PLACEHOLDER`. Dollar-quoted bodies are code (a DO block a fix writes): their words count.
 */
function forEachWord(sql: string, word: (start: number, end: number) => void): void {
  // One pass of one regular expression (V8 runs it far faster than a loop over characters): strings, quoted names and
  // comments are matched whole and skipped; '' and "" inside are two quoted pieces in a row, skipped the same way.
  const token = /'[^']*'?|"[^"]*"?|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|[A-Za-z_][A-Za-z0-9_$]*/g;
  for (let m = token.exec(sql); m; m = token.exec(sql)) {
    const c = m[0].charCodeAt(0);
    if (c === 39 || c === 34 || c === 45 || c === 47) continue; // ' " - /
    const before = sql.charCodeAt(m.index - 1);
    if (before === 58 || before === 36 || before === 46) continue; // :PLACEHOLDER, $tag, schema.name
    word(m.index, m.index + m[0].length);
  }
}

/** 'lower' or 'upper' when the file writes most of its common keywords that way; undefined when it cannot tell. */
export function keywordCaseOf(sql: string): KeywordCase | undefined {
  let lower = 0;
  let upper = 0;
  // A prefix is enough to tell (a hundred lines hold dozens of keywords), and keeps this cheap on a large migration.
  const text = sql.length > 4_000 ? sql.slice(0, 4_000) : sql;
  forEachWord(text, (a, b) => {
    const w = text.slice(a, b);
    if (!COMMON.has(w.toLowerCase())) return;
    if (w === w.toLowerCase()) lower++;
    else if (w === w.toUpperCase()) upper++;
  });
  if (lower + upper < 2) return undefined;
  return lower > upper ? 'lower' : upper > lower ? 'upper' : undefined;
}

/**
 * `sql` with its UPPERCASE words written in lowercase, for a file that writes keywords so. Identifiers in generated
 * SQL are quoted or already lowercase (PostgreSQL folds unquoted names), so an uppercase bare word is a keyword or a
 * type name. An uppercase file keeps the fix as written.
 */
export function inKeywordCase(sql: string, to: KeywordCase | undefined): string {
  if (to !== 'lower' || !/[A-Z]/.test(sql)) return sql;
  let out = '';
  let last = 0;
  forEachWord(sql, (a, b) => {
    const w = sql.slice(a, b);
    if (!/[A-Z]/.test(w) || w !== w.toUpperCase()) return;
    out += sql.slice(last, a) + w.toLowerCase();
    last = b;
  });
  return out + sql.slice(last);
}
