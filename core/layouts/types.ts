// One interface over every migration layout pgmig serves (graphile-migrate, plain numbered SQL, Drizzle Kit,
// Alembic): what the status tree, the CodeLens, the CLI and the rules need to know about a project's migrations,
// whatever tool wrote them. Adapters live beside this file, one per layout; none of them imports `vscode`.
import type { DbProvider } from '../db/types';

export type LayoutKind = 'graphile' | 'numbered' | 'drizzle' | 'alembic';

/** A schema-qualified table name (the tracking table). */
export interface TableName {
  schema: string;
  name: string;
}

/** What a layout found in a project folder: where its migrations live and where it tracks them. */
export interface LayoutProject {
  kind: LayoutKind;
  root: string;
  /** The folder that holds the migration files (alembic: `<script_location>/versions`). */
  folder: string;
  /** The tracking table (numbered: schema_migrations, drizzle: drizzle.__drizzle_migrations, alembic: alembic_version). */
  table: TableName;
  /** The file that configures the layout, if any (pgmig.json, drizzle.config.ts, alembic.ini). */
  configFile?: string;
  /** drizzle.config.* (Drizzle): its `dbCredentials` name the database drizzle-kit uses (drizzleDatabase.ts). */
  drizzleConfig?: string;
  /** The shell command for tools pgmig drives instead of applying SQL itself (alembic). */
  command?: string;
  /** Data migrations of the same database, when the project has a registry of them. */
  dataMigrations?: DataMigrationsConfig;
}

export interface DataMigrationsConfig {
  /** Registry folder: `<folder>/<schema>/NNNN_name.ts`. */
  folder: string;
  table: TableName;
  /** Command that applies one schema's pending data migrations; the schema name is appended. */
  migrate: string;
  /** Command that resets the data migrations. */
  reset: string;
}

export interface LayoutMigration {
  /** Stable id: numbered `001`, drizzle the journal tag, alembic the revision, graphile the file name. */
  id: string;
  /** What a human calls it (the name part of the file). */
  name: string;
  /** The migration file (absolute). */
  file: string;
  /** The down script, when there is one on disk. */
  downFile?: string;
  /** Position in apply order (0-based); alembic: topological order from base to heads. */
  index: number;
}

export type MigrationState = 'applied' | 'pending';

export interface MigrationStatus extends LayoutMigration {
  state: MigrationState;
  appliedAt?: Date;
  /** Set when the file no longer matches what was applied (checksum stored at apply time). */
  changed?: string;
  /** A warning about this migration's place in the history: applied out of order, or skipped by the tool. */
  note?: string;
  /** Applied migrations: their position in the order the database applied them (0 = first), when it is known. */
  appliedOrder?: number;
}

export interface LayoutStatus {
  layout: LayoutKind;
  /** Human name of the database, no password. */
  database: string;
  migrations: MigrationStatus[];
  /** Tracking rows that match no file (deleted or renamed after apply). */
  unknownApplied: string[];
  /** alembic: the revisions alembic_version holds. */
  current?: string[];
  /** alembic: the heads of the revision graph. */
  heads?: string[];
  /** The embedded database does not exist yet: nothing was read, every migration is pending (reads never create it). */
  noDatabase?: boolean;
}

export interface ApplyOptions {
  /** Apply up to and including this migration id (default: all pending). */
  to?: string;
  signal?: AbortSignal;
  onApplied?: (m: LayoutMigration, ms: number) => void;
  /** Told before something unusual is done (a migration applied out of order). */
  onWarning?: (message: string) => void;
  /** What a migration prints (psql's `\echo`). */
  onMessage?: (message: string) => void;
  lockTimeoutMs?: number;
}

export interface RollbackOptions {
  /** Roll back every migration applied after this one (it stays applied); default: only the latest. */
  to?: string;
  /** Roll back every applied migration. */
  all?: boolean;
  signal?: AbortSignal;
  onRolledBack?: (m: LayoutMigration, ms: number) => void;
  lockTimeoutMs?: number;
}

/** A command a layout runs through the project's own tool (alembic, data-migration scripts): run in a terminal. */
export interface ToolCommand {
  title: string;
  /** The whole command line, as typed in a terminal. */
  commandLine: string;
  cwd: string;
}

export interface MigrationLayout {
  readonly kind: LayoutKind;
  readonly project: LayoutProject;
  /** The migrations in apply order, read from disk. */
  migrations(): LayoutMigration[];
  /** Which migrations the database has applied (reads the tracking table; creates nothing). */
  status(db: DbProvider): Promise<LayoutStatus>;
  /** Applies pending migrations in order (SQL layouts). Layouts driven by their own tool refuse; see `commands`. */
  migrate(db: DbProvider, opts?: ApplyOptions): Promise<{ applied: string[] }>;
  /** Runs the down scripts of the latest applied migrations, newest first, and removes their tracking rows. */
  rollback(db: DbProvider, opts?: RollbackOptions): Promise<{ rolledBack: string[] }>;
}
