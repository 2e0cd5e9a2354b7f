// Numbered layout, the history going wrong on real PostgreSQL through the CLI (issue 12, items 1 and 6):
// two migrations sharing a number (migrate and rollback refuse, naming both; lint reports both; a down script only
// runs for its own migration), and a migration added below one already applied (warned in status and migrate,
// undone in the order migrations were applied).
import assert from 'node:assert/strict';
import { writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { core, freshDb, pgmig, postgresForTests, projectFrom } from './helpers.mjs';

const { numberedMigrations } = core('layouts/files.js');
const { diskFileSystem } = core('fileSystem.js');

const pg = postgresForTests();
/** A numbered project: `files` are written into migrations/. */
const project = (files) => projectFrom(Object.fromEntries(Object.entries(files).map(([n, t]) => [`migrations/${n}`, t])));


describe('numbered: two migrations with the same number', () => {
  const files = {
    '001_accounts.sql': 'begin;\ncreate table accounts (id int primary key);\ncommit;\n',
    '002_create_invoices.sql': 'begin;\ncreate table invoices (id int primary key, amount int);\ncommit;\n',
    'rollback-002.sql': 'drop table invoices;\n',
    '002_z_tags.sql': 'begin;\ncreate table tags (id int primary key);\ncommit;\n',
  };

  test('migrate, rollback and migrate --to refuse, naming both files; nothing is run or dropped', async () => {
    const dir = project(files);
    const name = freshDb(pg());
    const env = { DATABASE_URL: pg().url(name) };
    for (const args of [['migrate'], ['migrate', '--to', '002'], ['rollback']]) {
      const r = await pgmig(args, { cwd: dir, env });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.out}`);
      assert.match(r.stderr, /002_create_invoices\.sql and 002_z_tags\.sql share a migration number/, args.join(' '));
    }
    assert.equal(pg().psql(`select to_regclass('invoices') is null and to_regclass('accounts') is null`, name).trim(), 't', 'nothing was applied');
    // Applied earlier (before the second 002 arrived): a row in invoices survives the refused rollback.
    renameSync(path.join(dir, 'migrations', '002_z_tags.sql'), path.join(dir, 'tags.sql.off'));
    assert.equal((await pgmig(['migrate'], { cwd: dir, env })).code, 0);
    pg().psql('insert into invoices values (1, 100)', name);
    renameSync(path.join(dir, 'tags.sql.off'), path.join(dir, 'migrations', '002_z_tags.sql'));
    let r = await pgmig(['status'], { cwd: dir, env });
    assert.match(r.stdout, /error: 002_create_invoices\.sql and 002_z_tags\.sql share the number 2: migrate and rollback refuse until one is renumbered/);
    assert.doesNotMatch(r.stdout, /Up to date/);
    r = await pgmig(['rollback'], { cwd: dir, env });
    assert.equal(r.code, 1, r.out);
    assert.doesNotMatch(r.stdout, /rolled back/);
    assert.equal(pg().psql('select count(*) from invoices', name).trim(), '1', 'invoices and its row are still there');
  });

  test('lint reports duplicate-migration-number on both files (exit 1)', async () => {
    const dir = project(files);
    const r = await pgmig(['lint', '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1, r.out);
    const dups = JSON.parse(r.stdout).filter((f) => f.rule === 'duplicate-migration-number');
    assert.deepEqual(dups.map((f) => `${path.basename(f.file)} ${f.severity}`), ['002_create_invoices.sql error', '002_z_tags.sql error']);
  });

  test('a down script belongs only to its own migration: rollback-002.sql is nobody\'s while 002 is shared; rollback-002_name.sql is its own', () => {
    const dir = project(files);
    const folder = path.join(dir, 'migrations');
    const downs = () => numberedMigrations(diskFileSystem, folder).map((m) => `${m.fileName}:${m.downFile ? path.basename(m.downFile) : '-'}`);
    assert.deepEqual(downs(), ['001_accounts.sql:-', '002_create_invoices.sql:-', '002_z_tags.sql:-']);
    writeFileSync(path.join(folder, 'rollback-002_create_invoices.sql'), 'drop table invoices;\n');
    assert.deepEqual(downs(), ['001_accounts.sql:-', '002_create_invoices.sql:rollback-002_create_invoices.sql', '002_z_tags.sql:-']);
  });
});

describe('numbered: --to in every form', () => {
  test('migrate --to 2 | 002 | 002_b | 002_b.sql, and rollback --to the same forms', async () => {
    const files = {};
    for (const [n, t] of [['001_a', 'a'], ['002_b', 'b'], ['003_c', 'c']]) {
      files[`${n}.sql`] = `create table ${t} (id int);\n`;
      files[`rollback-${n.slice(0, 3)}.sql`] = `drop table ${t};\n`;
    }
    const dir = project(files);
    const name = freshDb(pg());
    const env = { DATABASE_URL: pg().url(name) };
    const applied = () => pg().psql(`select coalesce(string_agg(migration_name, ',' order by id), '') from schema_migrations`, name).trim();
    for (const to of ['2', '002', '002_b', '002_b.sql']) {
      let r = await pgmig(['migrate', '--to', to], { cwd: dir, env });
      assert.equal(r.code, 0, `migrate --to ${to}: ${r.out}`);
      assert.equal(applied(), '001_a.sql,002_b.sql', to);
      r = await pgmig(['rollback', '--to', to.replace('2', '1').replace('_b', '_a')], { cwd: dir, env });
      assert.equal(r.code, 0, `rollback --to: ${r.out}`);
      assert.equal(applied(), '001_a.sql', to);
    }
    const r = await pgmig(['migrate', '--to', '7'], { cwd: dir, env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no migration 7 in .*migrations \(give its number, e\.g\. 1, or its file name\)/);
  });
});

describe('numbered: a migration added below one already applied', () => {
  test('status and migrate warn; rollback undoes in the order migrations were applied', async () => {
    const dir = project({
      '001_a.sql': 'begin;\ncreate table a (id int);\ncommit;\n',
      'rollback-001.sql': 'drop table a;\n',
      '005_e.sql': 'begin;\ncreate table e (id int);\ncommit;\n',
      'rollback-005.sql': 'drop table e;\n',
    });
    const name = freshDb(pg());
    const env = { DATABASE_URL: pg().url(name) };
    assert.equal((await pgmig(['migrate'], { cwd: dir, env })).code, 0);
    writeFileSync(path.join(dir, 'migrations', '003_c.sql'), 'begin;\ncreate table c (id int);\ncommit;\n');
    writeFileSync(path.join(dir, 'migrations', 'rollback-003.sql'), 'drop table c;\n');
    let r = await pgmig(['status'], { cwd: dir, env });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /warning: 003_c\.sql: out of order: 003_c\.sql is numbered before 005_e\.sql, which is already applied/);
    // Lint reads files only: it cannot know. With --database it reads the database as status does and says it.
    r = await pgmig(['lint'], { cwd: dir, env });
    assert.doesNotMatch(r.stdout, /migration-out-of-order/);
    r = await pgmig(['lint', '--database', '--format', 'json'], { cwd: dir, env });
    assert.equal(r.code, 1, `the files' missing-rls errors: ${r.stderr}`);
    const found = JSON.parse(r.stdout).filter((f) => f.rule === 'migration-out-of-order');
    assert.deepEqual(found.map((f) => [f.file, f.line, f.severity]), [['migrations/003_c.sql', 1, 'warning']]);
    assert.match(found[0].message, /003_c\.sql is numbered before 005_e\.sql, which is already applied/);
    r = await pgmig(['lint', '--database'], { cwd: dir, env: { DATABASE_URL: pg().url('no_such_database_here') } });
    assert.equal(r.code, 4, `an unreadable database is exit 4: ${r.out}`);
    r = await pgmig(['migrate'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /warning: 003_c\.sql is applied out of order: 005_e\.sql, numbered after it, is already applied\napplied 003_c\.sql/);
    r = await pgmig(['status'], { cwd: dir, env });
    assert.match(r.stdout, /warning: 003_c\.sql: applied out of order: after 005_e\.sql/);
    r = await pgmig(['rollback'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^rolled back 003_c\.sql/m, 'the last applied, not the highest number');
    assert.equal(pg().psql(`select to_regclass('c') is null, to_regclass('e') is not null`, name).trim(), 't|t');
    r = await pgmig(['rollback', '--to', '1'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /rolled back 005_e\.sql/);
    assert.equal(pg().psql(`select string_agg(migration_name, ',') from schema_migrations`, name).trim(), '001_a.sql');
  });
});

describe('the Migrations view rows after an out-of-order apply', () => {
  test('Roll back is offered on the migration the database applied last, and the note travels with the row', () => {
    const { layoutTreeItems } = core('layouts/treeItems.js');
    const m = (id, state, appliedOrder, note) => ({ id, name: id, file: `/m/${id}_x.sql`, downFile: `/m/rollback-${id}.sql`, index: Number(id), state, appliedOrder, note });
    const items = layoutTreeItems({
      layout: 'numbered',
      database: 'db',
      unknownApplied: [],
      migrations: [m('001', 'applied', 0), m('003', 'applied', 2, 'applied out of order: after 005_x.sql'), m('005', 'applied', 1)],
    });
    assert.deepEqual(items.map((i) => `${i.id}:${i.canRollback}`), ['001:false', '003:true', '005:false']);
    assert.equal(items[1].note, 'applied out of order: after 005_x.sql');
  });
});
