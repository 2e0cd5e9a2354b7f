// The migration engine: graphile-migrate's workflow (migrate, watch, commit, uncommit, status, reset) plus pgmig's
// additions (rollback, schema dump, targets, the shadow check), on real PostgreSQL or the embedded PGlite. One
// instance serves a CLI run or a long-running language server: providers start lazily and are kept until close();
// progress goes to an event callback; failures are EngineErrors. This class is a facade: each command lives in
// commands/<command>.ts as a function of the shared EngineContext (context.ts).
import type { FileSystem } from '../fileSystem';
import { commit, recoverInterruptedCommit } from './commands/commit';
import { runCurrent } from './commands/current';
import { migrate } from './commands/migrate';
import { reset } from './commands/reset';
import { rollback } from './commands/rollback';
import { schemaDump } from './commands/schema';
import { shadowCheck } from './commands/shadowCheck';
import { status } from './commands/status';
import { targetInit } from './commands/target';
import { uncommit } from './commands/uncommit';
import { watch, type WatchOptions } from './commands/watch';
import { EngineContext } from './context';
import type { CommitResult, CurrentRunResult, MigrateResult, ShadowFinding, StatusReport } from './types';


export class MigrationEngine extends EngineContext {
  /** `migrate`: applies pending committed migrations, each in its own transaction, under the advisory lock. */
  migrate(opts: { shadow?: boolean; forceActions?: boolean; signal?: AbortSignal; skipRecovery?: boolean } = {}): Promise<MigrateResult> {
    return migrate(this, opts);
  }

  status(opts: { skipDatabase?: boolean } = {}): Promise<StatusReport> {
    return status(this, opts);
  }

  /** Runs current.sql once (watch's step), skipped when its compiled text equals what last ran. */
  runCurrent(opts: { shadow?: boolean; force?: boolean; signal?: AbortSignal } = {}): Promise<CurrentRunResult> {
    return runCurrent(this, opts);
  }

  /** `watch`: migrates, then runs current.sql now and whenever it or a fixture changes, until `signal` aborts. */
  watch(opts: WatchOptions = {}): Promise<CurrentRunResult | void> {
    return watch(this, opts);
  }

  /** Finishes or undoes a commit a killed process left unfinished (see commands/commit.ts); true when it did. */
  async recoverInterruptedCommit(): Promise<boolean> {
    const r = await recoverInterruptedCommit(this);
    return !!r && r.plan !== 'blocked' && r.plan !== 'undecided';
  }

  /** `commit`: validates current on a reset shadow, then writes the committed file, applies it, blanks current. */
  commit(opts: { message?: string } = {}): Promise<CommitResult> {
    return commit(this, opts);
  }

  /** `uncommit`: the latest committed migration back into current (includes restored), its tracking row removed. */
  uncommit(): Promise<{ file: string }> {
    return uncommit(this);
  }

  /** `rollback`: runs the down scripts of the latest applied migrations, newest first. */
  rollback(opts: { to?: number; signal?: AbortSignal } = {}): Promise<{ rolledBack: string[] }> {
    return rollback(this, opts);
  }

  /** `reset --erase`: drops and recreates the database (root connection), then migrates. */
  reset(opts: { shadow?: boolean; erase: boolean }): Promise<MigrateResult> {
    return reset(this, opts);
  }

  /** `schema dump`: a deterministic schema.sql of the main database, for git. */
  schemaDump(opts: { file?: string } = {}): Promise<{ file: string; text: string; via: string }> {
    return schemaDump(this, opts);
  }

  /** `target init`: migrate a new database, persist the target's settings on it, run its seed files. */
  targetInit(): Promise<{ migrated: MigrateResult; seeds: string[] }> {
    return targetInit(this);
  }

  /** Committed history + current run on a kept shadow; runtime errors as findings with exact positions. */
  shadowCheck(opts: { currentText?: string; fileSystem?: FileSystem; signal?: AbortSignal } = {}): Promise<ShadowFinding[]> {
    return shadowCheck(this, opts);
  }
}
