// A numbered migration without `rollback-NNN.sql` cannot be undone by `pgmig rollback` (or by hand in a hurry).
import path from 'node:path';
import type { Rule, Violation } from '../rule';
import { diskFileSystem } from '../fileSystem';
import { NUMBERED_FILE, NUMBERED_ROLLBACK } from '../layouts/detect';

export const missingRollback: Rule = {
  id: 'missing-rollback',
  defaultSeverity: 'info',
  layouts: ['numbered'],
  summary: 'A numbered migration without a rollback-NNN.sql beside it.',
  check(ctx) {
    const out: Violation[] = [];
    const downs = new Map<string, Set<number>>(); // folder -> numbers that have a rollback file
    for (const script of ctx.scripts) {
      if (script.role !== 'committed') continue;
      const m = NUMBERED_FILE.exec(path.basename(script.file));
      if (!m) continue;
      const dir = path.dirname(script.file);
      let numbers = downs.get(dir);
      if (!numbers) {
        numbers = new Set(diskFileSystem.list(dir).flatMap((n) => {
          const r = NUMBERED_ROLLBACK.exec(n);
          return r ? [parseInt(r[1], 10)] : [];
        }));
        downs.set(dir, numbers);
      }
      if (numbers.has(parseInt(m[1], 10))) continue;
      const text = script.expansion.text;
      const eol = text.search(/\r?\n/);
      out.push({
        location: { file: script.file, start: 0, end: eol < 0 ? text.length : eol },
        message: `no rollback-${m[1]}.sql beside this migration: pgmig rollback cannot undo it`,
      });
    }
    return out;
  },
};
