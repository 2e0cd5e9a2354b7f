// Whether a migration file runs its own transaction, or cannot run inside one: read from the text alone (the rules
// and the adapters share it; no database driver is loaded).
import { isNoTransaction } from '../engine/sourceText';
import { splitStatements } from '../sql/splitter';
import { skipTrivia } from '../text';
import { maskPsql } from './psql';

/** The statements' texts (comments, blanks and psql meta-commands around them left out). */
export function statementTexts(original: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  const text = maskPsql(original); // psql meta-commands (`\set ON_ERROR_STOP on` before BEGIN) are not statements
  for (const p of splitStatements(text)) {
    const start = skipTrivia(text, p.start, p.end);
    if (start < p.contentEnd) out.push({ text: text.slice(start, p.contentEnd), start, end: p.contentEnd });
  }
  return out;
}

const BEGIN = /^(?:begin(?:\s+(?:work|transaction))?|start\s+transaction)\b/i;
const COMMIT = /^(?:commit|end)(?:\s+(?:work|transaction))?\s*$/i;

/** The file runs its own transaction: its first statement is BEGIN / START TRANSACTION and its last COMMIT / END. */
export function wrapsItself(text: string): boolean {
  const s = statementTexts(text);
  return s.length >= 2 && BEGIN.test(s[0].text) && COMMIT.test(s[s.length - 1].text);
}

/** Statements PostgreSQL refuses inside a transaction block: a file holding one cannot be wrapped. */
export function needsNoTransaction(text: string): boolean {
  if (isNoTransaction(text)) return true;
  return statementTexts(text).some(
    (s) => /^create\s+(?:unique\s+)?index\s+concurrently\b/i.test(s.text) || /^(?:drop|reindex)\s+index\s+concurrently\b/i.test(s.text) || /^(?:vacuum|create\s+database|drop\s+database|alter\s+system)\b/i.test(s.text),
  );
}

