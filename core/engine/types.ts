// What the engine's commands take and return, and the events they emit while running.
export type CommitStep =
  | 'current-read'
  | 'shadow-reset'
  | 'shadow-migrated'
  | 'shadow-current-ran'
  | 'file-temp-written'
  | 'file-renamed'
  | 'main-migrated'
  | 'current-blanked';

export type EngineEvent =
  | { type: 'info'; message: string }
  | { type: 'step'; step: CommitStep }
  | { type: 'migration-applied'; filename: string; shadow: boolean; ms: number; invalidHashAllowed: boolean }
  | { type: 'waiting-for-lock'; database: string }
  /** What a long command is doing now (for a live line on a terminal; not a result). */
  | { type: 'progress'; message: string; done?: number; total?: number }
  | { type: 'action-output'; stream: 'stdout' | 'stderr'; text: string };

export interface MigrateResult {
  applied: string[];
  upToDate: boolean;
  /** Not applied, with the migrations after it: the file of a commit interrupted on another target's database. */
  heldBack?: { file: string; reason: string };
}

export interface AppliedMigration {
  filename: string;
  realFilename?: string;
  hash: string;
  date: Date;
}

export interface StatusReport {
  target?: string;
  database: string;
  applied: AppliedMigration[];
  pending: string[];
  /** Applied migrations whose file no longer matches what was applied (edited, replaced, deleted). */
  changed: { filename: string; reason: string }[];
  currentNotEmpty: boolean;
  /** The embedded database has not been created yet (status does not create it): every committed file is pending. */
  noDatabase?: boolean;
  /** A commit killed before it finished, and what the next migrate, watch or commit does about it. */
  interruptedCommit?: InterruptedCommit;
  /** graphile-migrate's bitmap: 1 = pending, 2 = current not empty. */
  exitCode: number;
}

export interface CurrentRunResult {
  ran: boolean;
  /** Skipped because the compiled text equals what last ran (graphile_migrate.current). */
  unchanged: boolean;
  ms: number;
}

export interface CommitResult {
  file: string;
  hash: string;
  downFile?: string;
}

export interface ShadowFinding {
  rule: 'shadow-error';
  severity: 'error';
  file: string;
  start: number;
  end: number;
  message: string;
  sqlstate?: string;
  fixes: never[];
  related: never[];
}

export interface InterruptedCommit {
  /** The committed file that commit was writing. */
  file: string;
  /** It is in place (complete: files are renamed into place whole). */
  written: boolean;
  /** Applied to the database (absent when the database was not read). */
  applied?: boolean;
  /** current.sql (or a fixture it includes) changed since that commit read it. */
  currentEdited: boolean;
  /** What the next migrate, watch or commit does about it. */
  next: string;
}
