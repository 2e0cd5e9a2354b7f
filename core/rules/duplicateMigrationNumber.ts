// Two migrations with the same number (two branches each added `002_...`): which one `--to 002` or
// `rollback-002.sql` means is a guess, and runners that key on the number apply one and skip the other.
// Numbered files (`NNN_name.sql`) and Drizzle journal tags (`NNNN_name`, after a merge of two branches' journals).
import path from 'node:path';
import type { Rule, Violation } from '../rule';
import { duplicateNumbers } from '../layouts/files';

export const duplicateMigrationNumber: Rule = {
  id: 'duplicate-migration-number',
  defaultSeverity: 'error',
  layouts: ['numbered', 'drizzle'],
  summary: 'Two migrations share a number: --to, rollback files and other runners cannot tell them apart.',
  check(ctx) {
    const committed = ctx.scripts.filter((s) => s.role === 'committed');
    const out: Violation[] = [];
    for (const [number, group] of duplicateNumbers(committed)) {
      for (const script of group) {
        const others = group.filter((o) => o !== script);
        const text = script.expansion.text;
        const eol = text.search(/\r?\n/);
        out.push({
          location: { file: script.file, start: 0, end: eol < 0 ? text.length : eol },
          message: `migration number ${number} is also used by ${others.map((o) => path.basename(o.file)).join(', ')}: pgmig migrate and rollback refuse to run until one of them is renumbered`,
          related: others.map((o) => ({ file: o.file, start: 0, end: 0, message: `${path.basename(o.file)} has the same number` })),
        });
      }
    }
    return out;
  },
};
