// Drizzle Kit: `<out>/NNNN_name.sql` listed in `<out>/meta/_journal.json`, tracked exactly as `drizzle-kit migrate`
// (drizzle-orm's pg migrator) tracks them, so that a folder migrated by either tool is up to date for the other:
// `drizzle.__drizzle_migrations(id serial primary key, hash text not null, created_at bigint)`, hash = sha256 hex of
// the raw file, created_at = the journal entry's `when`; an entry is applied when its `when` is not after the
// latest created_at; pending entries run in one transaction, statement by statement at `--> statement-breakpoint`.
// pgmig adds what drizzle-kit lacks: status (with edited-after-apply from the stored hash) and rollback through an
// optional `NNNN_name.down.sql`.
import path from 'node:path';
import { readIfExists, type DbProvider, type DbSession } from '../db/types';
import { EngineError } from '../engine/errors';
import { type FileSystem, diskFileSystem } from '../fileSystem';
import { isConnectionLoss } from '../db/pg';
import { sqlError } from '../engine/sourceText';
import { qualified, quoteIdent } from './detect';
import { breakpointChunks, drizzleMigrations, type DrizzleMigration } from './files';
import { checkCancelled, runTracked, sha256, tableExists, withLock } from './sqlRun';
import type { ApplyOptions, LayoutProject, LayoutStatus, MigrationLayout, MigrationStatus, RollbackOptions } from './types';

interface Row {
  id: number;
  hash: string;
  created_at: string | number | null;
}

export class DrizzleLayout implements MigrationLayout {
  readonly kind = 'drizzle' as const;
  constructor(
    readonly project: LayoutProject,
    private readonly fsys: FileSystem = diskFileSystem,
  ) {}

  migrations(): DrizzleMigration[] {
    return drizzleMigrations(this.fsys, this.project.folder);
  }

  private async rows(s: DbSession): Promise<Row[]> {
    if (!(await tableExists(s, this.project.table))) return [];
    return s.query<Row>(`select id, hash, created_at from ${qualified(this.project.table)} order by id`);
  }

  private text(file: string): string {
    const text = this.fsys.read(file);
    if (text === undefined) throw new EngineError('io', `No file ${file} found (listed in meta/_journal.json)`);
    return text;
  }

  /**
   * Which journal entries the rows record: the row whose created_at is the entry's `when` (what drizzle-kit writes),
   * else one with the file's hash (a `when` edited after apply). drizzle-kit itself only compares `when` with the
   * latest created_at, so an entry older than that (journals merged from branches) is one it never applies.
   */
  private match(all: DrizzleMigration[], rows: Row[]): { rowOf: Map<DrizzleMigration, Row>; last?: number; unmatched: Row[] } {
    const free = new Set(rows);
    const rowOf = new Map<DrizzleMigration, Row>();
    for (const m of all) {
      const r = rows.find((x) => free.has(x) && Number(x.created_at) === m.when);
      if (r) (rowOf.set(m, r), free.delete(r));
    }
    for (const m of all) {
      if (rowOf.has(m)) continue;
      const text = this.fsys.read(m.file);
      const r = text === undefined ? undefined : rows.find((x) => free.has(x) && x.hash === sha256(text));
      if (r) (rowOf.set(m, r), free.delete(r));
    }
    const last = rows.length ? Math.max(...rows.map((r) => Number(r.created_at))) : undefined;
    return { rowOf, last, unmatched: [...free] };
  }

  private skippedNote(m: DrizzleMigration, last: number): string {
    return `not applied: its journal \`when\` (${m.when}) is older than the latest applied migration's (${last}), so drizzle-kit migrate skips it for good (journals merged from branches do this); pgmig migrate applies it, or give it a \`when\` above ${last} in meta/_journal.json so that drizzle-kit does too`;
  }

  async status(db: DbProvider): Promise<LayoutStatus> {
    const rows = await readIfExists(db, [], (s) => this.rows(s));
    const all = this.migrations();
    const { rowOf, last, unmatched } = this.match(all, rows);
    const migrations: MigrationStatus[] = all.map((m) => {
      const row = rowOf.get(m);
      if (!row) return last !== undefined && m.when <= last ? { ...m, state: 'pending', note: this.skippedNote(m, last) } : { ...m, state: 'pending' };
      const st: MigrationStatus = { ...m, state: 'applied', appliedOrder: rows.indexOf(row) };
      const text = this.fsys.read(m.file);
      if (text !== undefined && sha256(text) !== row.hash) {
        st.changed = `${m.id}.sql was edited after it was applied (sha256 ${sha256(text).slice(0, 12)}..., applied ${row.hash.slice(0, 12)}...): drizzle-kit will not run the edit; generate a new migration`;
      }
      return st;
    });
    const status: LayoutStatus = { layout: 'drizzle', database: db.label, migrations, unknownApplied: unmatched.map((r) => `created_at ${r.created_at} (hash ${r.hash.slice(0, 12)}...)`) };
    return db.exists?.() === false ? { ...status, noDatabase: true } : status;
  }

