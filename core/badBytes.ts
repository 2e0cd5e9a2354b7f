// Bytes that are not UTF-8. Files are read as UTF-8, and the decoder puts U+FFFD where a byte sequence is not
// UTF-8 (a file saved as Latin-1, Windows-1252 or UTF-16): the text looks fine to every later step, but PostgreSQL
// refuses it (`invalid byte sequence for encoding "UTF8"`). This finds those places again from the file's bytes,
// only for texts that contain U+FFFD at all, and reports them as the syntax errors PostgreSQL would raise.
import { mapFileOffset, type Expansion } from './includes';
import type { FileSystem } from './fileSystem';
import { errorsAt, type SyntaxError } from './sql/parser';

export interface InvalidSequence {
  /** The string offset of the U+FFFD that stands for it in the decoded text. */
  offset: number;
  bytes: number[];
}

/** At most this many per file: a binary file would give thousands. */
const MAX_PER_FILE = 10;

/**
 * The byte sequences of `bytes` that are not UTF-8, each where the decoder (TextDecoder, Buffer.toString: the
 * WHATWG algorithm, one U+FFFD per maximal ill-formed subsequence) put its U+FFFD, and how many there are in all.
 */
export function invalidUtf8(bytes: Uint8Array, max = MAX_PER_FILE): { found: InvalidSequence[]; total: number } {
  const found: InvalidSequence[] = [];
  let total = 0;
  let units = 0; // UTF-16 units decoded so far
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let start = 0; // where the sequence being read started
  let cp = 0;
  const bad = (from: number, to: number) => {
    total++;
    if (found.length < max) found.push({ offset: units, bytes: Array.from(bytes.subarray(from, Math.max(to, from + 1))) });
    units++;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (needed === 0) {
      start = i;
      if (b < 0x80) units++;
      else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) { if (b === 0xe0) lower = 0xa0; if (b === 0xed) upper = 0x9f; needed = 2; cp = b & 0xf; }
      else if (b >= 0xf0 && b <= 0xf4) { if (b === 0xf0) lower = 0x90; if (b === 0xf4) upper = 0x8f; needed = 3; cp = b & 7; }
      else bad(i, i + 1);
      continue;
    }
    if (b < lower || b > upper) {
      // The sequence so far is ill-formed; this byte starts over.
      bad(start, i);
      needed = seen = cp = 0;
      lower = 0x80;
      upper = 0xbf;
      i--;
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) {
      units += cp > 0xffff ? 2 : 1;
      needed = seen = cp = 0;
    }
  }
  if (needed !== 0) bad(start, bytes.length);
  return { found, total };
}

function hex(bytes: number[]): string {
  return bytes.map((b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
}

/** Errors for the bytes that are not UTF-8 in the files of an expansion (the root file and its fixtures), at their
 * places in the expanded text. Empty unless the text contains U+FFFD and the file system has the bytes. */
export function encodingErrors(fs: FileSystem, exp: Expansion): SyntaxError[] {
  const text = exp.text;
  if (!fs.bytes || !text.includes('\uFFFD')) return [];
  const spans: { start: number; end: number; message: string }[] = [];
  for (const file of [exp.file, ...exp.fixtures]) {
    const bytes = fs.bytes(file);
    if (!bytes) continue;
    const { found, total } = invalidUtf8(bytes);
    found.forEach((s, k) => {
      let message = `invalid byte sequence for encoding "UTF8": ${hex(s.bytes)}: the file is not UTF-8 here (saved as Latin-1, Windows-1252 or UTF-16?); save it as UTF-8`;
      if (k === found.length - 1 && total > found.length) message += ` (${total - found.length} more invalid sequences in the file are not reported)`;
      for (const at of mapFileOffset(exp, file, s.offset)) spans.push({ start: at, end: at + 1, message });
    });
  }
  return errorsAt(text, spans);
}
