// The shapes the engine host sends to its clients (the VS Code client imports them type-only) and the arguments
// every `pgmig.engine.*` command takes.
import type { LayoutTreeItem } from '../../core/layouts/treeItems';
import type { LayoutKind, ToolCommand } from '../../core/layouts/types';

/** Arguments of every `pgmig.engine.*` command (one object). */
export interface EngineArgs {
  root?: string;
  /** '' or absent: the project's default database (.gmrc / DATABASE_URL / embedded). */
  target?: string;
  /** A password typed in the editor (kept in its secret storage); used for this call only, never logged. */
  password?: string;
  /** migrate: apply up to and including this migration number. rollback: keep migrations up to this number. */
  to?: number;
  message?: string;
  /** reset: the database name, typed by the user. */
  confirm?: string;
  /** layoutMigrate: apply up to and including this migration id; layoutRollback: keep migrations up to this id. */
  id?: string;
  /** layoutRollback: roll back every applied migration. */
  all?: boolean;
}

/** What the tree shows for a project of another layout (numbered, drizzle, alembic): `pgmig/layoutStatus`. */
export interface LayoutStatusReport {
  root: string;
  target: string;
  kind: LayoutKind;
  database: string;
  reachable: boolean;
  error?: { message: string; code?: string };
  migrations: LayoutTreeItem[];
  pending: number;
  /** alembic: the revisions alembic_version holds, and the graph's heads. */
  current?: string[];
  heads?: string[];
  unknownApplied: string[];
  /** The embedded database does not exist yet (reads never create it): every migration is pending. */
  noDatabase?: boolean;
  /** Project-level commands run in a terminal (alembic: Upgrade head). */
  commands: ToolCommand[];
  /** Data migrations of the same database, per schema, with the project's commands for that schema. */
  dataMigrations: { schema: string; migrations: { name: string; file: string; state: 'applied' | 'pending'; appliedAt?: string }[]; commands: ToolCommand[] }[];
}

export type MigrationState = 'applied' | 'pending' | 'changed' | 'failed';

export interface MigrationItem {
  name: string;
  file: string;
  number: number;
  hash: string;
  previousHash: string | null;
  message: string | null;
  downFile?: string;
  state: MigrationState;
  appliedAt?: string;
  reason?: string;
  /** The latest applied migration with a down script: it can be rolled back. */
  canRollback: boolean;
}

export type CurrentState = 'empty' | 'dirty' | 'applied' | 'error';

export interface TargetStatus {
  root: string;
  target: string;
  database: string;
  /** What the user types to confirm a reset. */
  confirmName: string;
  protected: boolean;
  reachable: boolean;
  /** The embedded database has not been created yet (reading status creates none): every migration is pending. */
  noDatabase?: boolean;
  error?: { message: string; code?: string };
  migrations: MigrationItem[];
  pending: number;
  current: { files: string[]; fixtures: string[]; state: CurrentState; message?: string };
  watch: { on: boolean; state?: 'running' | 'applied' | 'unchanged' | 'error'; message?: string; at?: string };
  /** A commit that was killed before it finished, and what the next migrate, watch or commit does about it. */
  interruptedCommit?: { file: string; next: string };
}
