// A statement whose parse tree does not fit in the parser's memory (a single INSERT of tens of megabytes): it was
// neither checked nor replayed into the schema model. Said once, where it starts, instead of a crash or a syntax
// error the grammar never raised.
import type { Rule, Violation } from '../rule';
import { locate } from '../script';

function megabytes(characters: number): string {
  return characters >= 1e6 ? `${(characters / 1e6).toFixed(1)} MB` : `${Math.ceil(characters / 1e3)} KB`;
}

export const statementTooLarge: Rule = {
  id: 'statement-too-large',
  defaultSeverity: 'warning',
  summary: 'A statement too large for the parser: it was not checked.',
  check(ctx) {
    const out: Violation[] = [];
    for (const s of ctx.scripts) {
      for (const u of s.parsed.unparsed ?? []) {
        // The first line: a range over megabytes helps no one in an editor or a terminal.
        const text = s.expansion.text;
        const nl = text.indexOf('\n', u.start);
        const end = nl === -1 || nl > u.end ? u.end : nl;
        out.push({
          location: locate(s, u.start, Math.max(u.start + 1, end)),
          message: `statement too large for the parser (${megabytes(u.size)}): it was not checked, and what it does is missing from the schema pgmig models; split it into smaller statements to have it checked`,
        });
      }
    }
    return out;
  },
};
