// Plain numbered SQL: `NNN_snake_case.sql` applied in numeric order, `rollback-NNN.sql` as the down script, tracked
// in `schema_migrations(id serial, migration_name text unique, applied_at timestamptz)` (schema configurable).
// pgmig adds a nullable `checksum` column (sha256 of the file at apply time) so that an applied file that was
// edited afterwards is reported; rows written by another runner (no checksum) are simply not compared.
import fs from 'node:fs';
import path from 'node:path';
import { readIfExists, type DbProvider, type DbSession } from '../db/types';
import { EngineError } from '../engine/errors';
import { type FileSystem, diskFileSystem } from '../fileSystem';
import { qualified } from './detect';
import { numberedMigrations, refuseDuplicateNumbers, type NumberedMigration } from './files';
import { psqlSteps } from './psql';
import { checkCancelled, columnExists, ensureSchema, runTracked, sha256, tableExists, withLock } from './sqlRun';
import type { ApplyOptions, LayoutMigration, LayoutProject, LayoutStatus, MigrationLayout, MigrationStatus, RollbackOptions } from './types';

interface TrackingRow {
  migration_name: string;
  applied_at: Date;
  checksum: string | null;
}

/** A tracking row's name matches the file with or without `.sql` (other runners record either). */
const rowKey = (name: string) => name.replace(/\.sql$/, '');

export class NumberedLayout implements MigrationLayout {
  readonly kind = 'numbered' as const;
  constructor(
    readonly project: LayoutProject,
    private readonly fsys: FileSystem = diskFileSystem,
  ) {}

  migrations(): NumberedMigration[] {
    return numberedMigrations(this.fsys, this.project.folder);
  }

  private async rows(s: DbSession): Promise<TrackingRow[]> {
    const t = this.project.table;
    if (!(await tableExists(s, t))) return [];
    const checksum = (await columnExists(s, t, 'checksum')) ? 'checksum' : 'null::text as checksum';
    return s.query<TrackingRow>(`select migration_name, applied_at, ${checksum} from ${qualified(t)} order by id`);
  }

  private async ensureTable(s: DbSession): Promise<void> {
    const t = this.project.table;
    await ensureSchema(s, t.schema);
    await s.exec(
      `create table if not exists ${qualified(t)} (id serial primary key, migration_name text unique not null, applied_at timestamptz not null default now(), checksum text);
       alter table ${qualified(t)} add column if not exists checksum text;`,
    );
  }

  private text(m: LayoutMigration, file = m.file): string {
    const text = this.fsys.read(file);
    if (text === undefined) throw new EngineError('io', `cannot read ${file}`);
    return text;
  }

  private statusFrom(rows: TrackingRow[], database: string): LayoutStatus {
    const byName = new Map(rows.map((r) => [rowKey(r.migration_name), r]));
    const all = this.migrations();
    const order = new Map(rows.map((r, i) => [rowKey(r.migration_name), i]));
    const appliedFiles = all.filter((m) => order.has(rowKey(m.fileName)));
    const highest = appliedFiles[appliedFiles.length - 1];
    const migrations: MigrationStatus[] = all.map((m) => {
      const row = byName.get(rowKey(m.fileName));
      if (!row) {
        const st: MigrationStatus = { ...m, state: 'pending' };
        if (highest && highest.index > m.index) {
          st.note = `out of order: ${m.fileName} is numbered before ${highest.fileName}, which is already applied; pgmig migrate will apply it now, after ${highest.fileName} (renumber it after ${highest.fileName} if it depends on it)`;
        }
        return st;
      }
      byName.delete(rowKey(m.fileName));
      const st: MigrationStatus = { ...m, state: 'applied', appliedAt: new Date(row.applied_at), appliedOrder: order.get(rowKey(m.fileName)) };
      const text = this.fsys.read(m.file);
      if (row.checksum && text !== undefined && sha256(text) !== row.checksum) {
        st.changed = `${m.fileName} was edited after it was applied (sha256 ${sha256(text).slice(0, 12)}..., applied ${row.checksum.slice(0, 12)}...): the database will not run the edit; put the change in a new migration`;
      }
      const mine = order.get(rowKey(m.fileName))!;
      const laterNumberedFirst = appliedFiles.find((o) => o.index > m.index && order.get(rowKey(o.fileName))! < mine);
      if (laterNumberedFirst) st.note = `applied out of order: after ${laterNumberedFirst.fileName}; pgmig rollback undoes migrations in the order they were applied`;
      return st;
    });
    return { layout: 'numbered', database, migrations, unknownApplied: [...byName.values()].map((r) => r.migration_name) };
  }

  async status(db: DbProvider): Promise<LayoutStatus> {
    const status = this.statusFrom(await readIfExists(db, [], (s) => this.rows(s)), db.label);
    return db.exists?.() === false ? { ...status, noDatabase: true } : status;
  }

