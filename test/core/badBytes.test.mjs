// invalidUtf8 finds the byte sequences the UTF-8 decoder replaced, at the offsets where their U+FFFD is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalidUtf8 } from '../../out/core/badBytes.js';

test('invalidUtf8: one sequence per U+FFFD the decoder wrote, at its offset (random bytes against Buffer.toString)', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pool = [0x41, 0x0a, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0xff, 0xc0, 0xf4, 0x90, 0x80, 0xe0];
  for (let n = 0; n < 2000; n++) {
    const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 12) }, () => pool[Math.floor(random() * pool.length)]));
    const text = bytes.toString('utf8');
    const replaced = [...text.matchAll(/\uFFFD/g)].map((m) => m.index);
    const { found, total } = invalidUtf8(bytes, 100);
    assert.deepEqual(found.map((s) => s.offset), replaced, bytes.toString('hex'));
    assert.equal(total, replaced.length);
  }
});

test('invalidUtf8: the bytes of each sequence, and valid text has none', () => {
  assert.deepEqual(invalidUtf8(Buffer.from('caf\xe9!', 'latin1')).found, [{ offset: 3, bytes: [0xe9] }]);
  assert.deepEqual(invalidUtf8(Buffer.from([0x61, 0xe2, 0x82, 0x62])).found, [{ offset: 1, bytes: [0xe2, 0x82] }]);
  assert.deepEqual(invalidUtf8(Buffer.from('é€😀\uFFFD', 'utf8')), { found: [], total: 0 });
});
