// The `Migrate:` commands of the palette, the tree's context menu and the CodeLens. Every database operation is a
// `pgmig.engine.*` command run by the language server (server/engineHost.ts); this module only asks the user
// what is needed (a message, a confirmation, a password), shows progress with cancel where it is safe, and turns
// a failure into one notification with "Show details".
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  type LanguageClient,
  ResponseError,
  State,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressReport,
} from 'vscode-languageclient/node';
import { EMBEDDED_TARGET, type EngineArgs, type LayoutProjectInfo, type LayoutStatusReport, type TargetInfo, type TargetStatus } from './engineTypes';
import { relativePaths } from './codeLenses';
import type { DatabasePasswords } from './secrets';

/** What a command does, for its progress notification ("pgmig: Applying pending migrations") and its failure. */
const TITLES: Record<string, string> = {
  migrate: 'Apply pending migrations',
  rollback: 'Roll back',
  commit: 'Commit current.sql',
  uncommit: 'Uncommit the latest migration',
  runCurrent: 'Run current.sql',
  watchStart: 'Start watch',
  watchStop: 'Stop watch',
  reset: 'Reset database',
  initTarget: 'Initialize the target database',
  dumpSchema: 'Dump the schema',
  status: 'Read the status',
  layoutMigrate: 'Apply',
  layoutRollback: 'Roll back',
  layoutStatus: 'Read the status',
  runInTerminal: 'Run in a terminal',
  init: 'Initialize the project',
};
/** What a command says when it is done (a notification; failures have their own). */
const DONE: Record<string, (r: any, args: EngineArgs) => string | undefined> = {
  migrate: (r: { applied: string[]; heldBack?: { file: string; reason: string } }) =>
    `${r.applied.length ? `applied ${names(r.applied)}` : r.heldBack ? 'nothing applied' : 'the database is up to date: nothing to apply'}${r.heldBack ? `; ${r.heldBack.file} not applied: ${r.heldBack.reason}` : ''}`,
  layoutMigrate: (r: { applied: string[] }) => (r.applied.length ? `applied ${names(r.applied)}` : 'the database is up to date: nothing to apply'),
  rollback: (r: { rolledBack: string[] }) => (r.rolledBack.length ? `rolled back ${names(r.rolledBack)}` : 'nothing to roll back'),
  layoutRollback: (r: { rolledBack: string[] }) => (r.rolledBack.length ? `rolled back ${names(r.rolledBack)}` : 'nothing to roll back'),
  reset: (r: { applied: string[] }) => `database reset: ${r.applied.length} committed migration${r.applied.length === 1 ? '' : 's'} applied again`,
};

function names(files: string[]): string {
  const base = files.map((f) => f.split(/[\\/]/).pop() ?? f);
  return base.length > 4 ? `${base.slice(0, 3).join(', ')} and ${base.length - 3} more` : base.join(', ');
}

/** Stopping these between two migrations leaves the database consistent (each migration is its own transaction). */
const CANCELLABLE = new Set(['migrate', 'rollback', 'runCurrent', 'layoutMigrate', 'layoutRollback']);
const QUIET = new Set(['status', 'targets', 'selectTarget', 'watchStart', 'watchStop', 'layoutStatus']);

export interface EngineFailure {
  command: string;
  message: string;
  code?: string;
  location?: { file: string; line: number; column: number };
}

/** Why the workflow's state changed, when a listener may care (undefined: anything). */
export type ChangeReason = 'serverStarted';

/** The migration workflow's state shared by the trees, the status bar and the commands. */
export class Workflow {
  private readonly changedEmitter = new vscode.EventEmitter<ChangeReason | undefined>();
  /**
   * Fires after every engine command and whenever the server says a database changed (watch runs); once with
   * 'serverStarted' when the language server first runs (a view that showed "starting" reads again).
   */
  readonly onDidChange = this.changedEmitter.event;
  private readonly engagedEmitter = new vscode.EventEmitter<void>();
  /** Fires once, when `engaged` is first set by a status read (the status bar shows the database's state from then on). */
  readonly onDidEngage = this.engagedEmitter.event;
  /** The last failure (tests and the status bar read it). */
  lastFailure: EngineFailure | undefined;
  /** The last "done" notification (tests read it). */
  lastDone: string | undefined;
  /**
   * Set once the user shows interest in the databases (the Migrations view opened, a command run): before that
   * nothing opens a database, so a workspace that only wants the analysis never starts the embedded one.
   */
  engaged = false;
  /** The latest status per `${root}\0${target}`, as the trees fetched it. */
  readonly statuses = new Map<string, TargetStatus>();
  private rootsCache: string[] | undefined;

