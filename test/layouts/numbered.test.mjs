// The plain numbered SQL layout on real PostgreSQL and on PGlite: apply in numeric order into
// platform.schema_migrations, self-wrapped files run as written and the others wrapped (a failure leaves nothing
// behind), edited-after-apply from the stored checksum, rollback through rollback-NNN.sql (refused without one),
// tables written by another runner (no checksum column), `pgmig new`, data migrations, and the CLI on the sample.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPostgres } from '../support/postgres.mjs';
import { copySample, core, freshDb, pgmig } from './helpers.mjs';

const { PgProvider } = core('db/pg.js');
const { PgliteProvider } = core('db/pglite.js');
const { detectLayout } = core('layouts/detect.js');
const { NumberedLayout, newNumberedMigration } = core('layouts/numbered.js');
const { dataMigrationStatus, dataMigrationCommands } = core('layouts/dataMigrations.js');
const { diskFileSystem } = core('fileSystem.js');

let pg;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

function sampleLayout() {
  const dir = copySample('numbered');
  const project = detectLayout(diskFileSystem, dir, JSON.parse(readFileSync(path.join(dir, 'pgmig.json'), 'utf8')));
  return { dir, project, layout: new NumberedLayout(project) };
}

const names = (status, state) => status.migrations.filter((m) => m.state === state).map((m) => path.basename(m.file));
const ALL = ['001_create_platform_schema.sql', '002_create_invoices.sql', '003_invoice_status.sql', '004_drop_invoice_notes.sql'];

// The same behaviour on both databases.
for (const kind of ['pg', 'pglite']) {
  describe(`numbered layout on ${kind === 'pg' ? 'real PostgreSQL' : 'PGlite'}`, () => {
    let db;
    const open = () => (db = kind === 'pg' ? new PgProvider(pg.url(freshDb(pg))) : new PgliteProvider());
    after(async () => db?.close());

    test('status before anything ran: all pending, nothing created', async () => {
      const { layout } = sampleLayout();
      open();
      const s = await layout.status(db);
      assert.deepEqual(names(s, 'pending'), ALL);
      assert.deepEqual(names(s, 'applied'), []);
      const [{ ok }] = await db.withSession((x) => x.query(`select to_regclass('platform.schema_migrations') is null as ok`));
      assert.equal(ok, true, 'status creates no table');
      await db.close();
    });

    test('migrate applies in numeric order, records names and checksums; a second run applies nothing', async () => {
      const { layout } = sampleLayout();
      open();
      const seen = [];
      const r = await layout.migrate(db, { onApplied: (m) => seen.push(m.id) });
      assert.deepEqual(r.applied, ALL);
      assert.deepEqual(seen, ['001', '002', '003', '004']);
      const rows = await db.withSession((x) => x.query('select migration_name, checksum from platform.schema_migrations order by id'));
      assert.deepEqual(rows.map((x) => x.migration_name), ALL);
      assert.ok(rows.every((x) => /^[0-9a-f]{64}$/.test(x.checksum)));
      // The schema is really there: 004 dropped notes and widened amount_cents.
      const cols = await db.withSession((x) => x.query(`select column_name, data_type from information_schema.columns where table_schema = 'platform' and table_name = 'invoices' order by ordinal_position`));
      assert.deepEqual(cols.map((c) => `${c.column_name}:${c.data_type}`), ['id:bigint', 'account_id:bigint', 'amount_cents:bigint', 'status:text']);
      assert.deepEqual((await layout.migrate(db)).applied, []);
      const s = await layout.status(db);
      assert.deepEqual(names(s, 'applied'), ALL);
      assert.ok(s.migrations.every((m) => m.appliedAt instanceof Date && !m.changed));
      await db.close();
    });

    test('--to stops after that migration; rollback runs rollback-NNN.sql newest first and refuses without one', async () => {
      const { dir, layout } = sampleLayout();
      open();
      assert.deepEqual((await layout.migrate(db, { to: '002' })).applied, ALL.slice(0, 2));
      assert.deepEqual(names(await layout.status(db), 'pending'), ALL.slice(2));
      assert.deepEqual((await layout.rollback(db)).rolledBack, ['002_create_invoices.sql']);
      const [{ gone }] = await db.withSession((x) => x.query(`select to_regclass('platform.invoices') is null as gone`));
      assert.equal(gone, true);
      await layout.migrate(db);
      // 003 has no rollback file: rolling back to 002 (004 then 003) is refused before anything runs.
      await assert.rejects(layout.rollback(db, { to: '002' }), (e) => e.code === 'refused' && /rollback-003\.sql/.test(e.message));
      assert.deepEqual(names(await layout.status(db), 'applied'), ALL);
      writeFileSync(path.join(dir, 'migrations', 'rollback-003.sql'), 'alter table platform.invoices drop column status;\ndrop table platform.invoice_events;\n');
      const r = await layout.rollback(db, { to: '002' });
      assert.deepEqual(r.rolledBack, ['004_drop_invoice_notes.sql', '003_invoice_status.sql']);
      assert.deepEqual(names(await layout.status(db), 'applied'), ALL.slice(0, 2));
      await db.close();
    });

    test('a wrapped migration that fails leaves nothing behind; the error names file, line and column', async () => {
      const { dir, layout } = sampleLayout();
      open();
      await layout.migrate(db);
      const file = path.join(dir, 'migrations', '005_broken.sql');
      writeFileSync(file, 'create table platform.half_done (id int);\ninsert into platform.nope values (1);\n');
      await assert.rejects(layout.migrate(db), (e) => e.code === 'sql' && e.message.startsWith(`${file}:2:13: 42P01`));
      const [{ gone }] = await db.withSession((x) => x.query(`select to_regclass('platform.half_done') is null as gone`));
      assert.equal(gone, true, 'the wrapping transaction rolled the first statement back');
      assert.deepEqual(names(await layout.status(db), 'pending'), ['005_broken.sql']);
      await db.close();
    });

    test('a self-wrapped migration that fails: its transaction is rolled back, the lock released, the next run works', async () => {
      const { dir, layout } = sampleLayout();
      open();
      await layout.migrate(db, { to: '001' });
      const file = path.join(dir, 'migrations', '002_create_invoices.sql');
      const good = readFileSync(file, 'utf8');
      writeFileSync(file, 'BEGIN;\ncreate table platform.half_done (id int);\nselect 1/0;\nCOMMIT;\n');
      await assert.rejects(layout.migrate(db), (e) => e.code === 'sql' && /22012/.test(e.message));
      const [{ gone, locks }] = await db.withSession((x) =>
        x.query(`select to_regclass('platform.half_done') is null as gone, (select count(*)::int from pg_locks where locktype = 'advisory') as locks`),
      );
      assert.equal(gone, true);
      assert.equal(locks, 0, 'the advisory lock was released');
      writeFileSync(file, good);
      assert.deepEqual((await layout.migrate(db)).applied, ALL.slice(1));
      await db.close();
    });

    test('an applied file edited afterwards is reported from the stored checksum', async () => {
      const { dir, layout } = sampleLayout();
      open();
      await layout.migrate(db);
      appendFileSync(path.join(dir, 'migrations', '002_create_invoices.sql'), '\ncreate index on platform.invoices (account_id);\n');
      const s = await layout.status(db);
      const changed = s.migrations.filter((m) => m.changed);
      assert.deepEqual(changed.map((m) => m.id), ['002']);
      assert.match(changed[0].changed, /was edited after it was applied/);
      await db.close();
    });
  });
}

