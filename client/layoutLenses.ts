// CodeLens on the files of other layouts the language client does not send to the server (it syncs SQL only):
// Alembic's version files (.py) and data migrations (.ts/.js). The server computes them (`pgmig/layoutLenses`,
// core/layouts/lenses.ts); this only asks and presents. SQL files get theirs through the LSP CodeLens request.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Workflow } from './commands';

interface WireLens {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  command?: { title: string; command: string; arguments?: unknown[] };
}

export const LAYOUT_LENS_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.py' },
  { scheme: 'file', pattern: '**/*.{ts,mts,cts,js,mjs,cjs}' },
];

export class LayoutLensProvider implements vscode.CodeLensProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(private readonly client: LanguageClient, workflow: Workflow) {
    workflow.onDidChange(() => this.emitter.fire());
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.client.isRunning()) return [];
    const lenses = await this.client.sendRequest<WireLens[]>('pgmig/layoutLenses', { file: document.uri.fsPath });
    return lenses.map((l) => new vscode.CodeLens(
      new vscode.Range(l.range.start.line, l.range.start.character, l.range.end.line, l.range.end.character),
      l.command ? { title: l.command.title, command: l.command.command, arguments: l.command.arguments } : undefined,
    ));
  }
}
