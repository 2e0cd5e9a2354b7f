// graphile-migrate's committed file format, byte for byte: header lines, one blank line, the body, one trailing "\n".
// The hash chain is what makes a committed file immutable; see shared/notes/graphile-migrate.md.

/** Committed file names graphile-migrate recognises; anything else in committed/ is ignored by it. */
export const COMMITTED_NAME = /^([0-9]+)(-[-_a-zA-Z0-9]*)?\.sql$/;
const HEADER = /^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$/;

export interface Header {
  key: string;
  value: string | null;
  /** Offsets of the whole header line in the file. */
  start: number;
  end: number;
}

export interface CommittedFile {
  headers: Header[];
  /** Offset where the body starts (after the blank line), and the body as stored. */
  bodyStart: number;
  body: string;
  previous: string | null;
  hash: string | null;
  message: string | null;
  allowInvalidHash: boolean;
  /** Format problems graphile-migrate would refuse the file for (missing blank line, duplicate header, CRLF). */
  problems: { message: string; start: number; end: number }[];
}

/** sha1 of the body chained to the previous hash, exactly as graphile-migrate computes it (placeholders unsubstituted). */
export function calculateHash(body: string, previousHash: string | null): string {
  const input = ((previousHash || '') + '\n' + body.trim()).trim() + '\n';
  // node:crypto is loaded on first use: most analyses (standalone files, lint workers) never hash, and it costs
  // a few milliseconds at start-up.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return 'sha1:' + createHash('sha1').update(input).digest('hex');
}

export function parseCommittedFile(text: string): CommittedFile {
  const headers: Header[] = [];
  const problems: CommittedFile['problems'] = [];
  let offset = 0;
  if (text.includes('\r\n')) {
    const at = text.indexOf('\r\n');
    problems.push({ message: 'CRLF line endings: graphile-migrate requires LF', start: at, end: at + 2 });
  }
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const lineEnd = nl === -1 ? text.length : nl;
    const line = text.slice(offset, lineEnd).replace(/\r$/, '');
    const m = HEADER.exec(line);
    if (!m) break;
    const key = m[1];
    if (headers.some((h) => h.key === key)) {
      problems.push({ message: `duplicate header '${key}'`, start: offset, end: lineEnd });
    }
    headers.push({ key, value: m[2] === undefined ? null : m[2].trim(), start: offset, end: lineEnd });
    offset = nl === -1 ? text.length : nl + 1;
  }
  let bodyStart = offset;
  if (headers.length > 0) {
    if (text.startsWith('\n', offset)) bodyStart = offset + 1;
    else if (text.startsWith('\r\n', offset)) bodyStart = offset + 2;
    else problems.push({ message: 'headers must be followed by exactly one blank line', start: offset, end: offset });
  }
  const get = (k: string) => headers.find((h) => h.key === k)?.value ?? null;
  const previous = get('Previous');
  return {
    headers,
    bodyStart,
    body: text.slice(bodyStart),
    previous: previous === '-' ? null : previous,
    hash: get('Hash'),
    message: get('Message'),
    allowInvalidHash: headers.some((h) => h.key === 'AllowInvalidHash'),
    problems,
  };
}

/** Serialises a committed migration the way graphile-migrate writes it. */
export function formatCommittedFile(opts: {
  body: string;
  previousHash: string | null;
  message?: string | null;
  extraHeaders?: string[];
}): { text: string; hash: string } {
  const body = opts.body.trim() + '\n';
  const hash = calculateHash(body, opts.previousHash);
  const lines = [`--! Previous: ${opts.previousHash ?? '-'}`, `--! Hash: ${hash}`];
  if (opts.message) lines.push(`--! Message: ${opts.message}`);
  for (const h of opts.extraHeaders ?? []) lines.push(h);
  return { text: lines.join('\n') + '\n\n' + body, hash };
}
