// The migration engine's public surface, for the CLI and the language server: one import point.
export { MigrationEngine } from './engine';
export { forEachBounded } from './bounded';
export { sluggify } from './commands/commit';
export type {
  AppliedMigration,
  CommitResult,
  CommitStep,
  CurrentRunResult,
  EngineEvent,
  MigrateResult,
  ShadowFinding,
  StatusReport,
} from './types';
export { EngineError, type EngineErrorCode, type SqlErrorLocation } from './errors';
export { loadSettings, forTarget, makeRootDatabaseConnectionString, type EngineSettings, type LoadOptions, type TargetSpec, type DbLocation } from './settings';
export { readCurrent, type CompiledCurrent } from './current';
export { readCommitted, type CommittedMigration } from './committed';
// For graphile-migrate's `compile` and `run` (core/layouts/graphileCompile.ts).
export { placeholdersFor, substitutePlaceholders, sqlError } from './sourceText';
export { describeConnection, redactSecrets } from '../db/connection';
