// The status bar item: the selected target, the pending count and the watch state (with the last watch result);
// a click opens a quick pick of the migration commands.
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-languageclient/node';
import type { Workflow } from './commands';

export class MigrationStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('pgmig.status', vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;

  constructor(private readonly workflow: Workflow) {
    this.item.name = 'pgmig migrations';
    this.item.command = 'pgmig.quickPick';
    workflow.onDidChange(() => this.schedule());
    workflow.onDidEngage(() => this.schedule());
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), 150);
  }

  async update(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.render();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async render(): Promise<void> {
    const root = await this.workflow.mainRoot().catch(() => undefined);
    if (!root) {
      this.item.hide();
      return;
    }
    const target = this.workflow.selectedTarget(root);
    const name = target || 'default';
    if (!vscode.workspace.isTrusted) {
      this.item.text = `$(database) ${name} · $(shield) untrusted`;
      this.item.tooltip = 'pgmig: database commands are disabled in an untrusted workspace';
      this.item.show();
      return;
    }
    if (!this.workflow.engaged) {
      // No database opened yet (see Workflow.engaged): the target only.
      this.item.text = `$(database) ${name}`;
      this.item.tooltip = 'pgmig: click for the migration commands (the Migrations view shows where every database stands)';
      this.item.backgroundColor = undefined;
      this.item.show();
      return;
    }
    const s = await this.workflow.status(root, target);
    if (s instanceof ResponseError || s.error) {
      const message = s instanceof ResponseError ? s.message : s.error!.message;
      this.item.text = `$(database) ${name} · $(error) ${s instanceof ResponseError || !s.reachable ? 'unreachable' : 'error'}`;
      this.item.tooltip = `pgmig: ${message}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.show();
      return;
    }
    const w = s.watch;
    const watchText = !w.on ? '' : w.state === 'error' ? ` · $(eye) $(error) ${truncate(w.message ?? 'error', 40)}` : ` · $(eye) ${w.state === 'running' ? 'watching' : 'applied'}`;
    this.item.text = `$(database) ${name} · ${s.pending} pending${watchText}`;
    this.item.tooltip = `pgmig: ${s.database}\n${s.pending} pending migration(s)\ncurrent migration: ${s.current.state}\nwatch: ${w.on ? `${w.state ?? 'on'}${w.message ? ` (${w.message})` : ''}` : 'off'}\nClick for the migration commands`;
    this.item.backgroundColor = w.on && w.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.item.dispose();
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
