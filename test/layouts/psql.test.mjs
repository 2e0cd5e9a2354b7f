// Numbered migrations written for `psql -f` (issue 12, "psql files"): meta-commands are not syntax errors for lint
// (a real error after them is still found at its line), and pgmig migrate runs the file as psql does for the common
// commands (\set ON_ERROR_STOP, \echo, \i, \ir) or refuses up front naming the line. Checked against the real psql.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { core, freshDb, pgmig, postgresForTests, projectFrom } from './helpers.mjs';

const { psqlMetaCommands, maskPsql } = core('layouts/psql.js');

const pg = postgresForTests();


const ACCOUNTS = "\\set ON_ERROR_STOP on\n\\echo 'creating accounts'\nBEGIN;\ncreate table accounts (id int primary key, note text default 'a\\b');\n\\ir seed/accounts.sql\nCOMMIT;\n";
const SEED = "insert into accounts (id) values (1);\n";

describe('psql meta-commands', () => {
  test('found outside strings, comments and dollar quotes; masked to the same length', () => {
    const text = "\\set x 1\nselect 'a\\b', E'\\'\\\\', $$ \\q $$; -- \\no\n  \\echo hi\n";
    assert.deepEqual(psqlMetaCommands(text).map((c) => `${c.line}:${c.name}:${c.args}`), ['1:set:x 1', '3:echo:hi']);
    assert.equal(maskPsql(text).length, text.length);
  });

  test('lint: no syntax-error for meta-commands, none for migration-without-transaction; a real error is found at its line', async () => {
    const dir = projectFrom({ 'migrations/001_accounts.sql': ACCOUNTS, 'migrations/seed/accounts.sql': SEED, 'migrations/rollback-001.sql': 'drop table accounts;\n' });
    let r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    const rules = JSON.parse(r.stdout).map((f) => f.rule);
    assert.ok(!rules.includes('syntax-error') && !rules.includes('migration-without-transaction'), r.stdout);
    writeFileSync(path.join(dir, 'migrations', '002_broken.sql'), '\\set ON_ERROR_STOP on\nBEGIN;\ncreate tabel x (id int);\nCOMMIT;\n');
    r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    assert.deepEqual(JSON.parse(r.stdout).filter((f) => f.rule === 'syntax-error').map((f) => `${path.basename(f.file)}:${f.line}`), ['002_broken.sql:3']);
  });

  test('migrate runs the file as psql does (the same tables and rows as psql -f), \\echo printed', async () => {
    const dir = projectFrom({ 'migrations/001_accounts.sql': ACCOUNTS, 'migrations/seed/accounts.sql': SEED });
    const name = freshDb(pg());
    const r = await pgmig(['migrate'], { cwd: dir, env: { DATABASE_URL: pg().url(name) } });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /001_accounts\.sql: creating accounts\napplied 001_accounts\.sql/);
    assert.equal(pg().psql("select id, note from accounts", name).trim(), '1|a\\b');
    // The real psql on the same file gives the same.
    const byPsql = freshDb(pg());
    const p = spawnSync(path.join(pg().bin, 'psql'), ['-X', '-q', '-d', pg().url(byPsql), '-f', path.join(dir, 'migrations', '001_accounts.sql')], { encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
    assert.equal(pg().psql("select id, note from accounts", byPsql).trim(), '1|a\\b');
  });

  test('a meta-command pgmig cannot honour (\\if) is refused before anything runs, naming the line and the way out', async () => {
    const dir = projectFrom({
      'migrations/001_a.sql': 'create table a (id int);\n',
      'migrations/002_b.sql': "BEGIN;\ncreate table b (id int);\n\\if :is_prod\n  create index on b (id);\n\\endif\nCOMMIT;\n",
    });
    const name = freshDb(pg());
    const r = await pgmig(['migrate'], { cwd: dir, env: { DATABASE_URL: pg().url(name) } });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /002_b\.sql:3: psql meta-command \\if :is_prod needs psql, and pgmig runs migrations itself: write it as SQL \(a DO block instead of \\if/);
    assert.equal(pg().psql("select to_regclass('a') is null", name).trim(), 't', 'nothing ran, not even 001');
  });
});