  async migrate(db: DbProvider, opts: ApplyOptions = {}): Promise<{ applied: string[] }> {
    const all = this.migrations();
    refuseDuplicateNumbers(all, 'migrate');
    const target = opts.to === undefined ? undefined : findNumbered(all, opts.to, this.project.folder);
    return db.withSession((s) =>
      withLock(
        s,
        async () => {
          await this.ensureTable(s);
          const done = new Set((await this.rows(s)).map((r) => rowKey(r.migration_name)));
          const highest = [...all].reverse().find((m) => done.has(rowKey(m.fileName)));
          // psql meta-commands pgmig cannot run are refused before anything runs.
          const stop = target ? all.indexOf(target) : all.length - 1;
          for (const m of all.slice(0, stop + 1)) if (!done.has(rowKey(m.fileName))) psqlSteps(this.fsys, m.file, this.text(m));
          const applied: string[] = [];
          for (const m of all) {
            if (!done.has(rowKey(m.fileName))) {
              checkCancelled(opts.signal, m.fileName);
              if (highest && highest.index > m.index) opts.onWarning?.(`${m.fileName} is applied out of order: ${highest.fileName}, numbered after it, is already applied`);
              const text = this.text(m);
              const t0 = performance.now();
              await runTracked(s, m.file, text, () =>
                s.query(`insert into ${qualified(this.project.table)} (migration_name, applied_at, checksum) values ($1, now(), $2)`, [m.fileName, sha256(text)]),
                this.fsys,
                opts.onMessage && ((echo) => opts.onMessage!(`${m.fileName}: ${echo}`)),
              );
              opts.onApplied?.(m, performance.now() - t0);
              applied.push(m.fileName);
            }
            if (m === target) break;
          }
          return { applied };
        },
        opts.lockTimeoutMs,
        opts.signal,
      ),
    );
  }

  async rollback(db: DbProvider, opts: RollbackOptions = {}): Promise<{ rolledBack: string[] }> {
    const all = this.migrations();
    refuseDuplicateNumbers(all, 'roll back');
    const target = opts.to === undefined ? undefined : findNumbered(all, opts.to, this.project.folder);
    return db.withSession((s) =>
      withLock(
        s,
        async () => {
          // Newest first in the order the database applied them (tracking ids), not in file order: a migration
          // applied out of order is undone in its turn.
          const byKey = new Map(all.map((m) => [rowKey(m.fileName), m]));
          const done = (await this.rows(s)).map((r) => byKey.get(rowKey(r.migration_name))).filter((m): m is NumberedMigration => !!m);
          done.reverse();
          // --to X: what the database applied after X; X not applied (a gap): the applied ones numbered after it.
          const after = (t: NumberedMigration) => (done.includes(t) ? done.slice(0, done.indexOf(t)) : done.filter((m) => m.index > t.index));
          const victims = opts.all ? done : target ? after(target) : done.slice(0, 1);
          const missing = victims.filter((m) => !m.downFile);
          if (missing.length) {
            throw new EngineError('refused', `cannot roll back ${missing.map((m) => m.fileName).join(', ')}: no rollback-${missing[0].id}.sql next to it; write one first`);
          }
          for (const m of victims) psqlSteps(this.fsys, m.downFile!, this.text(m, m.downFile));
          const rolledBack: string[] = [];
          for (const m of victims) {
            checkCancelled(opts.signal, `rolling back ${m.fileName}`);
            const t0 = performance.now();
            await runTracked(s, m.downFile!, this.text(m, m.downFile), () =>
              s.query(`delete from ${qualified(this.project.table)} where migration_name in ($1, $2)`, [m.fileName, rowKey(m.fileName)]),
              this.fsys,
            );
            opts.onRolledBack?.(m, performance.now() - t0);
            rolledBack.push(m.fileName);
          }
          return { rolledBack };
        },
        opts.lockTimeoutMs,
        opts.signal,
      ),
    );
  }
}

/** `--to` in any of the forms a user types: `3`, `003`, `003_name`, `003_name.sql`. */
export function findNumbered(all: NumberedMigration[], to: string, folder: string): NumberedMigration {
  const t = to.trim();
  const hit = all.find((m) => m.fileName === t || rowKey(m.fileName) === t || m.id === t) ?? (/^\d+$/.test(t) ? all.find((m) => m.number === parseInt(t, 10)) : undefined);
  if (!hit) throw new EngineError('refused', `no migration ${to} in ${folder} (give its number, e.g. ${all[0]?.number ?? 1}, or its file name)`);
  return hit;
}

/** `pgmig new <name>`: the next number (as wide as the existing ones, at least 3 digits) from a template with the
 * header comment block, and the matching rollback file. Refuses to overwrite. */
export function newNumberedMigration(project: LayoutProject, name: string, now = new Date()): { file: string; downFile: string } {
  const slug = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw new EngineError('refused', `"${name}" gives an empty file name: use letters or digits`);
  const existing = numberedMigrations(diskFileSystem, project.folder);
  const width = Math.max(3, ...existing.map((m) => m.id.length));
  const next = (existing.length ? existing[existing.length - 1].number : 0) + 1;
  const id = String(next).padStart(width, '0');
  const base = `${id}_${slug}`;
  const file = path.join(project.folder, `${base}.sql`);
  const downFile = path.join(project.folder, `rollback-${id}.sql`);
  for (const f of [file, downFile]) if (fs.existsSync(f)) throw new EngineError('refused', `${f} already exists`);
  const previous = existing[existing.length - 1];
  const date = now.toISOString().slice(0, 10);
  const up = [
    `-- Migration: ${base}`,
    `-- Purpose: TODO: what this migration changes, and why`,
    `-- Dependencies: ${previous ? previous.fileName : 'none'}`,
    `-- Rollback: rollback-${id}.sql`,
    `-- Created: ${date}`,
    '',
    'BEGIN;',
    '',
    '-- Enter migration here',
    '',
    'COMMIT;',
    '',
  ].join('\n');
  const down = [`-- Rollback of ${base}.sql`, `-- Undoes: ${base}.sql (run by pgmig rollback)`, `-- Created: ${date}`, '', 'BEGIN;', '', '-- Undo the migration here', '', 'COMMIT;', ''].join('\n');
  fs.mkdirSync(project.folder, { recursive: true });
  fs.writeFileSync(file, up, { flag: 'wx' });
  fs.writeFileSync(downFile, down, { flag: 'wx' });
  return { file, downFile };
}
