// The committed-file rules read every committed migration on every analysis; a committed script object stays the
// same while its text does (the Analyzer caches it), so its header parse and body hash are computed once.
import { calculateHash, type CommittedFile, parseCommittedFile } from '../graphile/committedFile';
import type { RuleContext, Violation } from '../rule';
import type { Script } from '../script';

interface CommittedInfo {
  file: CommittedFile;
  /** The hash the body actually has, chained to the `--! Previous` it names. */
  actualHash: string;
}

const cache = new WeakMap<Script, CommittedInfo>();

export function committedInfo(s: Script): CommittedInfo {
  let info = cache.get(s);
  if (!info) {
    const file = parseCommittedFile(s.expansion.text);
    info = { file, actualHash: calculateHash(file.body, file.previous) };
    cache.set(s, info);
  }
  return info;
}

/** The last result of each check that reads only the committed scripts (per rule and project). Editing current.sql
 * leaves those scripts the very same objects, so their result cannot have changed. */
const lastResults = new Map<string, { scripts: Script[]; result: Violation[] }>();

export function committedOnly(rule: string, ctx: RuleContext, check: (committed: Script[]) => Violation[]): Violation[] {
  const committed = ctx.scripts.filter((s) => s.role === 'committed');
  const key = `${rule}\0${ctx.project?.root ?? ''}`;
  const last = lastResults.get(key);
  if (last && last.scripts.length === committed.length && last.scripts.every((s, i) => s === committed[i])) return last.result;
  const result = check(committed);
  lastResults.set(key, { scripts: committed, result });
  return result;
}
