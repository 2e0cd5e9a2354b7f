// The Drizzle Kit layout against the real drizzle-kit 0.31.11 (test/peers) on real PostgreSQL: a folder migrated by
// either tool is up to date for the other, also when they take turns; the tracking rows are the same bytes; the
// review rules and positions hold on generated SQL with `--> statement-breakpoint`; rollback through
// NNNN_name.down.sql and its refusal without one; PGlite runs the same migrations.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPostgres } from '../support/postgres.mjs';
import { copySample, core, drizzleKit, drizzleKitMissing, freshDb, pgmig, tempDir } from './helpers.mjs';

const { PgProvider } = core('db/pg.js');
const { PgliteProvider } = core('db/pglite.js');
const { detectLayout } = core('layouts/detect.js');
const { DrizzleLayout } = core('layouts/drizzle.js');
const { breakpointChunks } = core('layouts/files.js');
const { diskFileSystem } = core('fileSystem.js');

const skip = drizzleKitMissing();
let pg;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const TAGS = ['0000_init_users', '0001_add_posts', '0002_review_points'];
function sample() {
  const dir = copySample('drizzle');
  const project = detectLayout(diskFileSystem, dir, undefined);
  return { dir, project, layout: new DrizzleLayout(project) };
}
const rowsOf = (name) => pg.psql('select hash, created_at from drizzle.__drizzle_migrations order by created_at', name).trim();
const state = (s) => s.migrations.map((m) => `${m.id}:${m.state}`);

describe('drizzle layout: detection and files', () => {
  test('drizzle.config.ts gives the folder and the table; the journal the order', () => {
    const { dir, project, layout } = sample();
    assert.equal(project.kind, 'drizzle');
    assert.equal(project.folder, path.join(dir, 'drizzle'));
    assert.deepEqual(project.table, { schema: 'drizzle', name: '__drizzle_migrations' });
    const list = layout.migrations();
    assert.deepEqual(list.map((m) => m.id), TAGS);
    assert.deepEqual(list.map((m) => !!m.downFile), [false, true, true]);
    assert.equal(list[0].when, 1763700000000);
  });

  test('a custom migrations table in drizzle.config.ts is used', () => {
    const { dir } = sample();
    writeFileSync(path.join(dir, 'drizzle.config.ts'), "export default { dialect: 'postgresql', out: './drizzle', migrations: { table: 'my_migrations', schema: 'ops' } };\n");
    assert.deepEqual(detectLayout(diskFileSystem, dir, undefined).table, { schema: 'ops', name: 'my_migrations' });
    // drizzle.config.json: quoted keys.
    rmSync(path.join(dir, 'drizzle.config.ts'));
    writeFileSync(path.join(dir, 'drizzle.config.json'), JSON.stringify({ dialect: 'postgresql', schema: './src/schema.ts', out: './db/out', migrations: { table: 't', schema: 's' } }, null, 2));
    mkdirSync(path.join(dir, 'db', 'out'), { recursive: true }); // a folder that does not exist is refused (drizzleDatabase.test.mjs)
    const p = detectLayout(diskFileSystem, dir, undefined);
    assert.deepEqual([p.folder, p.table], [path.join(dir, 'db', 'out'), { schema: 's', name: 't' }]);
  });

  test('breakpoint chunks keep their offsets in the file', () => {
    const text = readFileSync(path.join(sample().dir, 'drizzle', '0002_review_points.sql'), 'utf8');
    const chunks = breakpointChunks(text);
    assert.equal(chunks.length, 5);
    for (const c of chunks) assert.equal(text.slice(c.offset, c.offset + c.text.length), c.text);
  });
});

