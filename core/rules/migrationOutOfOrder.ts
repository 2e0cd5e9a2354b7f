// A migration whose place in the database's history differs from its place in the files: a numbered migration
// applied (or about to be applied) after a higher number, or a Drizzle journal entry older than the last applied one,
// which drizzle-kit skips for good. Like applied-migration-edited this needs the database: the layouts' status
// reports it (MigrationStatus.note) and this turns the report into findings for the editor and `pgmig status`.
import type { LayoutStatus } from '../layouts/types';
import type { Finding } from '../types';
import { firstLineFinding } from './fromStatus';

export const MIGRATION_OUT_OF_ORDER = 'migration-out-of-order' as const;

export function migrationOutOfOrderFindings(status: LayoutStatus, readFile: (file: string) => string | undefined): Finding[] {
  return status.migrations.filter((m) => m.note).map((m) => firstLineFinding(MIGRATION_OUT_OF_ORDER, m.note!, m.file, readFile));
}
