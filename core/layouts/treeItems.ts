// The rows of the Migrations view for any layout, from a layout status (what the tree needs, in the shape of the
// graphile-migrate rows server/engineHost.ts sends): applied / pending / changed after apply, with the date, the
// down script, which row can be rolled back, and for Alembic the graph (parents, heads, the current revisions).
import path from 'node:path';
import type { LayoutStatus, MigrationStatus } from './types';

export interface LayoutTreeItem {
  id: string;
  /** The file name, as the tree shows it. */
  name: string;
  file: string;
  downFile?: string;
  state: 'applied' | 'pending' | 'changed';
  appliedAt?: string;
  /** Why the row is `changed`. */
  reason?: string;
  /** A warning about the row's place in the history (applied out of order; a Drizzle entry drizzle-kit skips). */
  note?: string;
  /** Rolling back stops here: the latest applied migration with a down script (Alembic: an applied head of what is applied). */
  canRollback: boolean;
  /** Alembic: the revisions this one follows, whether it is a head, whether alembic_version holds it. */
  parents?: string[];
  head?: boolean;
  current?: boolean;
}

export function layoutTreeItems(status: LayoutStatus): LayoutTreeItem[] {
  const items: LayoutTreeItem[] = status.migrations.map((m: MigrationStatus & { downRevisions?: string[] }) => ({
    id: m.id,
    name: path.basename(m.file),
    file: m.file,
    downFile: m.downFile,
    state: m.changed ? 'changed' : m.state,
    appliedAt: m.appliedAt?.toISOString(),
    reason: m.changed,
    ...(m.note ? { note: m.note } : {}),
    canRollback: false,
    ...(m.downRevisions ? { parents: m.downRevisions } : {}),
  }));
  if (status.layout === 'alembic') {
    const isParent = new Set(items.flatMap((i) => i.parents ?? []));
    const current = new Set(status.current ?? []);
    for (const i of items) {
      i.head = !isParent.has(i.id);
      i.current = current.has(i.id);
      i.canRollback = i.current; // alembic downgrades from what alembic_version holds
    }
  } else {
    // Rollback undoes the migration the database applied last (not the highest number: one may be out of order).
    const order = new Map(status.migrations.map((m) => [m.id, m.appliedOrder]));
    const applied = items.filter((i) => i.state !== 'pending');
    const latest = applied.some((i) => order.get(i.id) !== undefined)
      ? applied.reduce<LayoutTreeItem | undefined>((a, i) => (!a || (order.get(i.id) ?? -1) > (order.get(a.id) ?? -1) ? i : a), undefined)
      : applied[applied.length - 1];
    if (latest?.downFile) latest.canRollback = true;
  }
  return items;
}