describe('drizzle layout with the real drizzle-kit', { skip }, () => {
  test('drizzle-kit migrate, then pgmig status: up to date', async () => {
    const { dir, layout } = sample();
    const name = freshDb(pg);
    const r = await drizzleKit(['migrate'], { cwd: dir, env: { DATABASE_URL: pg.url(name) } });
    assert.equal(r.code, 0, r.out);
    const db = new PgProvider(pg.url(name));
    try {
      const s = await layout.status(db);
      assert.deepEqual(state(s), TAGS.map((t) => `${t}:applied`));
      assert.ok(s.migrations.every((m) => !m.changed));
      assert.deepEqual(s.unknownApplied, []);
      assert.deepEqual((await layout.migrate(db)).applied, []);
    } finally {
      await db.close();
    }
  });

  test('pgmig migrate, then drizzle-kit migrate: nothing left to apply, the same tracking rows', async () => {
    const { dir, layout } = sample();
    const byDrizzle = freshDb(pg);
    assert.equal((await drizzleKit(['migrate'], { cwd: dir, env: { DATABASE_URL: pg.url(byDrizzle) } })).code, 0);
    const byPgmig = freshDb(pg);
    const db = new PgProvider(pg.url(byPgmig));
    try {
      assert.deepEqual((await layout.migrate(db)).applied, TAGS);
    } finally {
      await db.close();
    }
    assert.equal(rowsOf(byPgmig), rowsOf(byDrizzle), 'same sha256 hashes and created_at as drizzle-kit writes');
    const again = await drizzleKit(['migrate'], { cwd: dir, env: { DATABASE_URL: pg.url(byPgmig) } });
    assert.equal(again.code, 0, again.out); // it would fail re-creating "users" if it thought anything was pending
    assert.equal(rowsOf(byPgmig).split('\n').length, 3);
  });

  test('taking turns: drizzle-kit applies the first two, pgmig the third; rollback, then drizzle-kit re-applies it', async () => {
    const { dir, layout } = sample();
    const name = freshDb(pg);
    const env = { DATABASE_URL: pg.url(name) };
    // drizzle-kit sees a journal with two entries.
    const journalFile = path.join(dir, 'drizzle', 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, 2) }));
    assert.equal((await drizzleKit(['migrate'], { cwd: dir, env })).code, 0);
    writeFileSync(journalFile, JSON.stringify(journal));
    const db = new PgProvider(pg.url(name));
    try {
      assert.deepEqual(state(await layout.status(db)), ['0000_init_users:applied', '0001_add_posts:applied', '0002_review_points:pending']);
      let r = await pgmig(['migrate'], { cwd: dir, env });
      assert.equal(r.code, 0, r.out);
      assert.match(r.stdout, /applied 0002_review_points\.sql/);
      r = await pgmig(['status'], { cwd: dir, env });
      assert.equal(r.code, 0, r.out);
      assert.match(r.stdout, /Up to date\./);
      r = await pgmig(['rollback'], { cwd: dir, env });
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(state(await layout.status(db)).at(-1), '0002_review_points:pending');
      const dk = await drizzleKit(['migrate'], { cwd: dir, env });
      assert.equal(dk.code, 0, dk.out);
      assert.deepEqual(state(await layout.status(db)).at(-1), '0002_review_points:applied');
    } finally {
      await db.close();
    }
  });

  test('rollback without NNNN_name.down.sql is refused with a clear message; with --to several are undone', async () => {
    const { dir, layout } = sample();
    const name = freshDb(pg);
    const db = new PgProvider(pg.url(name));
    try {
      await layout.migrate(db);
      await layout.rollback(db);
      await layout.rollback(db);
      await assert.rejects(layout.rollback(db), (e) => e.code === 'refused' && /no 0000_init_users\.down\.sql beside it/.test(e.message) && /drizzle-kit writes no down migrations/.test(e.message));
      assert.deepEqual(state(await layout.status(db)), ['0000_init_users:applied', '0001_add_posts:pending', '0002_review_points:pending']);
      await layout.migrate(db);
      assert.deepEqual((await layout.rollback(db, { to: '0000_init_users' })).rolledBack, ['0002_review_points', '0001_add_posts']);
      assert.equal(pg.psql(`select count(*) from drizzle.__drizzle_migrations`, name).trim(), '1');
      rmSync(path.join(dir, 'drizzle', '0001_add_posts.down.sql'));
      await layout.migrate(db);
      const r = await pgmig(['rollback', '--to', '0000_init_users'], { cwd: dir, env: { DATABASE_URL: pg.url(name) } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /cannot roll back 0001_add_posts: no 0001_add_posts\.down\.sql/);
      assert.equal(pg.psql(`select count(*) from drizzle.__drizzle_migrations`, name).trim(), '3', 'refused before anything ran');
    } finally {
      await db.close();
    }
  });

  test('an applied file edited afterwards: reported from the stored sha256 (drizzle-kit itself never re-checks)', async () => {
    const { dir, layout } = sample();
    const name = freshDb(pg);
    assert.equal((await drizzleKit(['migrate'], { cwd: dir, env: { DATABASE_URL: pg.url(name) } })).code, 0);
    appendFileSync(path.join(dir, 'drizzle', '0001_add_posts.sql'), '\n');
    const db = new PgProvider(pg.url(name));
    try {
      const s = await layout.status(db);
      assert.deepEqual(s.migrations.filter((m) => m.changed).map((m) => m.id), ['0001_add_posts']);
    } finally {
      await db.close();
    }
  });

  test('an SQL error in a later chunk names the file line and column, and nothing of the batch stays applied', async () => {
    const { dir, layout } = sample();
    const name = freshDb(pg);
    const file = path.join(dir, 'drizzle', '0002_review_points.sql');
    const broken = readFileSync(file, 'utf8').replace('USING "views"', 'USING "viewz"');
    writeFileSync(file, broken);
    const line2 = broken.split('\n')[1];
    const db = new PgProvider(pg.url(name));
    try {
      await assert.rejects(layout.migrate(db), (e) => e.code === 'sql' && e.message.startsWith(`${file}:2:${line2.indexOf('"viewz"') + 1}: 42703`) && e.location.line === 2);
      // drizzle's semantics: one transaction for the batch.
      assert.equal(pg.psql(`select count(*) from drizzle.__drizzle_migrations`, name).trim(), '0');
      assert.equal(pg.psql(`select to_regclass('public.users') is null`, name).trim(), 't');
    } finally {
      await db.close();
    }
  });
});

