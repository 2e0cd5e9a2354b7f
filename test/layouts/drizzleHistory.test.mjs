// Drizzle Kit projects where pgmig used to answer from a guess (issue 12, items 3, 7, 8), each against the real
// drizzle-kit 0.31.11 on real PostgreSQL: a journal entry older than the latest applied one (journals merged from
// branches), `out` given through a variable, and a custom migration whose statements end at breakpoints only.
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { copySample, core, drizzleKit, drizzleKitMissing, freshDb, pgmig, postgresForTests } from './helpers.mjs';

const { drizzleConfig } = core('layouts/detect.js');

const skip = drizzleKitMissing();
const pg = postgresForTests();

/** Adds a migration to the sample's journal with the given `when` (a branch's entry merged in). */
function addEntry(dir, tag, sql, when, folder = 'drizzle') {
  const journalFile = path.join(dir, folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
  journal.entries.push({ idx: journal.entries.length, version: '7', when, tag, breakpoints: true });
  writeFileSync(journalFile, JSON.stringify(journal, null, 2));
  writeFileSync(path.join(dir, folder, `${tag}.sql`), sql);
}

describe('drizzle: an entry older than the latest applied one', { skip }, () => {
  test('drizzle-kit skips it; pgmig status says so and what to do; pgmig migrate applies it, saying so', async () => {
    const dir = copySample('drizzle');
    const name = freshDb(pg());
    const env = { DATABASE_URL: pg().url(name) };
    assert.equal((await drizzleKit(['migrate'], { cwd: dir, env })).code, 0);
    // Made on a branch before 0002 was merged: its `when` is between 0001's and 0002's.
    addEntry(dir, '0003_audit', 'CREATE TABLE "audit" ("id" serial PRIMARY KEY NOT NULL);', 1763700090000);
    let r = await drizzleKit(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.equal(pg().psql(`select to_regclass('audit') is null`, name).trim(), 't', 'drizzle-kit really skips it');
    r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /pending: 1\n\s+0003_audit\.sql/);
    assert.match(r.stdout, /warning: 0003_audit\.sql: not applied: its journal `when` \(1763700090000\) is older than the latest applied migration's \(1763700120000\), so drizzle-kit migrate skips it/);
    assert.match(r.stdout, /pgmig migrate applies it, or give it a `when` above 1763700120000 in meta\/_journal\.json/);
    assert.doesNotMatch(r.stdout, /Up to date/);
    r = await pgmig(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /warning: 0003_audit: applied although drizzle-kit migrate would skip it/);
    assert.match(r.stdout, /applied 0003_audit\.sql/);
    assert.equal(pg().psql(`select to_regclass('audit') is not null`, name).trim(), 't');
    r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /Up to date\./);
    r = await drizzleKit(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.equal(pg().psql('select count(*) from drizzle.__drizzle_migrations', name).trim(), '4');
  });
});

describe('drizzle: `out` through a variable', { skip }, () => {
  const config = (out, head = '') =>
    `${head}export default { dialect: 'postgresql', schema: './src/schema.ts', out: ${out}, dbCredentials: { url: process.env.DATABASE_URL! } };\n`;

  test('const out = "./db-migrations"; { out }: pgmig reads the folder drizzle-kit uses', async () => {
    const dir = copySample('drizzle');
    renameSync(path.join(dir, 'drizzle'), path.join(dir, 'db-migrations'));
    writeFileSync(path.join(dir, 'drizzle.config.ts'), `const out = "./db-migrations";\nexport default { out, dialect: 'postgresql', schema: './src/schema.ts', dbCredentials: { url: process.env.DATABASE_URL! } };\n`);
    const name = freshDb(pg());
    const env = { DATABASE_URL: pg().url(name) };
    let r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /layout: drizzle \(db-migrations\/, tracked in drizzle\.__drizzle_migrations\)/);
    assert.match(r.stdout, /pending: 3/);
    assert.equal((await drizzleKit(['migrate'], { cwd: dir, env })).code, 0);
    r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /applied: 3/);
  });

  test('an expression pgmig does not evaluate: status and lint say the folder could not be read and how to set it', async () => {
    const dir = copySample('drizzle');
    renameSync(path.join(dir, 'drizzle'), path.join(dir, 'db-migrations'));
    writeFileSync(path.join(dir, 'drizzle.config.ts'), config(`path.join(__dirname, 'db-migrations')`, "import path from 'node:path';\n"));
    const env = { DATABASE_URL: pg().url(freshDb(pg())) };
    for (const args of [['status'], ['lint']]) {
      const r = await pgmig(args, { cwd: dir, env });
      assert.equal(r.code, args[0] === 'status' ? 4 : 2, `${args}: ${r.out}`); // status: could not be read
      assert.match(r.stderr, /drizzle\.config\.ts: pgmig cannot read the migrations folder: `out` is path\.join\(__dirname, 'db-migrations'\), which pgmig does not evaluate/, args.join(' '));
      assert.match(r.stderr, /"layout": \{ "kind": "drizzle", "folder": "<the out folder>" \}/);
      assert.doesNotMatch(r.out, /Up to date|no problems/);
    }
    writeFileSync(path.join(dir, 'pgmig.json'), JSON.stringify({ layout: { kind: 'drizzle', folder: 'db-migrations' } }));
    const r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /pending: 3/);
  });

  test('the forms read statically', () => {
    assert.equal(drizzleConfig("export default defineConfig({ out: './x' })").out, './x');
    assert.equal(drizzleConfig('const dir: string = "./y";\nexport default defineConfig({ dialect: "postgresql", out: dir })').out, './y');
    assert.equal(drizzleConfig('// out: "./no"\nexport default { dialect: "postgresql" }').out, undefined);
    assert.equal(drizzleConfig('export default { out: process.env.OUT_DIR!, dialect: "postgresql" }').outUnread, 'process.env.OUT_DIR!');
    assert.equal(drizzleConfig('export default { out: `./${env}/m`, dialect: "postgresql" }').outUnread, '`./${env}/m`');
  });
});

