// The layout adapters behind one interface (types.ts): `openLayout` gives the adapter for a project folder.
import type { FileSystem } from '../fileSystem';
import { diskFileSystem } from '../fileSystem';
import { AlembicLayout } from './alembic';
import { detectLayout } from './detect';
import { DrizzleLayout } from './drizzle';
import { NumberedLayout } from './numbered';
import type { LayoutProject, MigrationLayout } from './types';

export type { LayoutKind, LayoutProject, MigrationLayout, LayoutMigration, LayoutStatus, MigrationStatus, ToolCommand } from './types';

/** The adapter for a detected project; undefined for graphile-migrate (its engine is core/engine). */
export function layoutFor(project: LayoutProject, fsys: FileSystem = diskFileSystem): MigrationLayout | undefined {
  switch (project.kind) {
    case 'numbered':
      return new NumberedLayout(project, fsys);
    case 'drizzle':
      return new DrizzleLayout(project, fsys);
    case 'alembic':
      return new AlembicLayout(project, fsys);
    default:
      return undefined;
  }
}

/** Reads pgmig.json (if any) and detects the layout of the project at `root`. */
export function openLayout(root: string, pgmigJson: unknown, fsys: FileSystem = diskFileSystem): { project: LayoutProject; layout: MigrationLayout | undefined } {
  const project = detectLayout(fsys, root, pgmigJson);
  return { project, layout: layoutFor(project, fsys) };
}
