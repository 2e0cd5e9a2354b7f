// Alembic: the revision graph read from the version files (alembicGraph.ts), the current revisions from
// `alembic_version`. Upgrades and downgrades are the project's own `alembic` command's job:
// pgmig builds the command lines (Upgrade to here, Downgrade to here, Upgrade head, Show SQL) and runs them in the
// project folder, so env.py, its connection and its hooks behave exactly as when a human types them.
import type { DbProvider } from '../db/types';
import { EngineError } from '../engine/errors';
import { type FileSystem, diskFileSystem } from '../fileSystem';
import { ancestors, readAlembicGraph, type AlembicGraph, type AlembicRevision } from './alembicGraph';
import { qualified } from './detect';
import { tableExists } from './sqlRun';
import { runToolCommand, shellQuote } from './tool';
import type { ApplyOptions, LayoutProject, LayoutStatus, MigrationLayout, RollbackOptions, ToolCommand } from './types';

export type { AlembicGraph, AlembicRevision };

export type AlembicAction = 'upgrade-to' | 'downgrade-to' | 'upgrade-head' | 'show-sql';

export class AlembicLayout implements MigrationLayout {
  readonly kind = 'alembic' as const;
  constructor(
    readonly project: LayoutProject,
    private readonly fsys: FileSystem = diskFileSystem,
  ) {}

  graph(): AlembicGraph {
    return readAlembicGraph(this.fsys, this.project.folder);
  }

  migrations(): AlembicRevision[] {
    return this.graph().revisions;
  }

  async status(db: DbProvider): Promise<LayoutStatus> {
    const graph = this.graph();
    const t = this.project.table;
    const current = await db.withSession(async (s) =>
      (await tableExists(s, t)) ? (await s.query<{ version_num: string }>(`select version_num from ${qualified(t)}`)).map((r) => r.version_num) : [],
    );
    const applied = ancestors(graph, current);
    const known = new Set(graph.revisions.map((r) => r.revision));
    return {
      layout: 'alembic',
      database: db.label,
      migrations: graph.revisions.map((r) => ({ ...r, state: applied.has(r.revision) ? 'applied' : 'pending' })),
      unknownApplied: current.filter((c) => !known.has(c)),
      current,
    };
  }

  /** The command line for an action; `revision` is required for the -to actions and Show SQL. */
  command(action: AlembicAction, revision?: string): ToolCommand {
    const alembic = this.project.command ?? 'alembic';
    const cwd = this.project.root;
    const need = () => {
      if (!revision) throw new EngineError('refused', `${action} needs a revision`);
      return shellQuote(revision);
    };
    switch (action) {
      case 'upgrade-head': {
        const heads = this.graph().heads;
        return { title: 'Upgrade head', commandLine: `${alembic} upgrade ${heads.length > 1 ? 'heads' : 'head'}`, cwd };
      }
      case 'upgrade-to':
        return { title: `Upgrade to ${revision}`, commandLine: `${alembic} upgrade ${need()}`, cwd };
      case 'downgrade-to':
        return { title: `Downgrade to ${revision}`, commandLine: `${alembic} downgrade ${need()}`, cwd };
      case 'show-sql': {
        const rev = this.graph().revisions.find((r) => r.revision === revision);
        // One revision's SQL: from its parent to it (offline mode); a base or a merge from the start.
        const range = rev && rev.downRevisions.length === 1 ? `${shellQuote(rev.downRevisions[0])}:${need()}` : need();
        return { title: `Show SQL of ${revision}`, commandLine: `${alembic} upgrade ${range} --sql`, cwd };
      }
    }
  }

  /** `alembic upgrade <to|head>` in the project folder (the database is the one env.py connects to). */
  async migrate(_db: DbProvider, opts: ApplyOptions & { output?: (stream: 'stdout' | 'stderr', text: string) => void } = {}): Promise<{ applied: string[] }> {
    const cmd = opts.to ? this.command('upgrade-to', opts.to) : this.command('upgrade-head');
    await runToolCommand(cmd, { output: opts.output, signal: opts.signal });
    return { applied: [] };
  }

  /** `alembic downgrade <to>` (`-1`: the latest; `base` with `all`). */
  async rollback(_db: DbProvider, opts: RollbackOptions & { output?: (stream: 'stdout' | 'stderr', text: string) => void } = {}): Promise<{ rolledBack: string[] }> {
    const alembic = this.project.command ?? 'alembic';
    const cmd = opts.all
      ? { title: 'Downgrade to base', commandLine: `${alembic} downgrade base`, cwd: this.project.root }
      : opts.to
        ? this.command('downgrade-to', opts.to)
        : { title: 'Downgrade one revision', commandLine: `${alembic} downgrade -1`, cwd: this.project.root };
    await runToolCommand(cmd, { output: opts.output, signal: opts.signal });
    return { rolledBack: [] };
  }
}
