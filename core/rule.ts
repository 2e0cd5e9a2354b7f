// What a rule is: one function over the analysed project that returns violations, each with its fix edits.
import type { LayoutKind } from './layouts/types';
import type { Project, PgmigConfig } from './project';
import type { SchemaModel } from './schema/model';
import type { Script } from './script';
import type { Fix, Location, Related, RuleId, Severity } from './types';

export interface RuleContext {
  project: Project | undefined;
  /** All scripts in replay order: committed (oldest first), then current; then fixtures nobody includes. */
  scripts: Script[];
  /** The schema at the end of the replay (committed, then current). */
  model: SchemaModel;
  config: PgmigConfig;
  /** Where a fix for an object in an immutable committed file is appended: the end of current.sql. */
  appendTarget: AppendTarget | undefined;
  /** The text of a file as the analysis saw it (editor buffers included). */
  readFile(file: string): string | undefined;
}

export interface AppendTarget {
  file: string;
  offset: number;
  /** What to put before appended SQL so that it starts on a fresh line after the existing text. */
  separator: string;
}

export interface Violation {
  location: Location;
  message: string;
  fixes?: Fix[];
  related?: Related[];
}

export interface Rule {
  id: RuleId;
  defaultSeverity: Severity;
  /** One line for documentation and hover. */
  summary: string;
  /** The project layouts the rule applies to (absent: every project, and files outside projects). */
  layouts?: readonly LayoutKind[];
  /** A different default severity in some layouts (the user's setting still wins). */
  severityByLayout?: Partial<Record<LayoutKind, Severity>>;
  check(ctx: RuleContext): Violation[];
}

/** The line break a file uses (its first one), so that fixes do not mix CRLF and LF. */
export function lineBreakOf(text: string): string {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/** An edit that appends SQL to current.sql (or after `after` when there is no project). */
export function appendFix(ctx: RuleContext, title: string, sql: string, after: Location | undefined, safe = true): Fix | undefined {
  const t = ctx.appendTarget;
  if (t) return { title, safe, edits: [{ file: t.file, start: t.offset, end: t.offset, newText: t.separator + sql + '\n' }] };
  if (!after) return undefined;
  return { title, safe, edits: [{ file: after.file, start: after.end, end: after.end, newText: ';\n' + sql.replace(/;$/, '') }] };
}

/** A fix placed right after the statement at `statement` when its file may change, otherwise in current.sql. */
export function fixAfterStatement(ctx: RuleContext, title: string, sql: string, statement: Location, role: Script['role']): Fix | undefined {
  if (role === 'committed') return appendFix(ctx, title, sql, undefined);
  const text = ctx.readFile(statement.file) ?? '';
  let at = statement.end;
  while (at < text.length && /\s/.test(text[at])) at++; // the semicolon may sit on a line of its own
  const hasSemicolon = text[at] === ';';
  const insertAt = hasSemicolon ? at + 1 : statement.end;
  return {
    title,
    safe: true,
    edits: [{ file: statement.file, start: insertAt, end: insertAt, newText: (hasSemicolon ? '' : ';') + lineBreakOf(text) + sql }],
  };
}