describe('numbered layout: other runners, pgmig new, data migrations', () => {
  test("a tracking table written by the team's own runner (no checksum column, names without .sql) is read as is", async () => {
    const { layout } = sampleLayout();
    const name = freshDb(pg);
    pg.psql(`create schema platform; create table platform.schema_migrations (id serial, migration_name text unique, applied_at timestamptz); insert into platform.schema_migrations (migration_name, applied_at) values ('001_create_platform_schema', now())`, name);
    pg.psql(readFileSync(layout.migrations()[0].file, 'utf8'), name);
    const db = new PgProvider(pg.url(name));
    try {
      const s = await layout.status(db);
      assert.deepEqual(names(s, 'applied'), ALL.slice(0, 1));
      assert.equal(s.migrations[0].changed, undefined, 'no checksum, no comparison');
      assert.deepEqual((await layout.migrate(db)).applied, ALL.slice(1));
      const rows = pg.psql('select migration_name, checksum is null from platform.schema_migrations order by id', name).trim().split('\n');
      assert.deepEqual(rows, ['001_create_platform_schema|t', '002_create_invoices.sql|f', '003_invoice_status.sql|f', '004_drop_invoice_notes.sql|f']);
    } finally {
      await db.close();
    }
  });

  test('pgmig new: the next number, the header block, the rollback file; refuses other layouts', async () => {
    const { dir, project } = sampleLayout();
    const r = await pgmig(['new', 'Add Payment Methods'], { cwd: dir });
    assert.equal(r.code, 0, r.out);
    const file = path.join(dir, 'migrations', '005_add_payment_methods.sql');
    const text = readFileSync(file, 'utf8');
    for (const h of ['-- Migration: 005_add_payment_methods', '-- Purpose:', '-- Dependencies: 004_drop_invoice_notes.sql', '-- Rollback: rollback-005.sql', 'BEGIN;', 'COMMIT;']) assert.ok(text.includes(h), h);
    assert.ok(existsSync(path.join(dir, 'migrations', 'rollback-005.sql')));
    assert.match(r.stdout, /created migrations\/005_add_payment_methods\.sql/);
    // The new files are clean: no transaction or rollback finding on them.
    const lint = await pgmig(['lint', '--format', 'json', 'migrations/005_add_payment_methods.sql'], { cwd: dir });
    assert.deepEqual(JSON.parse(lint.stdout), []);
    assert.throws(() => newNumberedMigration(project, '!!!'), /empty file name/);
    const other = await pgmig(['new', 'x', '--root', copySample('drizzle')]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /this is a Drizzle Kit project: run drizzle-kit generate --name x/);
    const alembic = await pgmig(['new', 'x', '--root', copySample('alembic')]);
    assert.match(alembic.stderr, /this is an Alembic project: run alembic revision -m "x"/);
    // Width follows the folder: 4 digits stay 4 digits.
    writeFileSync(path.join(dir, 'migrations', '0042_wide.sql'), 'begin;\ncommit;\n');
    newNumberedMigration(project, 'next');
    assert.ok(readdirSync(path.join(dir, 'migrations')).includes('0043_next.sql'));
  });

  test('data migrations: the registry grouped by schema, applied or pending from the table; the project commands', async () => {
    const { dir, project, layout } = sampleLayout();
    const name = freshDb(pg);
    const db = new PgProvider(pg.url(name));
    try {
      let s = await dataMigrationStatus(db, project.dataMigrations);
      assert.deepEqual([...s.keys()], ['billing', 'platform']);
      assert.ok([...s.values()].flat().every((m) => m.state === 'pending'));
      await layout.migrate(db); // 001 creates platform.data_migrations
      pg.psql(`insert into platform.data_migrations (name, schema) values ('0001_seed_accounts', 'platform')`, name);
      s = await dataMigrationStatus(db, project.dataMigrations);
      assert.deepEqual(s.get('platform').map((m) => `${m.name}:${m.state}`), ['0001_seed_accounts:applied', '0002_backfill_invoice_status:pending']);
      assert.deepEqual(s.get('billing').map((m) => m.state), ['pending']);
      const cmds = dataMigrationCommands(project.dataMigrations, dir, 'platform');
      assert.deepEqual(cmds.map((c) => c.commandLine), ['npm run data:migrate -- platform', 'npm run data:reset']);
      // The project's own script runs (here: the sample's stand-in).
      const { runToolCommand } = core('layouts/tool.js');
      let output = '';
      await runToolCommand(cmds[0], { output: (_s, t) => (output += t) });
      assert.match(output, /schema platform/);
    } finally {
      await db.close();
    }
  });

  test('CLI on the sample: status (exit 1 while pending), migrate, status --json, rollback, edited file in status', async () => {
    const { dir } = sampleLayout();
    const env = { DATABASE_URL: pg.url(freshDb(pg)) };
    let r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /layout: numbered \(migrations\/, tracked in platform\.schema_migrations\)/);
    assert.match(r.stdout, /pending: 4/);
    assert.match(r.stdout, /data migrations platform: 0 applied, 2 pending/);
    assert.doesNotMatch(r.out, /test-secret-pw/, 'no password in the output');
    r = await pgmig(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /applied 001_create_platform_schema\.sql/);
    assert.match(r.stdout, /4 migration\(s\) applied/);
    r = await pgmig(['status', '--json'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    const json = JSON.parse(r.stdout);
    assert.equal(json.layout, 'numbered');
    assert.deepEqual(json.migrations.map((m) => m.state), ['applied', 'applied', 'applied', 'applied']);
    appendFileSync(path.join(dir, 'migrations', '001_create_platform_schema.sql'), '\n-- edited\n');
    r = await pgmig(['status'], { cwd: dir, env });
    assert.match(r.stdout, /migrations\/001_create_platform_schema\.sql: warning applied-migration-edited 001_create_platform_schema\.sql was edited after it was applied/);
    r = await pgmig(['rollback'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /rolled back 004_drop_invoice_notes\.sql/);
    r = await pgmig(['rollback'], { cwd: dir, env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot roll back 003_invoice_status\.sql: no rollback-003\.sql/);
    // --all after rolling back to 002 by hand: everything applied is undone, newest first.
    writeFileSync(path.join(dir, 'migrations', 'rollback-003.sql'), 'alter table platform.invoices drop column status;\ndrop table platform.invoice_events;\n');
    r = await pgmig(['rollback', '--all'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /rolled back 003_invoice_status\.sql \(\d+ ms\)\nrolled back 002_create_invoices\.sql \(\d+ ms\)\nrolled back 001_create_platform_schema\.sql \(\d+ ms\)\n3 migration\(s\) rolled back/);
    assert.equal(r.stdout.match(/003_invoice_status/g).length, 1, 'each rolled-back migration is printed once');
    r = await pgmig(['status', '--json'], { cwd: dir, env });
    assert.deepEqual(JSON.parse(r.stdout).migrations.map((m) => m.state), ['pending', 'pending', 'pending', 'pending']);
    r = await pgmig(['rollback', '--all', '--to', '001'], { cwd: dir, env });
    assert.equal(r.code, 2);
  });
});