  constructor(
    readonly client: LanguageClient,
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    readonly passwords: DatabasePasswords,
  ) {}

  fireChanged(reason?: ChangeReason): void {
    this.rootsCache = undefined;
    this.changedEmitter.fire(reason);
  }

  /**
   * Resolves true once the language server runs, false when it is not starting (stopped, failed) or has not started
   * within `timeoutMs`.
   */
  whenServerStarted(timeoutMs: number): Promise<boolean> {
    if (this.client.isRunning()) return Promise.resolve(true);
    if (this.client.state !== State.Starting) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (started: boolean) => {
        clearTimeout(timer);
        listener.dispose();
        resolve(started);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const listener = this.client.onDidChangeState((e) => {
        if (e.newState !== State.Starting) done(e.newState === State.Running);
      });
    });
  }

  async roots(): Promise<string[]> {
    return (await this.projects()).roots;
  }

  /** Projects of the other layouts (numbered SQL, Drizzle, Alembic), shortest root first. */
  async layoutProjects(): Promise<LayoutProjectInfo[]> {
    return (await this.projects()).layouts;
  }

  /** The graphile-migrate projects' roots and the other layouts' projects, shortest root first: one request. */
  async projects(): Promise<{ roots: string[]; layouts: LayoutProjectInfo[] }> {
    if (!this.client.isRunning()) return { roots: [], layouts: [] };
    const r = await this.client.sendRequest<{ roots: string[]; layouts?: LayoutProjectInfo[] }>('pgmig/projects');
    this.rootsCache = [...r.roots].sort((a, b) => a.length - b.length);
    this.setHasProject(this.rootsCache.length > 0);
    return { roots: this.rootsCache, layouts: [...(r.layouts ?? [])].sort((a, b) => a.root.length - b.root.length) };
  }

  /** The tree's data for a project of another layout (the server reads its tracking table). */
  async layoutStatus(root: string, target: string): Promise<LayoutStatusReport | ResponseError> {
    this.engaged = true;
    try {
      const password = await this.passwordFor(root, target);
      return await this.client.sendRequest<LayoutStatusReport>('pgmig/layoutStatus', { root, target, password });
    } catch (e) {
      return e instanceof ResponseError ? e : new ResponseError(1, String((e as Error)?.message ?? e));
    }
  }

  /**
   * Runs a project's own tool (Alembic, data-migration scripts) in a VS Code terminal: the command line as the
   * server built it, in its folder. The tree and the CodeLens refresh when the terminal closes, and shortly after.
   */
  runInTerminal(command: { title?: string; commandLine: string; cwd: string }): vscode.Terminal | undefined {
    if (!vscode.workspace.isTrusted) {
      this.fail('runInTerminal', 'database commands are disabled in an untrusted workspace (trust the workspace to enable them)');
      return undefined;
    }
    const terminal = vscode.window.createTerminal({ name: `pgmig: ${command.title ?? command.commandLine}`, cwd: command.cwd });
    terminal.show(true);
    terminal.sendText(command.commandLine);
    this.log.info(`terminal (${command.cwd}): ${command.commandLine}`);
    const closed = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      closed.dispose();
      this.fireChanged();
    });
    setTimeout(() => this.fireChanged(), 3_000);
    return terminal;
  }

  /** The project commands act on: the shortest root (the workspace's own project). */
  async mainRoot(): Promise<string | undefined> {
    return (this.rootsCache ?? (await this.roots()))[0];
  }

  selectedTarget(root: string): string {
    return this.context.workspaceState.get<string>(`pgmig.target:${root}`, '');
  }

  async selectTarget(root: string, target: string): Promise<void> {
    await this.context.workspaceState.update(`pgmig.target:${root}`, target);
    await this.client.sendRequest(ExecuteCommandRequest.type, { command: 'pgmig.engine.selectTarget', arguments: [{ root, target }] });
    this.fireChanged();
  }

  async targets(root: string): Promise<TargetInfo[]> {
    const r = (await this.client.sendRequest(ExecuteCommandRequest.type, { command: 'pgmig.engine.targets', arguments: [{ root }] })) as { targets: TargetInfo[] };
    return r.targets;
  }

  async status(root: string, target: string): Promise<TargetStatus | ResponseError> {
    if (!this.engaged) {
      this.engaged = true;
      // The status bar shows the database's state from now on. Not a refresh of the trees: the view reading this
      // status would read every project's again (and VS Code would show the rows only after that second read).
      setTimeout(() => this.engagedEmitter.fire(), 0);
    }
    try {
      const password = await this.passwordFor(root, target);
      const s = await this.client.sendRequest<TargetStatus>('pgmig/status', { root, target, password });
      this.statuses.set(`${root}\0${target}`, s);
      void this.updateWatchContext();
      return s;
    } catch (e) {
      return e instanceof ResponseError ? e : new ResponseError(1, String((e as Error)?.message ?? e));
    }
  }

  /** `pgmig.watching`: watch runs on the main project's selected target (the view menu offers Stop, else Start). */
  private async updateWatchContext(): Promise<void> {
    const root = await this.mainRoot().catch(() => undefined);
    if (!root) return;
    const on = this.statuses.get(`${root}\0${this.selectedTarget(root)}`)?.watch.on === true;
    if (on === this.watching) return;
    this.watching = on;
    await vscode.commands.executeCommand('setContext', 'pgmig.watching', on);
  }

  private watching: boolean | undefined;
  /** Watch runs on the main project's selected target (as last read). */
  get isWatching(): boolean {
    return this.watching === true;
  }
  private hasProject: boolean | undefined;

  /** `pgmig.hasProject`: a graphile-migrate project is open; the commands that need one are enabled only then. */
  private setHasProject(has: boolean): void {
    if (has === this.hasProject) return;
    this.hasProject = has;
    void vscode.commands.executeCommand('setContext', 'pgmig.hasProject', has);
  }

  /**
   * The password to send with a request: none while `pgmig.trace.server` is `verbose`, because the trace logs every
   * request's parameters and a password must never reach a log.
   */
  private async passwordFor(root: string, target: string): Promise<string | undefined> {
    const password = await this.passwords.get(root, target);
    if (password && vscode.workspace.getConfiguration('pgmig').get('trace.server') === 'verbose') {
      this.log.warn('the stored database password is not sent while pgmig.trace.server is "verbose" (the trace would log it)');
      return undefined;
    }
    return password;
  }

  /** Fills in the project and the selected target. */
  private async complete(args: EngineArgs): Promise<EngineArgs & { root: string; target: string }> {
    const root = args.root ?? (await this.mainRoot());
    if (!root) throw new Error('no migrations project in this workspace (a folder with .gmrc or migrations/)');
    return { ...args, root, target: args.target ?? this.selectedTarget(root) };
  }

  /**
   * Runs `pgmig.engine.<name>` on the server with progress; returns its result, or undefined after showing the
   * failure. A failed password login asks for the password once, keeps it in SecretStorage and tries again.
   */
  async run<T = unknown>(name: string, rawArgs: EngineArgs = {}, opts: { quiet?: boolean } = {}): Promise<T | undefined> {
    this.engaged = true;
    if (!vscode.workspace.isTrusted) {
      this.fail(name, 'database commands are disabled in an untrusted workspace (trust the workspace to enable them)');
      return undefined;
    }
    let args: EngineArgs & { root: string; target: string };
    try {
      args = await this.complete(rawArgs);
    } catch (e) {
      this.fail(name, (e as Error).message);
      return undefined;
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      const password = await this.passwordFor(args.root, args.target);
      try {
        const result = await this.send<T>(name, { ...args, password }, opts.quiet || QUIET.has(name));
        this.lastFailure = undefined;
        const done = result && DONE[name]?.(result, args);
        if (done) {
          this.lastDone = `pgmig: ${done}`;
          void vscode.window.showInformationMessage(this.lastDone);
        }
        return result;
      } catch (e) {
        if (e instanceof vscode.CancellationError || (e instanceof ResponseError && e.code === -32800)) {
          this.log.info(`${name}: cancelled`);
          return undefined;
        }
        const data = e instanceof ResponseError ? (e.data as { code?: string; location?: EngineFailure['location'] } | undefined) : undefined;
        const message = e instanceof Error ? e.message : String(e);
        if (attempt === 0 && data?.code === 'connect' && /password/i.test(message)) {
          const typed = await vscode.window.showInputBox({
            title: `Password for ${args.target || 'the default database'}`,
            prompt: `${message}. Type the password (kept in VS Code's secret storage).`,
            password: true,
            ignoreFocusOut: true,
          });
          if (typed) {
            await this.passwords.store(args.root, args.target, typed);
            continue;
          }
        }
        this.fail(name, message, data, args.root);
        return undefined;
      } finally {
        this.fireChanged();
      }
    }
    return undefined;
  }

  private async send<T>(name: string, args: EngineArgs, quiet: boolean): Promise<T> {
    const command = `pgmig.engine.${name}`;
    if (quiet) return (await this.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] })) as T;
    const title = `pgmig: ${TITLES[name] ?? name}`;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: CANCELLABLE.has(name) },
      async (progress, token) => {
        const workDoneToken = `pgmig-${name}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const listener = this.client.onProgress(WorkDoneProgress.type, workDoneToken, (p) => {
          const message = (p as WorkDoneProgressBegin | WorkDoneProgressReport).message;
          if (message) progress.report({ message });
        });
        try {
          return (await this.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args], workDoneToken }, token)) as T;
        } finally {
          listener.dispose();
        }
      },
    );
  }

  private fail(command: string, message: string, data?: { code?: string; location?: EngineFailure['location'] }, root?: string): void {
    this.lastFailure = { command, message, code: data?.code, location: data?.location };
    this.log.error(`${command}: ${message}`);
    const actions = data?.location ? ['Go to Error', 'Show details'] : ['Show details'];
    // Paths relative to the project in the notification (the log keeps them whole).
    const shown = root ? relativePaths(message, root) : message;
    void vscode.window.showErrorMessage(`pgmig: ${TITLES[command] ?? command} failed: ${shown}`, ...actions).then((choice) => {
      if (choice === 'Show details') this.log.show(true);
      if (choice === 'Go to Error' && data?.location) {
        const pos = new vscode.Position(data.location.line - 1, data.location.column - 1);
        void vscode.window.showTextDocument(vscode.Uri.file(data.location.file), { selection: new vscode.Range(pos, pos) });
      }
    });
  }
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** The down script graphile-migrate's layout expects beside a committed file: `000003-name.sql` -> `000003-name.down.sql`. */
export function downScriptPath(file: string): string {
  return file.replace(/\.sql$/, '.down.sql');
}

/** Writes an almost empty down script for a committed migration (never over an existing one) and opens it. */
async function createDownScript(item: { name: string; file: string }): Promise<vscode.Uri> {
  const uri = vscode.Uri.file(downScriptPath(item.file));
  let exists = true;
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    exists = false;
  }
  if (!exists) {
    const text = `-- Down script of ${item.name}: undo what it does, newest change first.\n-- Migrate: Rollback runs it and then forgets that ${item.name} was applied.\n\n`;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  }
  const editor = await vscode.window.showTextDocument(uri, { preview: false });
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(end, end);
  return uri;
}

/**
 * Migrations without a down script cannot be rolled back: says which, and offers to create the scripts (the first
 * one opens in the editor). Returns the created file, or undefined.
 */
async function offerDownScripts(missing: { name: string; file: string }[]): Promise<vscode.Uri | undefined> {
  const list = missing.map((m) => m.name).join(', ');
  const choice = await vscode.window.showWarningMessage(
    `${list} ${missing.length === 1 ? 'has' : 'have'} no down script, so ${missing.length === 1 ? 'it' : 'they'} cannot be rolled back. Write ${missing.length === 1 ? baseName(downScriptPath(missing[0].file)) : 'the down scripts'} first.`,
    'Create Down Script',
  );
  if (choice !== 'Create Down Script') return undefined;
  let first: vscode.Uri | undefined;
  for (const m of missing) {
    const uri = await createDownScript(m);
    first ??= uri;
  }
  return first;
}

/** Tree items the context-menu commands receive. */
export interface MigrationNodeLike {
  root: string;
  target: string;
  item?: { name: string; file: string; number: number; hash: string; downFile?: string };
}

/**
 * A project's name in a list: its folder relative to the workspace folder, or the workspace folder's own name when
 * the project is the folder itself (asRelativePath returns the absolute path then).
 */
export function projectLabel(root: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root));
  if (!folder) return baseName(root);
  const relative = vscode.workspace.asRelativePath(vscode.Uri.file(root), false);
  return relative && relative !== root && !relative.startsWith('/') ? relative : folder.name;
}

/** A project to select a target for: graphile-migrate projects and those of the other layouts (numbered, Drizzle, Alembic). */
async function pickRoot(workflow: Workflow): Promise<string | undefined> {
  const roots = [...(await workflow.roots()), ...(await workflow.layoutProjects()).map((l) => l.root)];
  if (roots.length <= 1) return roots[0];
  const pick = await vscode.window.showQuickPick(
    roots.map((r) => ({ label: projectLabel(r), description: r, root: r })),
    { title: 'Which migrations project?' },
  );
  return pick?.root;
}

export function registerCommands(context: vscode.ExtensionContext, workflow: Workflow): void {
  const register = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  // Alembic and data-migration lenses and tree commands: the project's own tool, in a terminal.
  register('pgmig.runInTerminal', (command: { title?: string; commandLine: string; cwd: string }) => workflow.runInTerminal(command));
  register('pgmig.commit', async (arg?: { message?: string }) => {
    let message = arg?.message;
    if (message === undefined) {
      message = await vscode.window.showInputBox({ title: 'pgmig: Commit current.sql', prompt: 'Commit message (optional; names the file)', placeHolder: 'add tags' });
      if (message === undefined) return undefined;
    }
    const r = await workflow.run<{ file: string; hash: string }>('commit', { message });
    if (r?.file) await vscode.window.showTextDocument(vscode.Uri.file(r.file), { preview: false });
    return r;
  });
  register('pgmig.uncommit', async () => {
    const r = await workflow.run<{ file: string }>('uncommit');
    if (!r) return r;
    // The committed file (and its down script) no longer exist: their tabs would only say "deleted".
    const gone = new Set([r.file, downScriptPath(r.file)].map((f) => vscode.Uri.file(f).toString()));
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => tab.input instanceof vscode.TabInputText && gone.has(tab.input.uri.toString()));
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
    void vscode.window.showInformationMessage(`pgmig: ${baseName(r.file)} moved back into the current migration`);
    return r;
  });
  register('pgmig.migrate', () => workflow.run<{ applied: string[] }>('migrate'));
  // Rollback runs down scripts: when one is missing the rollback cannot run, so the choice offered is to write it.
  register('pgmig.rollback', async () => {
    const root = await workflow.mainRoot();
    if (!root) return workflow.run('rollback');
    const target = workflow.selectedTarget(root);
    const s = await workflow.status(root, target);
    if (s instanceof ResponseError || s.error) return workflow.run('rollback', { root, target });
    const latest = s.migrations.filter((m) => m.state === 'applied' || m.state === 'changed').pop();
    if (!latest) {
      void vscode.window.showInformationMessage(`pgmig: nothing to roll back: no migration is applied to ${s.database}`);
      return undefined;
    }
    if (!latest.downFile) return offerDownScripts([latest]);
    const ok = await vscode.window.showWarningMessage(
      `Roll back ${latest.name} on ${s.database}? This runs ${baseName(latest.downFile)}.`,
      { modal: true },
      'Roll Back',
    );
    if (ok !== 'Roll Back') return undefined;
    return workflow.run('rollback', { root, target });
  });
  register('pgmig.watchStart', () => workflow.run('watchStart'));
  register('pgmig.watchStop', () => workflow.run('watchStop'));
  register('pgmig.runCurrent', () => workflow.run('runCurrent'));
  register('pgmig.status', async () => {
    const root = await workflow.mainRoot();
    if (!root) return void vscode.window.showInformationMessage('pgmig: no migrations project in this workspace');
    const s = await workflow.status(root, workflow.selectedTarget(root));
    workflow.fireChanged();
    if (s instanceof ResponseError) return void vscode.window.showErrorMessage(`pgmig: ${s.message}`, 'Show details').then((c) => c && workflow.log.show(true));
    const applied = s.migrations.filter((m) => m.state === 'applied').length;
    const changed = s.migrations.filter((m) => m.state === 'changed').length;
    const text = s.error
      ? `${s.database}: ${s.error.message}`
      : `${s.database}: ${applied} applied, ${s.pending} pending${changed ? `, ${changed} changed after apply` : ''}; current migration ${s.current.state}; watch ${s.watch.on ? 'on' : 'off'}`;
    void vscode.commands.executeCommand('pgmig.migrations.focus');
    void vscode.window.showInformationMessage(`pgmig: ${text}`);
    return s;
  });
  register('pgmig.reset', async () => {
    const root = await workflow.mainRoot();
    if (!root) return undefined;
    const target = workflow.selectedTarget(root);
    const s = await workflow.status(root, target);
    if (s instanceof ResponseError) return workflow.run('reset', { root, target });
    if (s.protected) {
      void vscode.window.showErrorMessage(`pgmig: target '${target || 'default'}' is protected; Reset Database is refused.`);
      return undefined;
    }
    const go = await vscode.window.showWarningMessage(
      `Reset ${s.database}? This drops the whole database and applies the committed migrations again. Everything else in it is lost.`,
      { modal: true },
      'Continue',
    );
    if (go !== 'Continue') return undefined;
    const typed = await vscode.window.showInputBox({
      title: 'pgmig: Reset Database',
      prompt: `Type the database name '${s.confirmName}' to confirm`,
      ignoreFocusOut: true,
      validateInput: (v) => (v === s.confirmName ? undefined : `Type '${s.confirmName}' exactly to reset`),
    });
    if (typed !== s.confirmName) return undefined;
    return workflow.run('reset', { root, target, confirm: typed });
  });
  // From the palette, or with the project from a row of the Migrations view (an unreachable target's choices).
  register('pgmig.selectTarget', async (at?: { root?: string }) => {
    const root = at?.root ?? (await pickRoot(workflow));
    if (!root) return undefined;
    const current = workflow.selectedTarget(root);
    const targets = await workflow.targets(root);
    const pick = await vscode.window.showQuickPick(
      targets.map((t) => ({ label: `${t.name === current ? '$(check) ' : ''}${t.label}`, description: t.description, detail: t.protected ? 'protected: reset refused' : undefined, name: t.name })),
      { title: 'pgmig: Select Target Database', placeHolder: 'The database the tree, CodeLens and commands act on' },
    );
    if (!pick) return undefined;
    await workflow.selectTarget(root, pick.name);
    return pick.name;
  });
  register('pgmig.useEmbedded', async (at?: { root?: string }) => {
    const root = at?.root ?? (await workflow.mainRoot());
    if (root) await workflow.selectTarget(root, EMBEDDED_TARGET);
  });
  register('pgmig.initTarget', async () => {
    const root = await workflow.mainRoot();
    if (!root) return undefined;
    const named = (await workflow.targets(root)).filter((t) => t.name && t.name !== EMBEDDED_TARGET && t.description.startsWith('pgmig.json:'));
    if (!named.length) {
      void vscode.window.showInformationMessage('pgmig: pgmig.json defines no targets ("targets": { "staging": { "urlEnv": "STAGING_DATABASE_URL" } })');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(named.map((t) => ({ label: t.name, description: t.description })), { title: 'pgmig: Initialize a Target Database' });
    if (!pick) return undefined;
    return workflow.run('initTarget', { root, target: pick.label });
  });
  register('pgmig.dumpSchema', async () => {
    const r = await workflow.run<{ file: string }>('dumpSchema');
    if (r?.file) await vscode.window.showTextDocument(vscode.Uri.file(r.file), { preview: false });
    return r;
  });
  register('pgmig.showLog', () => workflow.log.show(true));
  register('pgmig.init', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!folders.length) {
      const open = await vscode.window.showInformationMessage('pgmig: open the folder the project belongs in first.', 'Open Folder');
      if (open) await vscode.commands.executeCommand('vscode.openFolder');
      return undefined;
    }
    const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'The folder to create the migrations project in' });
    if (!folder) return undefined;
    try {
      const r = await workflow.client.sendRequest<{ root: string; created: string[] }>('pgmig/init', { root: folder.uri.fsPath });
      workflow.log.info(`init: created ${r.created.join(', ')} in ${r.root}`);
      await vscode.window.showTextDocument(vscode.Uri.file(`${r.root}/migrations/current.sql`), { preview: false });
      void vscode.window.showInformationMessage(`pgmig: created a graphile-migrate project in ${folder.name} (.gmrc, migrations/). Write your first change in current.sql.`);
      workflow.fireChanged();
      return r;
    } catch (e) {
      void vscode.window.showErrorMessage(`pgmig: ${(e as Error).message}`);
      return undefined;
    }
  });
  register('pgmig.setPassword', async (at?: { root?: string; target?: string }) => {
    const root = at?.root ?? (await workflow.mainRoot());
    if (!root) return;
    const target = at?.target ?? workflow.selectedTarget(root);
    const typed = await vscode.window.showInputBox({ title: `Password for ${target || 'the default database'}`, password: true, ignoreFocusOut: true });
    if (typed) {
      await workflow.passwords.store(root, target, typed);
      workflow.fireChanged();
    }
  });

  // Context menu of a migration in the tree.
  register('pgmig.applyUpTo', (node: MigrationNodeLike) => node?.item && workflow.run('migrate', { root: node.root, target: node.target, to: node.item.number }));
  register('pgmig.rollbackTo', async (node: MigrationNodeLike) => {
    if (!node?.item) return undefined;
    const s = await workflow.status(node.root, node.target);
    if (!(s instanceof ResponseError)) {
      const undone = s.migrations.filter((m) => m.number >= node.item!.number && (m.state === 'applied' || m.state === 'changed'));
      const missing = undone.filter((m) => !m.downFile);
      if (missing.length) return offerDownScripts(missing);
    }
    const ok = await vscode.window.showWarningMessage(`Roll back ${node.item.name} and every later migration (runs their down scripts)?`, { modal: true }, 'Roll Back');
    if (ok !== 'Roll Back') return undefined;
    return workflow.run('rollback', { root: node.root, target: node.target, to: node.item.number - 1 });
  });
  register('pgmig.openDown', async (node: MigrationNodeLike) => {
    if (!node?.item) return;
    if (!node.item.downFile) return offerDownScripts([node.item]);
    await vscode.window.showTextDocument(vscode.Uri.file(node.item.downFile), { preview: false });
  });
  register('pgmig.createDownScript', async (node?: MigrationNodeLike) => {
    if (node?.item) return createDownScript(node.item);
    return undefined;
  });
  register('pgmig.copyHash', async (node: MigrationNodeLike) => {
    if (!node?.item) return;
    await vscode.env.clipboard.writeText(node.item.hash);
    void vscode.window.setStatusBarMessage(`pgmig: copied ${node.item.hash}`, 3000);
  });
  register('pgmig.refresh', () => workflow.fireChanged());
  register('pgmig.quickPick', async () => {
    const items: (vscode.QuickPickItem & { command: string })[] = [
      ['pgmig.migrate', 'Apply Pending Migrations', ''],
      ['pgmig.commit', 'Commit current.sql as a New Migration', ''],
      ['pgmig.uncommit', 'Uncommit the Latest Migration into current.sql', ''],
      ['pgmig.rollback', 'Roll Back the Latest Migration', 'runs its down script'],
      ['pgmig.watchStart', 'Start Watch', 'apply current.sql on save'],
      ['pgmig.watchStop', 'Stop Watch', ''],
      ['pgmig.status', 'Show Database Status', ''],
      ['pgmig.selectTarget', 'Select Target Database', ''],
      ['pgmig.dumpSchema', 'Dump the Database Schema', ''],
      ['pgmig.reset', 'Reset Database', 'drops the database'],
      ['pgmig.showLog', 'Show Log', ''],
    ]
      // The one watch command that applies.
      .filter(([command]) => command !== (workflow.isWatching ? 'pgmig.watchStart' : 'pgmig.watchStop'))
      .map(([command, label, detail]) => ({ label: `Migrate: ${label}`, description: detail, command }));
    const pick = await vscode.window.showQuickPick(items, { title: 'pgmig: migration commands' });
    if (pick) await vscode.commands.executeCommand(pick.command);
  });
}
