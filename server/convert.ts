// Offsets <-> LSP positions, findings -> diagnostics, core edits -> WorkspaceEdit. The only place where pgmig's
// string offsets become lines and characters for the protocol.
import {
  type CodeAction,
  CodeActionKind,
  type Diagnostic,
  DiagnosticSeverity,
  type Range,
  type TextDocumentEdit,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { ruleDocUrl } from '../core/ruleDocs';
import type { Finding, Location, Severity, TextEdit } from '../core/types';
import type { Files } from './files';
import type { Snapshot } from './workspace';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export class Positions {
  constructor(
    private readonly files: Files,
    private readonly snapshot: Snapshot | undefined,
  ) {}

  /** The text a location's offsets refer to: what the analysis saw, else what is there now. */
  text(file: string): string {
    return this.snapshot?.texts.get(file) ?? this.files.read(file) ?? '';
  }

  range(loc: { file: string; start: number; end: number }): Range {
    const idx = this.files.lineIndex(loc.file, this.text(loc.file));
    return { start: idx.position(loc.start), end: idx.position(Math.max(loc.start, loc.end)) };
  }

  offset(file: string, position: { line: number; character: number }): number {
    return this.files.lineIndex(file, this.text(file)).offset(position.line, position.character);
  }

  location(loc: Location) {
    return { uri: this.files.uriOf(loc.file), range: this.range(loc) };
  }
}

export function toDiagnostic(f: Finding, positions: Positions, files: Files): Diagnostic {
  const d: Diagnostic = {
    range: positions.range(f),
    severity: SEVERITY[f.severity],
    code: f.rule,
    codeDescription: { href: ruleDocUrl(f.rule) },
    source: 'pgmig',
    message: f.message,
  };
  if (f.related.length > 0) {
    d.relatedInformation = f.related.map((r) => ({ location: { uri: files.uriOf(r.file), range: positions.range(r) }, message: r.message }));
  }
  return d;
}

/** The same diagnostic as published, to attach to code actions (clients match them by value). */
export function diagnosticKey(d: Diagnostic): string {
  return `${d.code}\0${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}\0${d.message}`;
}

export interface EditOptions {
  documentChanges: boolean;
  versionOf(file: string): number | undefined;
}

/** Core edits (possibly across files) as a WorkspaceEdit; undefined when an edited file changed since the analysis
 * (its offsets would land in the wrong place). */
export function toWorkspaceEdit(edits: TextEdit[], positions: Positions, files: Files, options: EditOptions): WorkspaceEdit | undefined {
  const byFile = new Map<string, LspTextEdit[]>();
  for (const e of edits) {
    if (positions.text(e.file) !== (files.read(e.file) ?? '')) return undefined;
    let list = byFile.get(e.file);
    if (!list) byFile.set(e.file, (list = []));
    list.push({ range: positions.range(e), newText: e.newText });
  }
  if (options.documentChanges) {
    const documentChanges: TextDocumentEdit[] = [...byFile].map(([file, list]) => ({
      textDocument: { uri: files.uriOf(file), version: options.versionOf(file) ?? null },
      edits: list,
    }));
    return { documentChanges };
  }
  const changes: Record<string, LspTextEdit[]> = {};
  for (const [file, list] of byFile) changes[files.uriOf(file)] = list;
  return { changes };
}

export function quickFix(title: string, edit: WorkspaceEdit, diagnostic: Diagnostic | undefined, preferred: boolean): CodeAction {
  const action: CodeAction = { title, kind: CodeActionKind.QuickFix, edit };
  if (diagnostic) action.diagnostics = [diagnostic];
  if (preferred) action.isPreferred = true;
  return action;
}

/** Picks edits that do not overlap, per file, in the given order (first come first served). */
export function nonOverlapping<T extends { edits: TextEdit[] }>(fixes: T[]): T[] {
  const taken = new Map<string, [number, number][]>();
  const chosen: T[] = [];
  const editKeys = new Set<string>();
  for (const fix of fixes) {
    const key = JSON.stringify(fix.edits);
    if (editKeys.has(key)) continue; // the same fix offered by two findings
    // Insertions at the same point may both go in; anything that shares text with a taken edit may not.
    const clash = fix.edits.some((e) => (taken.get(e.file) ?? []).some(([s, t]) => e.start < t && s < e.end));
    if (clash) continue;
    editKeys.add(key);
    chosen.push(fix);
    for (const e of fix.edits) {
      let list = taken.get(e.file);
      if (!list) taken.set(e.file, (list = []));
      list.push([e.start, e.end]);
    }
  }
  return chosen;
}

/**
 * The engine's diagnostics (errors of Run, watch, migrate) without those the analysis shows already at the same line:
 * a missing fixture reported by both, PostgreSQL's syntax error where pgmig's parser found it. One problem, one
 * squiggle; runtime errors (a missing column, a duplicate object) only the engine can know stay.
 */
export function engineOnly(analysis: readonly Diagnostic[], engine: readonly Diagnostic[]): Diagnostic[] {
  const firstLine = (m: Diagnostic['message']) => (typeof m === 'string' ? m : m.value).split('\n')[0].trim();
  return engine.filter(
    (e) =>
      !analysis.some(
        (a) =>
          a.severity === DiagnosticSeverity.Error &&
          a.range.start.line === e.range.start.line &&
          (firstLine(a.message) === firstLine(e.message) || (a.code === 'syntax-error' && e.code === '42601')),
      ),
  );
}
