// Alembic: the revision graph read from the version files (alembicGraph.ts), the current revisions from
// `alembic_version`. Upgrades and downgrades are the project's own `alembic` command's job:
// pgmig builds the command lines (Upgrade to here, Downgrade to here, Upgrade head, Show SQL) and runs them in the
// project folder, so env.py, its connection and its hooks behave exactly as when a human types them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PgProvider } from '../db/pg';
import { describeConnection } from '../db/connection';
import type { DbProvider } from '../db/types';
import { alembicDatabase, parseAlembicCurrent, type AlembicDatabase } from './alembicDatabase';
import { EngineError } from '../engine/errors';
import { type FileSystem, diskFileSystem } from '../fileSystem';
import { ancestors, readAlembicGraph, type AlembicGraph, type AlembicRevision } from './alembicGraph';
import { qualified } from './detect';
import { tableExists } from './sqlRun';
import { runToolCommand, shellQuote } from './tool';
import type { ApplyOptions, LayoutProject, LayoutStatus, MigrationLayout, RollbackOptions, ToolCommand } from './types';

export type { AlembicGraph, AlembicRevision };

export type AlembicAction = 'upgrade-to' | 'downgrade-to' | 'upgrade-head' | 'show-sql' | 'current';

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

  /** The status in the database `db` (alembic_version read there). */
  async status(db: DbProvider): Promise<LayoutStatus> {
    const t = this.project.table;
    const current = await db.withSession(async (s) =>
      (await tableExists(s, t)) ? (await s.query<{ version_num: string }>(`select version_num from ${qualified(t)}`)).map((r) => r.version_num) : [],
    );
    return this.statusFrom(current, db.label);
  }

  private statusFrom(current: string[], database: string): LayoutStatus {
    const graph = this.graph();
    if (graph.problems.length) {
      const p = graph.problems[0];
      throw new EngineError('config', `the revision graph cannot be read: ${path.relative(this.project.root, p.file)} ${p.message}${graph.problems.length > 1 ? ` (and ${graph.problems.length - 1} more problem(s); see pgmig lint)` : ''}`);
    }
    const applied = ancestors(graph, current);
    const known = new Set(graph.revisions.map((r) => r.revision));
    return {
      layout: 'alembic',
      database,
      migrations: graph.revisions.map((r) => ({ ...r, state: applied.has(r.revision) ? 'applied' : 'pending' })),
      unknownApplied: current.filter((c) => !known.has(c)),
      current,
      heads: graph.heads,
    };
  }

  /** The database alembic itself uses (alembic.ini, or what env.py reads from the environment), as far as text tells. */
  database(env: NodeJS.ProcessEnv = process.env): AlembicDatabase {
    return alembicDatabase(this.fsys, this.project.root, path.dirname(this.project.folder), env);
  }

  /**
   * The status in the database alembic uses, never another one (and nothing created: no embedded database). When
   * env.py computes the URL, `alembic current` answers if `runTool` allows running the project's command; otherwise,
   * or when nothing names a database, this throws saying why pgmig cannot know.
   */
  async statusInOwnDatabase(opts: { env?: NodeJS.ProcessEnv; runTool?: boolean; signal?: AbortSignal } = {}): Promise<LayoutStatus> {
    const where = this.database(opts.env);
    if (where.kind === 'url') {
      const db = new PgProvider(where.url);
      try {
        const s = await this.status(db);
        return { ...s, database: `${describeConnection(where.url)} (from ${where.source})` };
      } finally {
        await db.close();
      }
    }
    if (where.kind === 'unknown') throw new EngineError('config', `cannot tell which database alembic uses: ${where.reason}; set sqlalchemy.url in alembic.ini (or the variable env.py reads)`);
    const cmd = this.command('current');
    if (!opts.runTool) throw new EngineError('config', `cannot tell which database alembic uses without running it: ${where.reason}; run \`${cmd.commandLine}\` (or pgmig status in a terminal)`);
    this.graphOrThrow();
    const stdout = await captureTool(cmd, opts.env, opts.signal);
    return this.statusFrom(parseAlembicCurrent(stdout), `the database env.py connects to (${cmd.commandLine})`);
  }

  private graphOrThrow(): void {
    this.statusFrom([], '');
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
      case 'current':
        return { title: 'Current revision', commandLine: `${alembic} current`, cwd };
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

/** Runs a tool command and returns its stdout; a failure carries the last line of stderr (alembic's error). */
function captureTool(cmd: ToolCommand, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.commandLine, { cwd: cmd.cwd, shell: true, env, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => reject(new EngineError('io', `cannot run ${cmd.commandLine}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const last = stderr.trim().split('\n').filter((l) => l.trim()).pop() ?? `exit ${code}`;
      reject(new EngineError('io', `cannot tell which revisions are applied: ${cmd.commandLine} failed: ${last}`));
    });
  });
}