describe('drizzle: a custom migration with breakpoints and no semicolons', { skip }, () => {
  test('lint finds no syntax error (a real one is still found at its line); drizzle-kit and pgmig both apply it', async () => {
    const dir = copySample('drizzle');
    const custom = 'CREATE TABLE "tags" ("id" integer PRIMARY KEY)\n--> statement-breakpoint\nINSERT INTO "tags" VALUES (1)\n--> statement-breakpoint\nALTER TABLE "tags" ENABLE ROW LEVEL SECURITY\n';
    addEntry(dir, '0003_custom_tags', custom, 1763700180000);
    let r = await pgmig(['lint', '--format', 'json', 'drizzle/0003_custom_tags.sql'], { cwd: dir });
    assert.deepEqual(JSON.parse(r.stdout).filter((f) => f.rule === 'syntax-error'), [], r.out);
    for (const tool of ['drizzle-kit', 'pgmig']) {
      const name = freshDb(pg());
      const env = { DATABASE_URL: pg().url(name) };
      r = tool === 'pgmig' ? await pgmig(['migrate'], { cwd: dir, env }) : await drizzleKit(['migrate'], { cwd: dir, env });
      assert.equal(r.code, 0, `${tool}: ${r.out}`);
      assert.equal(pg().psql('select count(*) from tags', name).trim(), '1', tool);
    }
    writeFileSync(path.join(dir, 'drizzle', '0003_custom_tags.sql'), custom.replace('INSERT INTO "tags" VALUES (1)', 'INSERT INTO "tags" VALUS (1)'));
    r = await pgmig(['lint', '--format', 'json', 'drizzle/0003_custom_tags.sql'], { cwd: dir });
    assert.deepEqual(JSON.parse(r.stdout).filter((f) => f.rule === 'syntax-error').map((f) => f.line), [3]);
  });
});

describe('drizzle: --to in every form', () => {
  test('the tag, the file name or the number; an ambiguous number is refused', () => {
    const { findDrizzle } = core('layouts/drizzle.js');
    const all = [{ id: '0000_a', index: 0 }, { id: '0001_b', index: 1 }, { id: '0002_c', index: 2 }];
    for (const to of ['0001_b', '0001_b.sql', '1', '0001']) assert.equal(findDrizzle(all, to, '/x').id, '0001_b', to);
    assert.throws(() => findDrizzle(all, '9', '/x'), /no migration 9 in \/x\/meta\/_journal\.json \(give its tag, e\.g\. 0000_a, or its number\)/);
    assert.throws(() => findDrizzle([...all, { id: '0001_z', index: 3 }], '1', '/x'), /--to 1 is ambiguous: 0001_b and 0001_z share the number/);
  });
});
