// An applied migration whose file changed afterwards: the database will never run the edit. This needs the
// database (the checksum stored at apply time), so it is not an analysis rule: the layouts' status reports it
// (MigrationStatus.changed) and this turns the report into findings for the CLI and the editor.
import type { LayoutStatus } from '../layouts/types';
import type { Finding } from '../types';
import { firstLineFinding } from './fromStatus';

export const APPLIED_MIGRATION_EDITED = 'applied-migration-edited' as const;

export function appliedMigrationEditedFindings(status: LayoutStatus, readFile: (file: string) => string | undefined): Finding[] {
  return status.migrations.filter((m) => m.changed).map((m) => firstLineFinding(APPLIED_MIGRATION_EDITED, m.changed!, m.file, readFile));
}
