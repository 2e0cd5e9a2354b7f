// Findings that need a database's migration status, not the files alone (applied-migration-edited,
// migration-out-of-order): the layouts' status reports them and these helpers turn them into findings on the
// migration's first line, for `pgmig status`, `pgmig lint --database` and the editor (a plain lint reads files only).
import type { Finding, RuleId } from '../types';

export function firstLineFinding(rule: RuleId, message: string, file: string, readFile: (file: string) => string | undefined): Finding {
  const text = readFile(file) ?? '';
  const eol = text.search(/\r?\n/);
  return { rule, severity: 'warning', message, file, start: 0, end: eol < 0 ? text.length : eol, fixes: [], related: [] };
}
