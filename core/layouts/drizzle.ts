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
    return s.query<Row>(`select id, hash, created_at from ${qualified(this.project.table)} order by created_at, id`);
  }

  private text(file: string): string {
    const text = this.fsys.read(file);
    if (text === undefined) throw new EngineError('io', `No file ${file} found (listed in meta/_journal.json)`);
    return text;
  }

  async status(db: DbProvider): Promise<LayoutStatus> {
    const rows = await readIfExists(db, [], (s) => this.rows(s));
    const last = rows.length ? Math.max(...rows.map((r) => Number(r.created_at))) : undefined;
    const byWhen = new Map(rows.map((r) => [Number(r.created_at), r]));
    const migrations: MigrationStatus[] = this.migrations().map((m) => {
      if (last === undefined || m.when > last) return { ...m, state: 'pending' };
      const row = byWhen.get(m.when);
      byWhen.delete(m.when);
      const st: MigrationStatus = { ...m, state: 'applied' };
      const text = this.fsys.read(m.file);
      if (row && text !== undefined && sha256(text) !== row.hash) {
        st.changed = `${m.id}.sql was edited after it was applied (sha256 ${sha256(text).slice(0, 12)}..., applied ${row.hash.slice(0, 12)}...): drizzle-kit will not run the edit; generate a new migration`;
      }
      return st;
    });
    return { layout: 'drizzle', database: db.label, migrations, unknownApplied: [...byWhen.values()].map((r) => `created_at ${r.created_at} (hash ${r.hash.slice(0, 12)}...)`) };
  }

  async migrate(db: DbProvider, opts: ApplyOptions = {}): Promise<{ applied: string[] }> {
    const all = this.migrations();
    const stop = opts.to === undefined ? all.length - 1 : all.findIndex((m) => m.id === opts.to);
    if (stop < 0 && opts.to !== undefined) throw new EngineError('refused', `no migration ${opts.to} in ${path.join(this.project.folder, 'meta', '_journal.json')}`);
    const t = this.project.table;
    return db.withSession((s) =>
      withLock(
        s,
        async () => {
          await s.exec(`create schema if not exists ${quoteIdent(t.schema)}`);
          await s.exec(`create table if not exists ${qualified(t)} (id serial primary key, hash text not null, created_at bigint)`);
          const [lastRow] = await s.query<Row>(`select id, hash, created_at from ${qualified(t)} order by created_at desc limit 1`);
          const pending = all.slice(0, stop + 1).filter((m) => !lastRow || Number(lastRow.created_at) < m.when);
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
    const target = opts.to === undefined ? undefined : all.find((m) => m.id === opts.to);
    if (opts.to !== undefined && !target) throw new EngineError('refused', `no migration ${opts.to} in the journal`);
    const t = this.project.table;
    return db.withSession((s) =>
      withLock(
        s,
        async () => {
          const rows = await this.rows(s);
          const last = rows.length ? Math.max(...rows.map((r) => Number(r.created_at))) : undefined;
          const applied = all.filter((m) => last !== undefined && m.when <= last).reverse();
          const victims = opts.all ? applied : target ? applied.filter((m) => m.index > target.index) : applied.slice(0, 1);
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
            await runTracked(s, m.downFile!, this.text(m.downFile!), () => s.query(`delete from ${qualified(t)} where created_at = $1`, [m.when]));
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

