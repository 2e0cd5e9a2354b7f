// graphile-migrate behind the layout interface: a thin wrapper over core/engine (which stays the one implementation
// of graphile-migrate's workflow). The engine owns its databases (main, shadow, targets), so the `db` the interface
// passes is not used here: status, migrate and rollback run on the engine's main database.
import path from 'node:path';
import type { DbProvider } from '../db/types';
import { readCommitted } from '../engine/committed';
import type { MigrationEngine } from '../engine';
import { EngineError } from '../engine/errors';
import type { ApplyOptions, LayoutMigration, LayoutProject, LayoutStatus, MigrationLayout, MigrationStatus, RollbackOptions } from './types';

export class GraphileLayout implements MigrationLayout {
  readonly kind = 'graphile' as const;
  constructor(
    readonly project: LayoutProject,
    private readonly engine: MigrationEngine,
  ) {}

  migrations(): LayoutMigration[] {
    return readCommitted(this.engine.settings.migrationsFolder).map((m, index) => ({
      id: m.filename,
      name: m.message ?? path.basename(m.realFilename, '.sql').replace(/^\d+-?/, ''),
      file: m.fullPath,
      downFile: m.downPath,
      index,
    }));
  }

  async status(_db?: DbProvider): Promise<LayoutStatus> {
    const r = await this.engine.status();
    const applied = new Map(r.applied.map((a) => [a.filename, a]));
    const changed = new Map(r.changed.map((c) => [c.filename, c.reason]));
    const migrations: MigrationStatus[] = this.migrations().map((m) => {
      const a = applied.get(m.id);
      applied.delete(m.id);
      const reason = changed.get(path.basename(m.file)) ?? changed.get(m.id);
      return a ? { ...m, state: 'applied', appliedAt: a.date, ...(reason ? { changed: reason } : {}) } : { ...m, state: 'pending' };
    });
    return { layout: 'graphile', database: r.database, migrations, unknownApplied: [...applied.keys()] };
  }

  async migrate(_db?: DbProvider, opts: ApplyOptions = {}): Promise<{ applied: string[] }> {
    if (opts.to !== undefined) throw new EngineError('refused', 'graphile-migrate applies every committed migration: migrate without --to');
    return { applied: (await this.engine.migrate({ signal: opts.signal })).applied };
  }

  async rollback(_db?: DbProvider, opts: RollbackOptions = {}): Promise<{ rolledBack: string[] }> {
    const to = opts.to === undefined ? undefined : parseInt(opts.to, 10);
    if (to !== undefined && !Number.isFinite(to)) throw new EngineError('refused', `--to needs a migration number, got '${opts.to}'`);
    return this.engine.rollback({ to, signal: opts.signal });
  }
}
