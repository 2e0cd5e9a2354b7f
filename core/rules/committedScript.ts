// The committed-file rules read every committed migration on every analysis; a committed script object stays the
// same while its text does (the Analyzer caches it), so its header parse and body hash are computed once.
import { calculateHash, type CommittedFile, parseCommittedFile } from '../graphile/committedFile';
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
