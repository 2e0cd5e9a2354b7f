// PostgreSQL's own grammar rejects the statement; everything after it in the file is still analysed. PL/pgSQL
// bodies (functions, procedures, DO blocks) are checked too, as PostgreSQL does when it compiles them.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';
import { plpgsqlErrors } from './plpgsqlBodies';

export const syntaxError: Rule = {
  id: 'syntax-error',
  defaultSeverity: 'error',
  summary: 'The statement is not valid PostgreSQL.',
  check(ctx) {
    const out: Violation[] = [];
    for (const s of ctx.scripts) {
      for (const e of s.parsed.errors) out.push({ location: locate(s, e.start, e.end), message: e.message });
      for (const e of plpgsqlErrors(s, ctx.project?.placeholders)) out.push({ location: locate(s, e.start, e.end), message: e.message });
    }
    return out;
  },
};
