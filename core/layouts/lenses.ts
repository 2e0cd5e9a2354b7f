// What the editor shows above a migration file of any layout (CodeLens) and what each lens does, computed here so
// that every adapter shows the same: SQL layouts apply or roll back through pgmig's own commands (`to` a migration
// id), Alembic and data migrations run the project's tool in a terminal (`commandLine`).
import path from 'node:path';
import { type FileSystem, diskFileSystem } from '../fileSystem';
import { AlembicLayout } from './alembic';
import { DATA_MIGRATION_FILE, dataMigrationCommands } from './dataMigrations';
import { drizzleMigrations, numberedMigrations } from './files';
import type { LayoutMigration, LayoutProject, LayoutStatus } from './types';

export type LensAction = 'migrate-to' | 'rollback-to' | 'open-down' | 'upgrade-to' | 'downgrade-to' | 'upgrade-head' | 'show-sql' | 'data-migrate' | 'data-reset';

export interface LayoutLens {
  file: string;
  /** Where the lens sits (string offsets): the first line, or Alembic's `revision = '...'`. */
  start: number;
  end: number;
  title: string;
  action: LensAction;
  /** The migration the action is about (pgmig migrate/rollback --to ID). */
  migrationId?: string;
  /** rollback-to on the first migration: roll back every one (pgmig rollback --all). */
  all?: boolean;
  /** For actions run through the project's own tool: the command line and its folder. */
  commandLine?: string;
  cwd?: string;
  /** open-down: the file to open. */
  target?: string;
}

function firstLine(fsys: FileSystem, file: string): { start: number; end: number } {
  const text = fsys.read(file) ?? '';
  const eol = text.search(/\r?\n/);
  return { start: 0, end: eol < 0 ? text.length : eol };
}

/** The lenses of `file` in `project`; `status` (when the database was read) decides between apply and roll back. */
export function layoutLenses(project: LayoutProject, file: string, status?: LayoutStatus, fsys: FileSystem = diskFileSystem): LayoutLens[] {
  const abs = path.resolve(file);
  const data = project.dataMigrations;
  if (data && !path.relative(data.folder, abs).startsWith('..') && DATA_MIGRATION_FILE.test(path.basename(abs))) {
    const schema = path.basename(path.dirname(abs));
    const at = firstLine(fsys, abs);
    return dataMigrationCommands(data, project.root, schema).map((c, i) => ({ file: abs, ...at, title: c.title, action: i === 0 ? 'data-migrate' : 'data-reset', commandLine: c.commandLine, cwd: c.cwd }));
  }
  if (project.kind === 'alembic') {
    const layout = new AlembicLayout(project, fsys);
    const graph = layout.graph();
    const rev = graph.revisions.find((r) => r.file === abs);
    if (!rev) return [];
    const at = { file: abs, start: rev.revisionAt.start, end: rev.revisionAt.end, migrationId: rev.revision };
    const lens = (action: LensAction, c: { title: string; commandLine: string; cwd: string }): LayoutLens => ({ ...at, title: c.title.replace(` ${rev.revision}`, ' here').replace('Show SQL of here', 'Show SQL'), action, commandLine: c.commandLine, cwd: c.cwd });
    return [
      lens('upgrade-to', layout.command('upgrade-to', rev.revision)),
      lens('downgrade-to', layout.command('downgrade-to', rev.revision)),
      lens('upgrade-head', layout.command('upgrade-head')),
      lens('show-sql', layout.command('show-sql', rev.revision)),
    ];
  }
  if (project.kind !== 'numbered' && project.kind !== 'drizzle') return [];
  const list: LayoutMigration[] = project.kind === 'numbered' ? numberedMigrations(fsys, project.folder) : drizzleMigrations(fsys, project.folder);
  const i = list.findIndex((m) => m.file === abs);
  if (i < 0) return [];
  const m = list[i];
  const at = { file: abs, ...firstLine(fsys, abs), migrationId: m.id };
  const state = status?.migrations.find((s) => s.id === m.id)?.state;
  const out: LayoutLens[] = [];
  if (state !== 'applied') out.push({ ...at, title: 'Apply up to here', action: 'migrate-to' });
  // Rolling back to here undoes every later migration: the lens names the migration before this one.
  // Only on what the database has applied (a pending migration, or one whose state is not read yet, has nothing to undo).
  if (state === 'applied' && m.downFile) {
    out.push({ ...at, title: 'Roll back this and later', action: 'rollback-to', ...(i > 0 ? { migrationId: list[i - 1].id } : { migrationId: undefined, all: true }) });
  }
  if (m.downFile) out.push({ ...at, title: 'Open down script', action: 'open-down', target: m.downFile });
  return out;
}
