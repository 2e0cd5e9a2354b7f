// Position arithmetic. libpg-query reports UTF-8 byte offsets; everything else in pgmig speaks JS string offsets.

/** Maps UTF-8 byte offsets of `text` to string offsets. Identity (and free) for pure ASCII text. */
export class ByteOffsets {
  private readonly table: Uint32Array | undefined;
  constructor(text: string) {
    // Fast path: pure ASCII has equal byte and char offsets.
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/.test(text)) return;
    const bytes = Buffer.byteLength(text, 'utf8');
    const table = new Uint32Array(bytes + 1);
    let b = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let n: number;
      if (c < 0x80) n = 1;
      else if (c < 0x800) n = 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        // Surrogate pair: 4 bytes for 2 UTF-16 units.
        table[b] = i; table[b + 1] = i; table[b + 2] = i; table[b + 3] = i;
        b += 4; i++;
        continue;
      } else n = 3;
      for (let k = 0; k < n; k++) table[b + k] = i;
      b += n;
    }
    table[b] = text.length;
    this.table = table;
  }
  toChar(byteOffset: number): number {
    if (!this.table) return byteOffset;
    if (byteOffset >= this.table.length) return this.table[this.table.length - 1];
    return this.table[byteOffset];
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