describe('drizzle layout on SQL drizzle-kit generated itself', { skip }, () => {
  test('drizzle-kit generate, three schema versions: every rule applies to the generated SQL, positions exact', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'drizzle.config.ts'), "export default { dialect: 'postgresql', schema: './schema.ts', out: './drizzle' };\n");
    const head = "import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';\n";
    const versions = [
      ['init', "export const users = pgTable('users', { id: serial('id').primaryKey(), email: text('email').notNull(), name: text('name') });\nexport const posts = pgTable('posts', { id: serial('id').primaryKey(), authorId: integer('author_id').notNull().references(() => users.id), views: text('views') });\n"],
      ['review', "export const users = pgTable('users', { id: serial('id').primaryKey(), email: text('email').notNull(), name: text('name'), displayName: text('display_name').notNull() });\nexport const posts = pgTable('posts', { id: serial('id').primaryKey(), authorId: integer('author_id').notNull().references(() => users.id), views: integer('views').notNull() });\n"],
      ['drop_name', "export const users = pgTable('users', { id: serial('id').primaryKey(), email: text('email').notNull(), displayName: text('display_name').notNull() });\nexport const posts = pgTable('posts', { id: serial('id').primaryKey(), authorId: integer('author_id').notNull().references(() => users.id), views: integer('views').notNull() });\n"],
    ];
    for (const [name, body] of versions) {
      writeFileSync(path.join(dir, 'schema.ts'), head + body);
      const r = await drizzleKit(['generate', '--name', name], { cwd: dir });
      assert.equal(r.code, 0, r.out);
    }
    const r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    const found = JSON.parse(r.stdout).map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`);
    assert.deepEqual(found, [
      'drizzle/0000_init.sql:1:1 missing-rls',
      'drizzle/0000_init.sql:2:7 prefer-identity',
      'drizzle/0000_init.sql:7:1 missing-rls',
      'drizzle/0000_init.sql:8:7 prefer-identity',
      'drizzle/0000_init.sql:13:25 unindexed-foreign-key',
      'drizzle/0001_review.sql:1:1 column-type-change',
      'drizzle/0001_review.sql:1:1 missing-lock-timeout',
      'drizzle/0001_review.sql:2:1 not-null-without-default',
      'drizzle/0001_review.sql:2:1 set-not-null-scans-table',
      'drizzle/0001_review.sql:3:1 not-null-without-default',
      'drizzle/0002_drop_name.sql:1:1 drop-loses-data',
      'drizzle/0002_drop_name.sql:1:1 missing-lock-timeout',
    ]);
    // The type change the rule warns about (text -> integer without USING) is what fails on PostgreSQL, with
    // pgmig as with drizzle-kit; neither records anything of the failed batch.
    for (const tool of ['pgmig', 'drizzle-kit']) {
      const name = freshDb(pg);
      const env = { DATABASE_URL: pg.url(name) };
      const res = tool === 'pgmig' ? await pgmig(['migrate'], { cwd: dir, env }) : await drizzleKit(['migrate'], { cwd: dir, env });
      assert.notEqual(res.code, 0, `${tool}: ${res.out}`);
      // No tracking row (drizzle-kit does not even keep its table), and no table of the batch.
      const tracked = pg.psql("select to_regclass('drizzle.__drizzle_migrations') is not null", name).trim() === 't';
      if (tracked) assert.equal(pg.psql('select count(*) from drizzle.__drizzle_migrations', name).trim(), '0', tool);
      assert.equal(pg.psql("select to_regclass('public.users') is null", name).trim(), 't', tool);
      if (tool === 'pgmig') assert.match(res.stderr, /0001_review\.sql: 42804: column "views" cannot be cast automatically to type integer/);
    }
  });
});

describe('drizzle layout on PGlite', () => {
  test('migrate, status, rollback in the embedded database', async () => {
    const { layout } = sample();
    const db = new PgliteProvider();
    try {
      assert.deepEqual((await layout.migrate(db)).applied, TAGS);
      assert.deepEqual(state(await layout.status(db)), TAGS.map((t) => `${t}:applied`));
      assert.deepEqual((await layout.rollback(db)).rolledBack, ['0002_review_points']);
      assert.deepEqual(state(await layout.status(db)).at(-1), '0002_review_points:pending');
    } finally {
      await db.close();
    }
  });
});
