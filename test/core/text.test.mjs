// ByteOffsets turns libpg-query's UTF-8 byte offsets into string offsets. Checked against the plain definition:
// every byte of the text's UTF-8 encoding (TextEncoder's, which is what the parser gets) maps to the string offset
// of the character it belongs to, and the end maps to the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import textMod from '../../out/core/text.js';

const { ByteOffsets } = textMod;

/** The definition, one entry per byte (and one past the end). */
function expected(text) {
  const out = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const bytes = new TextEncoder().encode(text.slice(i, i + (pair ? 2 : 1))).length;
    for (let k = 0; k < bytes; k++) out.push(i);
    if (pair) i++;
  }
  out.push(text.length);
  assert.equal(out.length - 1, new TextEncoder().encode(text).length);
  return out;
}

test('byte offsets map to string offsets for ASCII, accents, CJK, emoji and lone surrogates', () => {
  const texts = ['', 'select 1', 'é', "select 'héllo' -- ü\n", '表 テーブル', '😀', 'a😀b😀c', 'x\ud800y', '\udc00z', 'a\ud83d', 'ab\u0800c\u07ffd'];
  let random = 7;
  const pick = () => ((random = (random * 1103515245 + 12345) & 0x7fffffff) % 6);
  for (let n = 0; n < 50; n++) {
    let t = '';
    for (let k = 0; k < 40; k++) t += ['a', 'é', '表', '😀', '\ud800', ' '][pick()];
    texts.push(t);
  }
  for (const text of texts) {
    const want = expected(text);
    const offsets = new ByteOffsets(text);
    for (let b = 0; b < want.length + 3; b++) assert.equal(offsets.toChar(b), want[Math.min(b, want.length - 1)], `${JSON.stringify(text)} byte ${b}`);
  }
});
