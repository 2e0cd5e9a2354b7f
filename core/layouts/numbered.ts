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
import { numberedMigrations, type NumberedMigration } from './files';
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
    const migrations: MigrationStatus[] = this.migrations().map((m) => {
      const row = byName.get(rowKey(m.fileName));
      if (!row) return { ...m, state: 'pending' };
      byName.delete(rowKey(m.fileName));
      const st: MigrationStatus = { ...m, state: 'applied', appliedAt: new Date(row.applied_at) };
      const text = this.fsys.read(m.file);
      if (row.checksum && text !== undefined && sha256(text) !== row.checksum) {
        st.changed = `${m.fileName} was edited after it was applied (sha256 ${sha256(text).slice(0, 12)}..., applied ${row.checksum.slice(0, 12)}...): the database will not run the edit; put the change in a new migration`;
      }
      return st;
    });
    return { layout: 'numbered', database, migrations, unknownApplied: [...byName.values()].map((r) => r.migration_name) };
  }

  async status(db: DbProvider): Promise<LayoutStatus> {
    return this.statusFrom(await readIfExists(db, [], (s) => this.rows(s)), db.label);
  }

  async migrate(db: DbProvider, opts: ApplyOptions = {}): Promise<{ applied: string[] }> {
    const all = this.migrations();
    if (opts.to !== undefined && !all.some((m) => m.id === opts.to || m.fileName === opts.to)) {
      throw new EngineError('refused', `no migration ${opts.to} in ${this.project.folder}`);
    }
    return db.withSession((s) =>
      withLock(
        s,
        async () => {
          await this.ensureTable(s);
          const done = new Set((await this.rows(s)).map((r) => rowKey(r.migration_name)));
          const applied: string[] = [];
          for (const m of all) {
            if (!done.has(rowKey(m.fileName))) {
              checkCancelled(opts.signal, m.fileName);
              const text = this.text(m);
              const t0 = performance.now();
              await runTracked(s, m.file, text, () =>
                s.query(`insert into ${qualified(this.project.table)} (migration_name, applied_at, checksum) values ($1, now(), $2)`, [m.fileName, sha256(text)]),
              );
              opts.onApplied?.(m, performance.now() - t0);
              applied.push(m.fileName);
            }
            if (m.id === opts.to || m.fileName === opts.to) break;
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
    const target = opts.to === undefined ? undefined : all.find((m) => m.id === opts.to || m.fileName === opts.to || m.number === Number(opts.to));
    if (opts.to !== undefined && !target) throw new EngineError('refused', `no migration ${opts.to} in ${this.project.folder}`);
    return db.withSession((s) =>
      withLock(
        s,
        async () => {
          const applied = new Set((await this.rows(s)).map((r) => rowKey(r.migration_name)));
          const done = all.filter((m) => applied.has(rowKey(m.fileName))).reverse();
          const victims = opts.all ? done : target ? done.filter((m) => m.index > target.index) : done.slice(0, 1);
          const missing = victims.filter((m) => !m.downFile);
          if (missing.length) {
            throw new EngineError('refused', `cannot roll back ${missing.map((m) => m.fileName).join(', ')}: no rollback-${missing[0].id}.sql next to it; write one first`);
          }
          const rolledBack: string[] = [];
          for (const m of victims) {
            checkCancelled(opts.signal, `rolling back ${m.fileName}`);
            const t0 = performance.now();
            await runTracked(s, m.downFile!, this.text(m, m.downFile), () =>
              s.query(`delete from ${qualified(this.project.table)} where migration_name in ($1, $2)`, [m.fileName, rowKey(m.fileName)]),
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
