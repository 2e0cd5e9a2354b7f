// The Migrations view: per project, one node per target (database) with its committed migrations in order
// (applied with date, pending, changed after apply, failed at the last attempt), current.sql with its state and
// the fixtures it includes. Projects of the other layouts (numbered SQL, Drizzle, Alembic) get one node with their
// migrations (applied / pending / changed; Alembic's heads and current revision) and their data migrations grouped
// by schema. The data comes from the server (`pgmig/status`, `pgmig/layoutStatus`); this only presents it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ResponseError } from 'vscode-languageclient/node';
import { relativePaths } from './codeLenses';
import type { Workflow } from './commands';
import type { LayoutProjectInfo, LayoutStatusReport, LayoutTreeItem, MigrationItem, TargetInfo, TargetStatus } from './engineTypes';

type Node =
  // `read` (targets and layout projects): the status read with the view's rows, which the node's children show too (a
  // refresh makes new nodes); without it, the children read it.
  | { kind: 'target'; root: string; target: string; info: TargetInfo; multiProject: boolean; selected: boolean; read?: Promise<TargetStatus | ResponseError> }
  | { kind: 'migration'; root: string; target: string; item: MigrationItem }
  | { kind: 'current'; root: string; target: string; status: TargetStatus }
  | { kind: 'fixture'; root: string; target: string; file: string }
  | { kind: 'message'; root: string; target: string; text: string; detail?: string; error: boolean; warning?: boolean }
  | { kind: 'action'; root: string; target: string; action: UnreachableAction }
  | { kind: 'layout'; root: string; target: string; info: LayoutProjectInfo; status?: LayoutStatusReport; read?: Promise<LayoutStatusReport | ResponseError> }
  | { kind: 'layoutMigration'; root: string; target: string; layout: string; item: LayoutTreeItem }
  | { kind: 'layoutInfo'; root: string; target: string; text: string; description: string }
  | { kind: 'dataSchema'; root: string; target: string; schema: LayoutStatusReport['dataMigrations'][number] }
  | { kind: 'dataMigration'; root: string; target: string; schema: string; item: LayoutStatusReport['dataMigrations'][number]['migrations'][number] };

const STATE_ICON: Record<MigrationItem['state'], [string, string]> = {
  applied: ['pass-filled', 'testing.iconPassed'],
  pending: ['circle-large-outline', 'disabledForeground'],
  changed: ['warning', 'list.warningForeground'],
  failed: ['error', 'list.errorForeground'],
};

/**
 * What the user can do about a database that cannot be reached: the same choices as the welcome view's buttons
 * (package.json `viewsWelcome`, `pgmig.view == unreachable`), as rows under the target when other projects share the
 * view (VS Code shows welcome content only in an empty view).
 */
type UnreachableAction = { command: string; title: string; icon: string; arguments?: unknown[] };
export const UNREACHABLE_ACTIONS: UnreachableAction[] = [
  { command: 'pgmig.useEmbedded', title: 'Use the Embedded Database', icon: 'database' },
  { command: 'pgmig.selectTarget', title: 'Select Target…', icon: 'list-selection' },
  { command: 'pgmig.setPassword', title: 'Set Database Password…', icon: 'key' },
  { command: 'pgmig.showLog', title: 'Show Log', icon: 'output' },
];

function when(iso: string | undefined): string {
  if (!iso) return '';
  return iso.slice(0, 16).replace('T', ' ');
}

