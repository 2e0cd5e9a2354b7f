// committed-hash-mismatch and committed-chain-broken: committed migrations are immutable and chained by sha1
// exactly as graphile-migrate writes them.
import { formatCommittedFile, ruleTester } from '../ruleTester.mjs';

const first = formatCommittedFile({ body: 'create table a (id int);\n', previousHash: null });
const second = formatCommittedFile({ body: 'create table b (id int);\n', previousHash: first.hash, message: 'add b' });
const third = formatCommittedFile({ body: 'create table c (id int);\n', previousHash: second.hash });

ruleTester('committed-hash-mismatch', {
  valid: [
    { files: { 'migrations/committed/000001.sql': first.text, 'migrations/committed/000002-add-b.sql': second.text, 'migrations/current.sql': '' } },
    { name: 'the hash covers the raw text, placeholders unsubstituted', files: { '.gmrc': "{ placeholders: { ':DATABASE_VISITOR': 'v' } }", 'migrations/committed/000001.sql': 'grant select on a to :DATABASE_VISITOR;', 'migrations/current.sql': '' } },
    {
      name: '--! AllowInvalidHash',
      files: {
        'migrations/committed/000001.sql': { raw: first.text.replace('--! Hash: ', '--! AllowInvalidHash\n--! Hash: ').replace('create table a', 'create table aa') },
        'migrations/current.sql': '',
      },
    },
    { name: 'other files in committed/ are not migrations', files: { 'migrations/committed/000001.sql': first.text, 'migrations/committed/000001.down.sql': 'drop table a;', 'migrations/committed/notes.txt': 'x', 'migrations/current.sql': '' } },
  ],
  invalid: [
    {
      name: 'the body was edited after commit: reported at the Hash header',
      files: { 'migrations/committed/000001.sql': { raw: first.text.replace('(id int)', '(id bigint)') }, 'migrations/committed/000002-add-b.sql': second.text, 'migrations/current.sql': '' },
      errors: [{ file: 'migrations/committed/000001.sql', line: 2, column: 1, endLine: 2, endColumn: 56, text: `--! Hash: ${first.hash}`, message: 'edited after commit' }],
    },
    {
      name: 'trailing whitespace does not change the hash, but a changed comment does',
      files: { 'migrations/committed/000001.sql': { raw: first.text + '\n\n' }, 'migrations/committed/000002.sql': { raw: second.text.replace('create', '-- note\ncreate') }, 'migrations/current.sql': '' },
      errors: [{ file: 'migrations/committed/000002.sql', line: 2, column: 1, endLine: 2, endColumn: 56 }],
    },
    {
      name: 'no Hash header',
      files: { 'migrations/committed/000001.sql': { raw: '--! Previous: -\n\ncreate table a (id int);\n' }, 'migrations/current.sql': '' },
      errors: [{ file: 'migrations/committed/000001.sql', line: 1, column: 1, endLine: 1, endColumn: 16, message: 'has no `--! Hash:` header' }],
    },
  ],
});

ruleTester('committed-chain-broken', {
  valid: [
    { files: { 'migrations/committed/000001.sql': first.text, 'migrations/committed/000002-add-b.sql': second.text, 'migrations/committed/000003.sql': third.text, 'migrations/current.sql': '' } },
  ],
  invalid: [
    {
      name: 'a migration in the middle was removed',
      files: { 'migrations/committed/000001.sql': first.text, 'migrations/committed/000003.sql': third.text, 'migrations/current.sql': '' },
      errors: [{ file: 'migrations/committed/000003.sql', line: 1, column: 1, endLine: 1, endColumn: 60, message: `--! Previous is ${second.hash} but should be 000001.sql's hash ${first.hash}` }],
    },
    {
      name: 'the first migration names a previous one',
      files: { 'migrations/committed/000002.sql': second.text, 'migrations/current.sql': '' },
      errors: [{ file: 'migrations/committed/000002.sql', line: 1, column: 1, endLine: 1, endColumn: 60, message: "should be '-' (this is the first migration)" }],
    },
    {
      name: 'no Previous header',
      files: { 'migrations/committed/000001.sql': { raw: first.text.replace('--! Previous: -\n', '') }, 'migrations/current.sql': '' },
      errors: [{ file: 'migrations/committed/000001.sql', line: 1, column: 1, endLine: 1, endColumn: 1, message: 'has no `--! Previous:` header' }],
    },
  ],
});
