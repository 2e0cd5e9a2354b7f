// A committed migration is immutable: databases that already ran it will never run the edit, and graphile-migrate
// refuses to run a file whose body no longer matches its `--! Hash`.
import { committedInfo, committedOnly } from './committedScript';
import type { Rule, Violation } from '../rule';

export const committedHashMismatch: Rule = {
  id: 'committed-hash-mismatch',
  defaultSeverity: 'error',
  layouts: ['graphile'],
  summary: 'A committed migration was edited after it was committed (its body no longer matches `--! Hash`).',
  check: (ctx) => committedOnly('committed-hash-mismatch', ctx, (committed) => {
    const out: Violation[] = [];
    for (const s of committed) {
      const text = s.expansion.text;
      const { file: c, actualHash: actual } = committedInfo(s);
      const hashHeader = c.headers.find((h) => h.key === 'Hash');
      if (!hashHeader || !c.hash) {
        out.push({ location: { file: s.file, start: 0, end: Math.min(text.indexOf('\n') >>> 0, text.length) }, message: 'committed migration has no `--! Hash:` header' });
        continue;
      }
      if (c.allowInvalidHash) continue;
      if (actual !== c.hash) {
        out.push({
          location: { file: s.file, start: hashHeader.start, end: hashHeader.end },
          message: `edited after commit: the body now hashes to ${actual} but the header says ${c.hash}; graphile-migrate will refuse to run it (revert the edit, or put the change in current.sql)`,
        });
      }
    }
    return out;
  }),
};
