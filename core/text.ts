// Position arithmetic. libpg-query reports UTF-8 byte offsets; everything else in pgmig speaks JS string offsets.

/** Maps UTF-8 byte offsets of `text` to string offsets. Identity (and free) for pure ASCII text. */
export class ByteOffsets {
  // Only the characters that take more than one byte are recorded (most SQL is ASCII, with an accent or an emoji
  // in a comment here and there): where each starts in bytes, its string offset, and its length in bytes and in
  // UTF-16 units. Between them, one byte is one unit.
  private readonly byteStart: number[] = [];
  private readonly charAt: number[] = [];
  private readonly bytes: number[] = [];
  private readonly units: number[] = [];
  private readonly totalBytes: number;

  constructor(private readonly text: string) {
    // eslint-disable-next-line no-control-regex
    const wide = /[^\x00-\x7f]/g;
    let extra = 0; // bytes beyond one per unit so far
    for (let m = wide.exec(text); m !== null; m = wide.exec(text)) {
      const i = m.index;
      const c = text.charCodeAt(i);
      let bytes = 3;
      let units = 1;
      if (c < 0x800) bytes = 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        // A surrogate pair: one code point, 4 bytes (a lone surrogate is encoded as U+FFFD, 3 bytes).
        bytes = 4;
        units = 2;
        wide.lastIndex = i + 2;
      }
      this.byteStart.push(i + extra);
      this.charAt.push(i);
      this.bytes.push(bytes);
      this.units.push(units);
      extra += bytes - units;
    }
    this.totalBytes = text.length + extra;
  }

  /** The string offset of a UTF-8 byte offset (a byte inside a character gives that character's offset). */
  toChar(byteOffset: number): number {
    const starts = this.byteStart;
    if (starts.length === 0 || byteOffset < starts[0]) return Math.min(byteOffset, this.text.length);
    if (byteOffset >= this.totalBytes) return this.text.length;
    // The last wide character starting at or before the offset.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= byteOffset) lo = mid;
      else hi = mid - 1;
    }
    const end = starts[lo] + this.bytes[lo];
    return byteOffset < end ? this.charAt[lo] : this.charAt[lo] + this.units[lo] + (byteOffset - end);
  }
}

/** Line starts of a text, for offset <-> (line, column) conversion. Lines and columns are 0-based here. */
export class LineIndex {
  readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }
  position(offset: number): { line: number; character: number } {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - s[lo] };
  }
  offset(line: number, character: number): number {
    if (line >= this.starts.length) return this.text.length;
    if (line < 0) return 0;
    const lineEnd = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
    return Math.min(this.starts[line] + character, lineEnd);
  }
  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const next = this.starts[line + 1] ?? this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$/, '');
  }
}

/** What /\s/ matches (and String.prototype.trim removes), for a UTF-16 code unit. */
export function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Skips whitespace and SQL comments (`--` lines and nested block comments) from `offset`. */
export function skipTrivia(text: string, offset: number, end = text.length): number {
  let i = offset;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) { i++; continue; }
    if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? end : nl + 1;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      let depth = 1;
      i += 2;
      while (i < end && depth > 0) {
        if (text.charCodeAt(i) === 47 && text.charCodeAt(i + 1) === 42) { depth++; i += 2; }
        else if (text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47) { depth--; i += 2; }
        else i++;
      }
      continue;
    }
    break;
  }
  return Math.min(i, end);
}
