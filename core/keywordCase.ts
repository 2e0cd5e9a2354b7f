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
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const close = sql.indexOf(c, i + 1);
      i = close < 0 ? n : close + 1;
      // '' and "" inside are two quoted pieces in a row: the loop handles them the same way.
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      if (sql[i - 1] !== ':' && sql[i - 1] !== '$' && sql[i - 1] !== '.') word(i, j);
      i = j;
    } else i++;
  }
}

/** 'lower' or 'upper' when the file writes most of its common keywords that way; undefined when it cannot tell. */
export function keywordCaseOf(sql: string): KeywordCase | undefined {
  let lower = 0;
  let upper = 0;
  // A prefix is enough to tell, and keeps this cheap on a 2,000-line migration.
  const text = sql.length > 20_000 ? sql.slice(0, 20_000) : sql;
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