export class MigrationsTree implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  view: vscode.TreeView<Node> | undefined;

  /** The view shows "starting" (the server did not run when it was last read): the server's start reads it again. */
  private showingStarting = false;

  constructor(private readonly workflow: Workflow) {
    workflow.onDidChange((reason) => {
      // The server's first start: news only to a view that showed "starting" (roots() waits for the start).
      if (reason === 'serverStarted' && !this.showingStarting) return;
      this.emitter.fire(undefined);
    });
  }

  private async setContext(key: string, value: unknown): Promise<void> {
    await vscode.commands.executeCommand('setContext', key, value);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return this.roots();
    if (node.kind === 'target') return this.targetChildren(node);
    if (node.kind === 'current') return node.status.current.fixtures.map((file) => ({ kind: 'fixture', root: node.root, target: node.target, file }));
    if (node.kind === 'layout') return this.layoutChildren(node);
    if (node.kind === 'dataSchema') return node.schema.migrations.map((item) => ({ kind: 'dataMigration', root: node.root, target: node.target, schema: node.schema.schema, item }));
    return [];
  }

  private async roots(): Promise<Node[]> {
    if (!vscode.workspace.isTrusted) {
      await this.setContext('pgmig.view', 'untrusted');
      return [];
    }
    // The view opened with the window, while the server starts (~0.1 s): wait for it, rather than show "starting"
    // and be asked again once it runs (VS Code takes a few hundred ms more to ask: bench/firstView.mjs).
    this.showingStarting = false;
    if (!(await this.workflow.whenServerStarted(2_000))) {
      // Still starting (or restarting): not "no project" yet. The tree refreshes when it runs.
      this.showingStarting = true;
      await this.setContext('pgmig.view', 'starting');
      this.setHeader(undefined);
      return [];
    }
    let roots: string[];
    let layouts: LayoutProjectInfo[];
    try {
      ({ roots, layouts } = await this.workflow.projects());
    } catch {
      roots = [];
      layouts = [];
    }
    const layoutNodes = layouts.map((info): Extract<Node, { kind: 'layout' }> => {
      const target = this.workflow.selectedTarget(info.root);
      return { kind: 'layout', root: info.root, target, info, read: this.workflow.layoutStatus(info.root, target) };
    });
    // The rows say which database and how many are pending (or that there is no database yet). Each is read with the
    // rest but waited for by no other row (a slow database holds up only its own project): the row is drawn again
    // when its status arrives; its children take the same answer.
    for (const node of layoutNodes) {
      void node.read!.then((s) => {
        if (s instanceof ResponseError) return;
        node.status = s;
        this.emitter.fire(node);
      });
    }
    if (!roots.length && layoutNodes.length) {
      await this.setContext('pgmig.view', 'ready');
      this.setHeader(undefined);
      return layoutNodes;
    }
    if (!roots.length) {
      await this.setContext('pgmig.view', 'noProject');
      this.setHeader(undefined);
      return [];
    }
    const nodes: Node[] = [];
    let reachable = 0;
    let firstError: string | undefined;
    // Each project's targets and selected database's status, read in parallel (one busy database, e.g. while watch
    // runs, should not hold up the whole view), then listed in order.
    const perRoot = await Promise.all(
      roots.map(async (root) => {
        const selected = this.workflow.selectedTarget(root);
        try {
          const [targets, status] = await Promise.all([this.workflow.targets(root), this.workflow.status(root, selected)]);
          return { root, selected, targets, status };
        } catch (e) {
          return { root, selected, error: (e as Error).message };
        }
      }),
    );
    for (const r of perRoot) {
      const { root, selected } = r;
      if (!('targets' in r) || !r.targets) {
        // The project's settings cannot be read (a .gmrc error, an !ENV variable not set): say so, and offer the file.
        nodes.push({ kind: 'message', root, target: '', text: `${path.basename(root)}: ${r.error}`, error: true });
        // The settings file the project has (.gmrc.js when there is no .gmrc), never one that does not exist.
        const settingsFile = ['.gmrc', '.gmrc.js', '.gmrc.cjs', 'pgmig.json'].find((f) => fs.existsSync(path.join(root, f))) ?? '.gmrc';
        const uri = vscode.Uri.file(path.join(root, settingsFile));
        nodes.push({ kind: 'action', root, target: '', action: { command: 'vscode.open', title: `Open ${settingsFile}`, icon: 'go-to-file', arguments: [uri] } });
        nodes.push({ kind: 'action', root, target: '', action: UNREACHABLE_ACTIONS[UNREACHABLE_ACTIONS.length - 1] });
        reachable++; // not a database to reach: the view shows this project's problem rather than the welcome
        continue;
      }
      const targets = r.targets;
      if (!targets.some((t) => t.name === selected)) targets.push({ name: selected, label: selected, description: 'not configured', protected: false });
      const status = r.status;
      // VS Code asks for the selected (expanded) target's children right after: they take this read.
      for (const info of targets) nodes.push({ kind: 'target', root, target: info.name, info, multiProject: roots.length > 1, selected: info.name === selected, read: info.name === selected ? Promise.resolve(status) : undefined });
      const unreachable = status instanceof ResponseError ? status.message : status.reachable ? undefined : status.error?.message;
      if (unreachable) firstError ??= unreachable;
      else reachable++;
    }
    // Nothing to show but databases that cannot be reached: an empty view, so that VS Code renders the welcome
    // content with its buttons (it does so only while `view.message` is empty). The reason goes in the view's
    // header. Otherwise the unreachable targets carry the same choices as rows (targetChildren) and every other
    // project stays visible.
    if (firstError !== undefined && !reachable && !layoutNodes.length) {
      await this.setContext('pgmig.unreachable', unreachableReason(firstError));
      await this.setContext('pgmig.view', 'unreachable');
      this.setHeader(firstError);
      return [];
    }
    await this.setContext('pgmig.view', 'ready');
    this.setHeader(undefined);
    return [...nodes, ...layoutNodes];
  }

  /** The view's header: the reason the database cannot be reached (short; the full text is in the log). */
  private setHeader(error: string | undefined): void {
    if (!this.view) return;
    this.view.message = undefined;
    // "cannot connect to postgres://…: connection refused" -> "connection refused": the URL is in the tooltip rows and log.
    this.view.description = error === undefined ? undefined : `unreachable: ${shortError(error.replace(/^cannot connect to \S+: /, ''))}`;
  }

  private async layoutChildren(node: Extract<Node, { kind: 'layout' }>): Promise<Node[]> {
    const { root, target } = node;
    const s = await (node.read ??= this.workflow.layoutStatus(root, target));
    if (s instanceof ResponseError) return [{ kind: 'message', root, target, text: s.message, error: true }];
    node.status = s;
    const out: Node[] = [];
    if (s.error) out.push({ kind: 'message', root, target, text: s.error.message, error: true });
    if (s.kind === 'alembic') {
      const show = (list: string[] | undefined) => (list && list.length ? list.join(', ') : '(none)');
      out.push({ kind: 'layoutInfo', root, target, text: 'heads', description: show(s.heads) });
      if (s.reachable) out.push({ kind: 'layoutInfo', root, target, text: 'current revision', description: show(s.current) });
    }
    for (const item of s.migrations) out.push({ kind: 'layoutMigration', root, target, layout: s.kind, item });
    for (const id of s.unknownApplied) out.push({ kind: 'message', root, target, text: `applied, but no file: ${id}`, error: true });
    for (const schema of s.dataMigrations) out.push({ kind: 'dataSchema', root, target, schema });
    return out;
  }

  private async targetChildren(node: Extract<Node, { kind: 'target' }>): Promise<Node[]> {
    const { root, target } = node;
    const s = await (node.read ??= this.workflow.status(root, target));
    if (s instanceof ResponseError) return [{ kind: 'message', root, target, text: s.message, error: true }, ...UNREACHABLE_ACTIONS.map((action): Node => ({ kind: 'action', root, target, action }))];
    const out: Node[] = [];
    if (s.error) out.push({ kind: 'message', root, target, text: s.error.message, error: true });
    if (!s.reachable) for (const action of UNREACHABLE_ACTIONS) out.push({ kind: 'action', root, target, action });
    if (s.interruptedCommit) {
      const text = `interrupted commit of ${s.interruptedCommit.file}: ${s.interruptedCommit.next}`;
      out.push({ kind: 'message', root, target, text, error: false, warning: true });
    }
    for (const item of s.migrations) out.push({ kind: 'migration', root, target, item });
    if (s.current.files.length || s.current.state === 'error') out.push({ kind: 'current', root, target, status: s });
    return out;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'target': {
        const label = `${node.multiProject ? `${path.basename(node.root)} · ` : ''}${node.info.label}`;
        const t = new vscode.TreeItem(label, node.selected ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        const s = this.workflow.statuses.get(`${node.root}\0${node.target}`);
        // "no database yet" first: the row is narrow, and it is what the user needs to know before the database's name.
        t.description = `${s?.noDatabase && !s.error ? `no database yet: ${s.pending} pending · ` : ''}${s?.error?.code === 'config' ? 'settings error' : node.info.description}${node.selected ? ' · selected' : ''}${s && !s.error && !s.noDatabase ? ` · ${s.pending} pending` : ''}${s && !s.reachable ? ' · unreachable' : ''}${s?.watch.on ? ' · watching' : ''}${s?.interruptedCommit ? ' · interrupted commit' : ''}`;
        t.iconPath = new vscode.ThemeIcon(node.info.protected ? 'lock' : 'database');
        t.contextValue = node.selected ? 'target.selected' : 'target';
        t.tooltip = `${node.root}\n${node.info.description}${s?.noDatabase ? '\nno database yet: the first command that writes (Migrate, Run, Watch) creates it' : ''}${node.info.protected ? '\nprotected: Reset Database is refused' : ''}`;
        t.id = `target:${node.root}:${node.target}`;
        return t;
      }
      case 'migration': {
        const m = node.item;
        const t = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
        const stateText = m.state === 'applied' ? `applied ${when(m.appliedAt)}` : m.state === 'changed' ? 'changed after apply' : m.state === 'failed' ? 'failed at the last attempt' : 'pending';
        t.description = stateText;
        const [icon, color] = STATE_ICON[m.state];
        t.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**${m.name}** — ${stateText}\n\n`);
        if (m.message) md.appendMarkdown(`Message: ${m.message}\n\n`);
        md.appendMarkdown(`Hash: \`${m.hash}\`\n\nPrevious: \`${m.previousHash ?? '-'}\`\n\n`);
        if (m.appliedAt) md.appendMarkdown(`Applied: ${new Date(m.appliedAt).toLocaleString()}\n\n`);
        if (m.reason) md.appendMarkdown(`${m.state === 'failed' ? 'Error' : 'Why'}: ${m.reason}\n\n`);
        md.appendMarkdown(m.downFile ? `Down script: ${path.basename(m.downFile)}` : 'No down script');
        t.tooltip = md;
        t.resourceUri = vscode.Uri.file(m.file);
        t.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(m.file)] };
        t.contextValue = `migration.${m.state}${m.canRollback ? '.rollback' : ''}`;
        t.id = `migration:${node.root}:${node.target}:${m.name}`;
        return t;
      }
      case 'current': {
        const c = node.status.current;
        const file = c.files[0];
        const label = file ? (path.basename(path.dirname(file)) === 'current' ? 'current/' : path.basename(file)) : 'current.sql';
        const t = new vscode.TreeItem(label, c.fixtures.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        const stateText = c.state === 'applied' ? 'applied by watch' : c.state;
        t.description = `${stateText}${node.status.watch.on ? ' · watch on' : ''}`;
        t.tooltip = `${file ?? ''}\n${stateText}${c.message ? `: ${c.message}` : ''}`;
        t.iconPath = new vscode.ThemeIcon(
          c.state === 'error' ? 'error' : c.state === 'applied' ? 'sync' : c.state === 'dirty' ? 'edit' : 'circle-slash',
          c.state === 'error' ? new vscode.ThemeColor('list.errorForeground') : undefined,
        );
        if (file) t.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(file)] };
        t.contextValue = `current.${c.state}`;
        t.id = `current:${node.root}:${node.target}`;
        return t;
      }
      case 'fixture': {
        const t = new vscode.TreeItem(path.basename(node.file), vscode.TreeItemCollapsibleState.None);
        t.description = path.relative(path.join(node.root, 'migrations', 'fixtures'), path.dirname(node.file)) || undefined;
        t.resourceUri = vscode.Uri.file(node.file);
        t.iconPath = new vscode.ThemeIcon('file-symlink-file');
        t.tooltip = node.file;
        t.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(node.file)] };
        t.contextValue = 'fixture';
        t.id = `fixture:${node.root}:${node.target}:${node.file}`;
        return t;
      }
      case 'layout': {
        const t = new vscode.TreeItem(`${path.basename(node.root)} · ${node.info.kind}`, vscode.TreeItemCollapsibleState.Expanded);
        const s = node.status;
        // As the graphile rows: "no database yet" first (what the user needs to know), then the database.
        // An error (unreachable, or which database alembic uses cannot be told) is the first child row: not repeated here.
        t.description = !s ? undefined : s.error ? s.database : `${s.noDatabase ? `no database yet: ${s.pending} pending · ${s.database}` : `${s.database} · ${s.pending} pending`}`;
        t.iconPath = new vscode.ThemeIcon('database');
        t.tooltip = `${node.root}${s ? `\n${s.database}` : ''}${s?.noDatabase ? '\nno database yet: the first command that writes (Migrate, Apply) creates it' : ''}`;
        t.contextValue = `layout.${node.info.kind}`;
        t.id = `layout:${node.root}`;
        return t;
      }
      case 'layoutMigration': {
        const m = node.item;
        const t = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
        const marks = [m.head ? 'head' : '', m.current ? 'current' : ''].filter(Boolean).join(', ');
        const stateText = m.state === 'applied' ? `applied${m.appliedAt ? ` ${when(m.appliedAt)}` : ''}` : m.state === 'changed' ? 'changed after apply' : 'pending';
        // A note (out-of-order application, a Drizzle entry drizzle-kit skips) is a warning about the row: a warning
        // icon, the note in the description (the tree cuts it to the row's width) and in the tooltip.
        t.description = `${stateText}${marks ? ` · ${marks}` : ''}${m.note ? ` · ${m.note}` : ''}`;
        const [icon, color] = m.note && m.state !== 'changed' ? ['warning', 'list.warningForeground'] : STATE_ICON[m.state];
        t.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**${m.name}** (${m.id}) — ${stateText}\n\n`);
        if (m.note) md.appendMarkdown(`$(warning) ${m.note}\n\n`);
        if (m.parents) md.appendMarkdown(`Follows: ${m.parents.length ? m.parents.join(', ') : '(base)'}\n\n`);
        if (m.reason) md.appendMarkdown(`Why: ${m.reason}\n\n`);
        if (node.layout !== 'alembic') md.appendMarkdown(m.downFile ? `Down script: ${path.basename(m.downFile)}` : 'No down script');
        t.tooltip = md;
        t.resourceUri = vscode.Uri.file(m.file);
        t.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(m.file)] };
        t.contextValue = `layoutMigration.${m.state}${m.canRollback ? '.rollback' : ''}`;
        t.id = `layoutMigration:${node.root}:${node.target}:${m.id}`;
        return t;
      }
      case 'layoutInfo': {
        const t = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        t.description = node.description;
        t.iconPath = new vscode.ThemeIcon(node.text === 'heads' ? 'git-branch' : 'target');
        t.id = `layoutInfo:${node.root}:${node.text}`;
        return t;
      }
      case 'dataSchema': {
        const pending = node.schema.migrations.filter((m) => m.state === 'pending').length;
        const t = new vscode.TreeItem(`data migrations · ${node.schema.schema}`, vscode.TreeItemCollapsibleState.Collapsed);
        t.description = `${node.schema.migrations.length - pending} applied, ${pending} pending`;
        t.iconPath = new vscode.ThemeIcon('symbol-namespace');
        const run = node.schema.commands[0];
        if (run) t.tooltip = `${run.title}: ${run.commandLine}`;
        t.contextValue = 'dataSchema';
        t.id = `dataSchema:${node.root}:${node.schema.schema}`;
        return t;
      }
      case 'dataMigration': {
        const m = node.item;
        const t = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
        t.description = m.state === 'applied' ? `applied ${when(m.appliedAt)}` : 'pending';
        const [icon, color] = STATE_ICON[m.state];
        t.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        t.resourceUri = vscode.Uri.file(m.file);
        t.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(m.file)] };
        t.contextValue = `dataMigration.${m.state}`;
        t.id = `dataMigration:${node.root}:${node.schema}:${m.name}`;
        return t;
      }
      case 'action': {
        const t = new vscode.TreeItem(node.action.title, vscode.TreeItemCollapsibleState.None);
        t.iconPath = new vscode.ThemeIcon(node.action.icon);
        t.command = { command: node.action.command, title: node.action.title, arguments: node.action.arguments ?? [{ root: node.root, target: node.target }] };
        t.contextValue = 'action';
        t.id = `action:${node.root}:${node.target}:${node.action.command}`;
        return t;
      }
      case 'message': {
        const t = new vscode.TreeItem(shortError(relativePaths(node.text, node.root)), vscode.TreeItemCollapsibleState.None);
        t.iconPath = new vscode.ThemeIcon(node.error ? 'error' : node.warning ? 'warning' : 'info');
        t.tooltip = node.text;
        t.command = { command: 'pgmig.showLog', title: 'Show Log' };
        return t;
      }
    }
  }
}

/** An error for one row: its first line, at most 120 characters (the tooltip has it all). */
export function shortError(message: string): string {
  const line = message.split('\n')[0].trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/**
 * Why a database cannot be reached, as the welcome view's first sentence picks it (package.json `viewsWelcome`,
 * `pgmig.unreachable == ...`): a password, no server at the address, a database that does not exist, a network error.
 */
export function unreachableReason(message: string): 'password' | 'refused' | 'missing' | 'network' | 'other' {
  if (/password/i.test(message)) return 'password';
  if (/connection refused|ECONNREFUSED/i.test(message)) return 'refused';
  if (/database "[^"]*" does not exist/i.test(message)) return 'missing';
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|timed? ?out|EHOSTUNREACH|ENETUNREACH/i.test(message)) return 'network';
  return 'other';
}
