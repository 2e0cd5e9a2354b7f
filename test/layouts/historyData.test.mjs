// `pgmig history` on every layout (Alembic's as the real `alembic history` prints it) and `pgmig data
// status|up|down` (rows whose script is gone reported) on real PostgreSQL (issue 12, "what users look for").
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ALEMBIC, alembicMissing, copySample, freshDb, pgmig, postgresForTests, run, samples } from './helpers.mjs';

const pg = postgresForTests();

describe('pgmig history', () => {
  test('numbered, Drizzle and graphile-migrate: the files in apply order with their down scripts', async () => {
    let r = await pgmig(['history'], { cwd: copySample('numbered') });
    assert.equal(r.code, 0, r.out);
    assert.equal(r.stdout, [
      '1. migrations/001_create_platform_schema.sql  (down: rollback-001.sql)',
      '2. migrations/002_create_invoices.sql  (down: rollback-002.sql)',
      '3. migrations/003_invoice_status.sql',
      '4. migrations/004_drop_invoice_notes.sql  (down: rollback-004.sql)',
      '',
    ].join('\n'));
    r = await pgmig(['history', '--json'], { cwd: copySample('drizzle') });
    assert.deepEqual(JSON.parse(r.stdout).migrations.map((m) => m.id), ['0000_init_users', '0001_add_posts', '0002_review_points']);
    r = await pgmig(['history', '--root', samples]);
    assert.match(r.stdout, /^1\. migrations\/committed\/000001-users\.sql  users\n2\. /);
  });

  test('Alembic: the graph, line for line what `alembic history` prints', { skip: alembicMissing() }, async () => {
    const dir = copySample('alembic');
    const ours = await pgmig(['history'], { cwd: dir });
    assert.equal(ours.code, 0, ours.out);
    const theirs = await run(`${ALEMBIC} history`, [], { cwd: dir, shell: true });
    assert.equal(theirs.code, 0, theirs.out);
    assert.deepEqual(ours.stdout.trim().split('\n').sort(), theirs.stdout.trim().split('\n').sort());
    assert.match(ours.stdout, /^1a1f0c2d3e4f -> 2b2e1d3c4b5a \(branchpoint\), add invoices$/m);
  });
});

describe('pgmig data', () => {
  test('status per schema, up runs the project command for schemas with pending ones, down needs --yes; a row whose script is gone', async () => {
    const dir = copySample('numbered');
    const name = freshDb(pg());
    const env = { DATABASE_URL: pg().url(name) };
    assert.equal((await pgmig(['migrate'], { cwd: dir, env })).code, 0);
    pg().psql(`insert into platform.data_migrations (name, schema) values ('0001_seed_accounts', 'platform'), ('0009_dropped_script', 'billing')`, name);
    let r = await pgmig(['data', 'status'], { cwd: dir, env });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /platform: 1 applied, 1 pending\n\s+applied\s+0001_seed_accounts \(.*\)\n\s+pending\s+0002_backfill_invoice_status/);
    assert.match(r.stdout, /applied, but the script is gone: billing\/0009_dropped_script \(ran .*; deleted or renamed since\)/);
    r = await pgmig(['status'], { cwd: dir, env });
    assert.match(r.stdout, /data migration applied, but its script is gone: billing\/0009_dropped_script/);
    r = await pgmig(['data', 'status', '--json'], { cwd: dir, env });
    assert.deepEqual(JSON.parse(r.stdout).missingScripts.map((m) => m.name), ['0009_dropped_script']);
    r = await pgmig(['data', 'up'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /\$ npm run data:migrate -- billing\n[\s\S]*schema billing[\s\S]*\$ npm run data:migrate -- platform/);
    r = await pgmig(['data', 'up', 'nosuch'], { cwd: dir, env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no data migrations for schema nosuch/);
    r = await pgmig(['data', 'down'], { cwd: dir, env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pgmig data down runs `npm run data:reset`, which undoes the data migrations: add --yes/);
    r = await pgmig(['data', 'down', '--yes'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /would reset the data migrations/);
    rmSync(path.join(dir, 'src'), { recursive: true });
    r = await pgmig(['data', 'status'], { cwd: dir, env });
    assert.equal(r.code, 0, r.out); // nothing pending
    assert.match(r.stdout, /applied, but the script is gone: platform\/0001_seed_accounts/);
  });
});
