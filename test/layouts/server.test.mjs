// The language server on projects of the other layouts (a workspace holding a numbered and a Drizzle project): each
// migration gets its diagnostics with the whole ordered history behind it, and an unsaved edit of a Drizzle
// migration is re-analysed like any SQL file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LspClient } from '../server/lspClient.mjs';
import { copySample, tempDir } from './helpers.mjs';
import { cpSync, readFileSync } from 'node:fs';

const codes = (diagnostics) => diagnostics.map((d) => d.code).sort();

describe('language server on numbered and Drizzle projects in one workspace', () => {
  let client;
  let ws;
  before(async () => {
    ws = tempDir();
    for (const s of ['numbered', 'drizzle']) cpSync(copySample(s), path.join(ws, s), { recursive: true });
    client = await LspClient.start({ rootDir: ws });
  });
  after(async () => {
    await client?.stop();
  });

  test('a numbered migration: its own findings, with the history before it (RLS, foreign keys)', async () => {
    const file = path.join(ws, 'numbered', 'migrations', '003_invoice_status.sql');
    client.open(file);
    const d = await client.waitForDiagnostics(file, (x) => x.length > 0);
    assert.deepEqual(codes(d), ['missing-lock-timeout', 'missing-rls', 'missing-rollback', 'non-idempotent-statement', 'non-idempotent-statement', 'not-null-without-default', 'unindexed-foreign-key']);
  });

  test('a Drizzle migration: review findings at exact ranges; an unsaved edit that adds a backfill clears one', async () => {
    const file = path.join(ws, 'drizzle', 'drizzle', '0002_review_points.sql');
    client.open(file);
    let d = await client.waitForDiagnostics(file, (x) => x.length > 0);
    assert.deepEqual(codes(d), ['column-type-change', 'drop-loses-data', 'missing-lock-timeout', 'not-null-without-default', 'not-null-without-default', 'prefer-timestamptz', 'set-not-null-scans-table']);
    const setNotNull = d.filter((x) => x.code === 'not-null-without-default').find((x) => x.range.start.line === 2);
    assert.deepEqual(setNotNull.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 53 } });
    const text = readFileSync(file, 'utf8').replace('ALTER TABLE "posts" ALTER COLUMN "views" SET NOT NULL', 'UPDATE "posts" SET "views" = 0 WHERE "views" IS NULL;--> statement-breakpoint\nALTER TABLE "posts" ALTER COLUMN "views" SET NOT NULL');
    client.change(file, text);
    d = await client.waitForDiagnostics(file, (x) => x.filter((y) => y.code === 'not-null-without-default').length === 1);
    assert.deepEqual(codes(d), ['column-type-change', 'drop-loses-data', 'missing-lock-timeout', 'not-null-without-default', 'prefer-timestamptz', 'set-not-null-scans-table']);
  });
});
