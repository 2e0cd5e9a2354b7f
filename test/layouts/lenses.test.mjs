// The CodeLens of every layout, computed in core (core/layouts/lenses.ts) so that each editor shows the same: apply /
// roll back / open the down script on numbered and Drizzle migrations (by the database's status), Upgrade to here /
// Downgrade to here / Upgrade head / Show SQL on Alembic version files, and the project's data-migration commands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { core, samples } from './helpers.mjs';

const { detectLayout } = core('layouts/detect.js');
const { layoutLenses } = core('layouts/lenses.js');
const { diskFileSystem } = core('fileSystem.js');

const projectOf = (name) => {
  const root = path.join(samples, name);
  const cfg = path.join(root, 'pgmig.json');
  let raw;
  try {
    raw = JSON.parse(readFileSync(cfg, 'utf8'));
  } catch {
    raw = undefined;
  }
  return detectLayout(diskFileSystem, root, raw);
};
const brief = (lenses) => lenses.map((l) => `${l.title}|${l.action}|${l.migrationId ?? ''}${l.all ? '|all' : ''}${l.commandLine ? `|${l.commandLine}` : ''}`);

test('numbered: without status no roll back; with status apply on pending, roll back on applied only', () => {
  const p = projectOf('numbered');
  const f2 = path.join(p.folder, '002_create_invoices.sql');
  // Nothing known to be applied: nothing to roll back (issue 10: the lens showed on pending migrations and did nothing).
  assert.deepEqual(brief(layoutLenses(p, f2)), ['Apply up to here|migrate-to|002', 'Open down script|open-down|002']);
  const pending = { migrations: [{ id: '001', state: 'applied' }, { id: '002', state: 'pending' }] };
  assert.deepEqual(brief(layoutLenses(p, f2, pending)), ['Apply up to here|migrate-to|002', 'Open down script|open-down|002']);
  const status = { migrations: [{ id: '001', state: 'applied' }, { id: '002', state: 'applied' }, { id: '003', state: 'pending' }] };
  assert.deepEqual(brief(layoutLenses(p, f2, status)), ['Roll back this and later|rollback-to|001', 'Open down script|open-down|002']);
  // 003 has no rollback file: no roll back, no down script.
  assert.deepEqual(brief(layoutLenses(p, path.join(p.folder, '003_invoice_status.sql'), status)), ['Apply up to here|migrate-to|003']);
  // The first migration rolls back everything.
  assert.deepEqual(brief(layoutLenses(p, path.join(p.folder, '001_create_platform_schema.sql'), status)), ['Roll back this and later|rollback-to||all', 'Open down script|open-down|001']);
  const lens = layoutLenses(p, f2)[0];
  assert.equal(readFileSync(f2, 'utf8').slice(lens.start, lens.end), '-- Migration: 002_create_invoices');
  assert.deepEqual(layoutLenses(p, path.join(p.folder, 'rollback-002.sql')), []);
});

test('drizzle: by journal tag; the down script when there is one', () => {
  const p = projectOf('drizzle');
  assert.deepEqual(brief(layoutLenses(p, path.join(p.folder, '0000_init_users.sql'))), ['Apply up to here|migrate-to|0000_init_users']);
  assert.deepEqual(brief(layoutLenses(p, path.join(p.folder, '0002_review_points.sql'))), ['Apply up to here|migrate-to|0002_review_points', 'Open down script|open-down|0002_review_points']);
  const applied = { migrations: [{ id: '0000_init_users', state: 'applied' }, { id: '0001_add_posts', state: 'applied' }, { id: '0002_review_points', state: 'applied' }] };
  assert.deepEqual(brief(layoutLenses(p, path.join(p.folder, '0002_review_points.sql'), applied)), ['Roll back this and later|rollback-to|0001_add_posts', 'Open down script|open-down|0002_review_points']);
});

test('alembic: the four commands at the revision, as command lines of the project', () => {
  const p = projectOf('alembic');
  const file = path.join(p.folder, '3c3d2e4f5a6b_add_account_email.py');
  const lenses = layoutLenses(p, file);
  assert.deepEqual(brief(lenses), [
    'Upgrade to here|upgrade-to|3c3d2e4f5a6b|alembic upgrade 3c3d2e4f5a6b',
    'Downgrade to here|downgrade-to|3c3d2e4f5a6b|alembic downgrade 3c3d2e4f5a6b',
    'Upgrade head|upgrade-head|3c3d2e4f5a6b|alembic upgrade heads',
    'Show SQL|show-sql|3c3d2e4f5a6b|alembic upgrade 2b2e1d3c4b5a:3c3d2e4f5a6b --sql',
  ]);
  assert.equal(readFileSync(file, 'utf8').slice(lenses[0].start, lenses[0].end), "'3c3d2e4f5a6b'");
  assert.ok(lenses.every((l) => l.cwd === p.root));
});

test('data migrations: the project commands on a registry file', () => {
  const p = projectOf('numbered');
  const file = path.join(p.dataMigrations.folder, 'billing', '0001_currency_defaults.ts');
  assert.deepEqual(brief(layoutLenses(p, file)), ['Run data migrations of billing|data-migrate||npm run data:migrate -- billing', 'Reset data migrations|data-reset||npm run data:reset']);
});

const { layoutTreeItems } = core('layouts/treeItems.js');

test('tree rows: states, the row that can be rolled back, Alembic heads and current revisions', () => {
  const at = new Date('2026-11-21T06:00:00Z');
  const rows = layoutTreeItems({
    layout: 'numbered',
    database: 'db',
    unknownApplied: [],
    migrations: [
      { id: '001', name: 'a', file: '/p/migrations/001_a.sql', index: 0, state: 'applied', appliedAt: at, downFile: '/p/migrations/rollback-001.sql' },
      { id: '002', name: 'b', file: '/p/migrations/002_b.sql', index: 1, state: 'applied', appliedAt: at, changed: 'edited', downFile: '/p/migrations/rollback-002.sql' },
      { id: '003', name: 'c', file: '/p/migrations/003_c.sql', index: 2, state: 'pending' },
    ],
  });
  assert.deepEqual(rows.map((r) => `${r.name}:${r.state}:${r.canRollback}:${r.appliedAt ?? ''}`), ['001_a.sql:applied:false:2026-11-21T06:00:00.000Z', '002_b.sql:changed:true:2026-11-21T06:00:00.000Z', '003_c.sql:pending:false:']);
  assert.equal(rows[1].reason, 'edited');
  const alembic = layoutTreeItems({
    layout: 'alembic',
    database: 'db',
    unknownApplied: [],
    current: ['b'],
    migrations: [
      { id: 'a', file: '/v/a.py', index: 0, state: 'applied', downRevisions: [] },
      { id: 'b', file: '/v/b.py', index: 1, state: 'applied', downRevisions: ['a'] },
      { id: 'c', file: '/v/c.py', index: 2, state: 'pending', downRevisions: ['a'] },
    ],
  });
  assert.deepEqual(alembic.map((r) => `${r.id}:${r.state}:head=${r.head}:current=${r.current}:${r.parents.join(',')}`), ['a:applied:head=false:current=false:', 'b:applied:head=true:current=true:a', 'c:pending:head=true:current=false:a']);
});