  async migrate(db: DbProvider, opts: ApplyOptions = {}): Promise<{ applied: string[] }> {
    const all = this.migrations();
    const stop = opts.to === undefined ? all.length - 1 : findDrizzle(all, opts.to, this.project.folder).index;
    const t = this.project.table;
    return db.withSession((s) =>
      withLock(
        s,
        async () => {
          await s.exec(`create schema if not exists ${quoteIdent(t.schema)}`);
          await s.exec(`create table if not exists ${qualified(t)} (id serial primary key, hash text not null, created_at bigint)`);
          const { rowOf, last } = this.match(all, await this.rows(s));
          const pending = all.slice(0, stop + 1).filter((m) => !rowOf.has(m));
          for (const m of pending) {
            if (last !== undefined && m.when <= last) {
              opts.onWarning?.(`${m.id}: applied although drizzle-kit migrate would skip it: its journal \`when\` (${m.when}) is older than the latest applied migration's (${last})`);
            }
          }
          const texts = pending.map((m) => this.text(m.file)); // every file read before anything runs
          const timings: number[] = [];
          await s.exec('begin');
          try {
            for (let i = 0; i < pending.length; i++) {
              checkCancelled(opts.signal, pending[i].id);
              const t0 = performance.now();
              await this.runChunks(s, pending[i].file, texts[i]);
              await s.query(`insert into ${qualified(t)} ("hash", "created_at") values ($1, $2)`, [sha256(texts[i]), pending[i].when]);
              timings.push(performance.now() - t0);
            }
            await s.exec('commit');
          } catch (e) {
            await s.exec('rollback').catch(() => undefined);
            throw e;
          }
          pending.forEach((m, i) => opts.onApplied?.(m, timings[i]));
          return { applied: pending.map((m) => m.id) };
        },
        opts.lockTimeoutMs,
        opts.signal,
      ),
    );
  }

  /** Runs the file as drizzle does, one breakpoint chunk at a time; an error names the file, line and column. */
  private async runChunks(s: DbSession, file: string, text: string): Promise<void> {
    for (const chunk of breakpointChunks(text)) {
      try {
        await s.exec(chunk.text);
      } catch (e) {
        if (isConnectionLoss(e)) throw e;
        throw sqlError(e, { text: chunk.text, label: file, toSource: (o) => ({ file, offset: chunk.offset + o }) }, (f) => (f === file ? text : undefined));
      }
    }
  }

  async rollback(db: DbProvider, opts: RollbackOptions = {}): Promise<{ rolledBack: string[] }> {
    const all = this.migrations();
    const target = opts.to === undefined ? undefined : findDrizzle(all, opts.to, this.project.folder);
    const t = this.project.table;
    return db.withSession((s) =>
      withLock(
        s,
        async () => {
          const { rowOf } = this.match(all, await this.rows(s));
          // Newest first in the order they were applied (row ids).
          const applied = [...rowOf].sort((a, b) => b[1].id - a[1].id).map(([m]) => m);
          const after = (t: DrizzleMigration) => (rowOf.has(t) ? applied.slice(0, applied.indexOf(t)) : applied.filter((m) => m.index > t.index));
          const victims = opts.all ? applied : target ? after(target) : applied.slice(0, 1);
          const missing = victims.filter((m) => !m.downFile);
          if (missing.length) {
            throw new EngineError(
              'refused',
              `cannot roll back ${missing.map((m) => m.id).join(', ')}: no ${missing[0].id}.down.sql beside it (drizzle-kit writes no down migrations; write one to enable rollback)`,
            );
          }
          const rolledBack: string[] = [];
          for (const m of victims) {
            checkCancelled(opts.signal, `rolling back ${m.id}`);
            const t0 = performance.now();
            await runTracked(s, m.downFile!, this.text(m.downFile!), () => s.query(`delete from ${qualified(t)} where id = $1`, [rowOf.get(m)!.id]));
            opts.onRolledBack?.(m, performance.now() - t0);
            rolledBack.push(m.id);
          }
          return { rolledBack };
        },
        opts.lockTimeoutMs,
        opts.signal,
      ),
    );
  }
}


/** `--to` as a user types it: the tag (`0003_name`), the file name (`0003_name.sql`) or the number (`3`, `0003`). */
export function findDrizzle(all: DrizzleMigration[], to: string, folder: string): DrizzleMigration {
  const t = to.trim().replace(/\.sql$/, '');
  const byNumber = /^\d+$/.test(t) ? all.filter((m) => parseInt(m.id, 10) === parseInt(t, 10) && /^\d+_/.test(m.id)) : [];
  if (byNumber.length > 1) throw new EngineError('refused', `--to ${to} is ambiguous: ${byNumber.map((m) => m.id).join(' and ')} share the number; give the tag`);
  const hit = all.find((m) => m.id === t) ?? byNumber[0];
  if (!hit) throw new EngineError('refused', `no migration ${to} in ${path.join(folder, 'meta', '_journal.json')} (give its tag, e.g. ${all[0]?.id ?? '0000_name'}, or its number)`);
  return hit;
}
