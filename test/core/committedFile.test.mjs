// graphile-migrate's committed file format and hash, byte for byte. The expected strings were produced by
// graphile-migrate 2.0.0-rc.3 itself (calculateHash, serializeMigration, parseMigrationText).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import committedFile from '../../out/core/graphile/committedFile.js';

const { calculateHash, formatCommittedFile, parseCommittedFile, COMMITTED_NAME } = committedFile;

const FOO = 'create table if not exists foo (id serial primary key);';
const FOO_HASH = 'sha1:e00ec93314a423ee5cc68d1182ad52f16442d7df';

describe('calculateHash', () => {
  test('the test vector from graphile-migrate', () => {
    assert.equal(calculateHash(FOO, null), FOO_HASH);
    assert.equal(calculateHash(FOO + '\n', null), FOO_HASH);
  });
  test('surrounding whitespace of the body does not count', () => {
    assert.equal(calculateHash(`\n\n  ${FOO}  \n\n`, null), FOO_HASH);
  });
  test('chained to the previous hash (with its sha1: prefix)', () => {
    assert.equal(calculateHash('create table b (id int);\n', FOO_HASH), 'sha1:87a82a8d6aae597d254eb08d8778a98982f05218');
  });
  test('any change of the body, a comment included, changes it', () => {
    assert.notEqual(calculateHash(FOO + '\n-- note', null), FOO_HASH);
  });
});

describe('formatCommittedFile', () => {
  test('what graphile-migrate commit writes', () => {
    const { text, hash } = formatCommittedFile({ body: FOO, previousHash: null, message: 'first' });
    assert.equal(hash, FOO_HASH);
    assert.equal(text, `--! Previous: -\n--! Hash: ${FOO_HASH}\n--! Message: first\n\n${FOO}\n`);
  });
  test('no message, a previous hash, a body with surrounding blank lines', () => {
    const { text, hash } = formatCommittedFile({ body: '\n\ncreate table b (id int);\n\n\n', previousHash: FOO_HASH });
    assert.equal(hash, 'sha1:87a82a8d6aae597d254eb08d8778a98982f05218');
    assert.equal(text, `--! Previous: ${FOO_HASH}\n--! Hash: ${hash}\n\ncreate table b (id int);\n`);
  });
});

describe('parseCommittedFile', () => {
  test('headers, body and their offsets', () => {
    const text = `--! Previous: -\n--! Hash: ${FOO_HASH}\n--! Message: first one\n--! AllowInvalidHash\n\n${FOO}\n`;
    const c = parseCommittedFile(text);
    assert.equal(c.previous, null);
    assert.equal(c.hash, FOO_HASH);
    assert.equal(c.message, 'first one');
    assert.equal(c.allowInvalidHash, true);
    assert.deepEqual(c.headers.map((h) => [h.key, h.value, text.slice(h.start, h.end)]), [
      ['Previous', '-', '--! Previous: -'],
      ['Hash', FOO_HASH, `--! Hash: ${FOO_HASH}`],
      ['Message', 'first one', '--! Message: first one'],
      ['AllowInvalidHash', null, '--! AllowInvalidHash'],
    ]);
    assert.equal(c.body, FOO + '\n');
    assert.equal(text.slice(c.bodyStart), FOO + '\n');
    assert.deepEqual(c.problems, []);
    assert.equal(calculateHash(c.body, c.previous), c.hash);
  });
  test('a lower-case or indented comment ends the headers', () => {
    const c = parseCommittedFile('--! Previous: -\n--! hash: x\n');
    assert.deepEqual(c.headers.map((h) => h.key), ['Previous']);
  });
  test('what graphile-migrate refuses: missing blank line, duplicate header, CRLF', () => {
    assert.deepEqual(parseCommittedFile('--! Previous: -\n--! Hash: sha1:x\nselect 1;\n').problems.map((p) => p.message), ['headers must be followed by exactly one blank line']);
    const dup = parseCommittedFile('--! Previous: -\n--! Previous: -\n\nselect 1;\n');
    assert.deepEqual(dup.problems.map((p) => [p.message, p.start, p.end]), [["duplicate header 'Previous'", 16, 31]]);
    const crlf = parseCommittedFile('--! Previous: -\r\n--! Hash: sha1:x\r\n\r\nselect 1;\r\n');
    assert.deepEqual(crlf.problems.map((p) => [p.message, p.start]), [['CRLF line endings: graphile-migrate requires LF', 15]]);
    assert.equal(crlf.hash, 'sha1:x');
    assert.equal(crlf.body, 'select 1;\r\n');
  });
  test('a file without headers is all body', () => {
    const c = parseCommittedFile('select 1;\n');
    assert.equal(c.bodyStart, 0);
    assert.equal(c.hash, null);
    assert.equal(c.previous, null);
  });
});

test('committed file names graphile-migrate recognises', () => {
  for (const ok of ['000001.sql', '000002-add-users.sql', '1.sql', '000003-a_b-C.sql', '000004-.sql']) assert.ok(COMMITTED_NAME.test(ok), ok);
  for (const no of ['000001.down.sql', 'add.sql', '000001-a b.sql', '000001.SQL', '-000001.sql', '000001.sql.bak']) assert.ok(!COMMITTED_NAME.test(no), no);
});
