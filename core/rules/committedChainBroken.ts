// Each committed migration names the hash of the one before it; a gap or a reordering means files were removed,
// renamed or edited, and graphile-migrate stops at that file.
import path from 'node:path';
import { committedInfo, committedOnly } from './committedScript';
import type { Rule, Violation } from '../rule';

export const committedChainBroken: Rule = {
  id: 'committed-chain-broken',
  defaultSeverity: 'error',
  layouts: ['graphile'],
  summary: "A committed migration's `--! Previous` is not the hash of the migration before it.",
  check: (ctx) => committedOnly('committed-chain-broken', ctx, (committed) => {
    const out: Violation[] = [];
    let prev: { file: string; hash: string | null } | undefined;
    for (const s of committed) {
      const c = committedInfo(s).file;
      const header = c.headers.find((h) => h.key === 'Previous');
      const expected = prev ? prev.hash : null;
      if (!header) {
        out.push({ location: { file: s.file, start: 0, end: 0 }, message: 'committed migration has no `--! Previous:` header' });
      } else if (c.previous !== expected) {
        const before = prev ? `${path.basename(prev.file)}'s hash ${expected ?? '(none)'}` : "'-' (this is the first migration)";
        out.push({
          location: { file: s.file, start: header.start, end: header.end },
          message: `broken hash chain: --! Previous is ${c.previous ?? '-'} but should be ${before}`,
          related: prev ? [{ file: prev.file, start: 0, end: 0, message: 'the migration before it' }] : [],
        });
      }
      prev = { file: s.file, hash: c.hash };
    }
    return out;
  }),
};
