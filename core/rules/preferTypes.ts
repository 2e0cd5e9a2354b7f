// The four type hygiene rules share one shape: a new column of a type that ages badly, and a fix that writes the
// better type in its place. Each rule is its own file (preferTimestamptz.ts, ...); this builds them.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import type { Fix } from '../types';
import { newColumns, writtenType, type NewColumn } from './safetyScope';

export interface TypeAdvice {
  id: Rule['id'];
  summary: string;
  /** The message for a column, or undefined when the column is fine. */
  message(c: NewColumn): string | undefined;
  /** The type as written (sticky, case-insensitive) and its replacement. */
  written: RegExp;
  replacement(c: NewColumn, written: string): string;
  /** Whether the fix keeps the column's meaning (a shorter varchar limit is lost: not safe). */
  safe: boolean;
}

export function typeRule(a: TypeAdvice): Rule {
  return {
    id: a.id,
    defaultSeverity: 'info',
    summary: a.summary,
    check(ctx) {
      const out: Violation[] = [];
      for (const c of newColumns(ctx)) {
        const message = a.message(c);
        if (!message) continue;
        const { script, statement: s } = c.st;
        const text = script.expansion.text;
        const range = writtenType(text, c.typeStart, a.written);
        const fixes: Fix[] = [];
        if (range) {
          const at = locate(script, range.start, range.end);
          const newText = a.replacement(c, text.slice(range.start, range.end));
          fixes.push({ title: `Use ${newText}`, safe: a.safe, edits: [{ file: at.file, start: at.start, end: at.end, newText }] });
        }
        const where = range ?? { start: c.typeStart, end: c.typeStart + c.type.length };
        out.push({ location: locate(script, Math.max(s.start, where.start), Math.min(s.end, Math.max(where.end, where.start + 1))), message, fixes });
      }
      return out;
    },
  };
}
