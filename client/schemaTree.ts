// The Schema view: the tables as the migrations leave them (committed history + current), each with its row
// level security on or off and the findings about it. From the server's latest analysis (`pgmig/schema`).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Workflow } from './commands';
import type { SchemaTable } from './engineTypes';

type Node = { kind: 'table'; table: SchemaTable } | { kind: 'finding'; finding: SchemaTable['findings'][0] };

export class SchemaTree implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly workflow: Workflow) {
    workflow.onDidChange(() => this.emitter.fire(undefined));
    // Findings change with every analysis: follow the diagnostics.
    let timer: NodeJS.Timeout | undefined;
    vscode.languages.onDidChangeDiagnostics(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => this.emitter.fire(undefined), 300);
    });
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'table') return node.table.findings.map((finding) => ({ kind: 'finding', finding }));
    if (node) return [];
    const root = await this.workflow.mainRoot().catch(() => undefined);
    if (!root || !this.workflow.client.isRunning()) return [];
    const r = await this.workflow.client.sendRequest<{ tables: SchemaTable[] }>('pgmig/schema', { root });
    return r.tables.map((table) => ({ kind: 'table', table }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'table') {
      const t = node.table;
      const item = new vscode.TreeItem(t.name, t.findings.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.description = `RLS ${t.rls ? 'on' : 'off'}${t.policies ? ` · ${t.policies} ${t.policies === 1 ? 'policy' : 'policies'}` : ''}${t.findings.length ? ` · ${t.findings.length} finding${t.findings.length > 1 ? 's' : ''}` : ''}`;
      item.iconPath = new vscode.ThemeIcon(t.rls ? 'shield' : 'table', t.findings.length ? new vscode.ThemeColor('list.warningForeground') : undefined);
      item.tooltip = `${t.name}: row level security ${t.rls ? 'enabled' : 'disabled'}\ncreated in ${path.basename(t.file)}`;
      item.command = { command: 'pgmig.openAt', title: 'Open', arguments: [t.file, t.start] };
      item.contextValue = t.rls ? 'table.rls' : 'table';
      return item;
    }
    const f = node.finding;
    const item = new vscode.TreeItem(f.message, vscode.TreeItemCollapsibleState.None);
    item.description = f.rule;
    item.iconPath = new vscode.ThemeIcon(f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info');
    item.tooltip = `${f.rule}: ${f.message}\n${f.file}`;
    item.command = { command: 'pgmig.openAt', title: 'Open', arguments: [f.file, f.start] };
    return item;
  }
}

/** Opens a file with the cursor at a string offset. */
export async function openAt(file: string, offset: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const pos = doc.positionAt(offset);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true });
}
