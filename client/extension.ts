// VS Code adapter: starts the bundled language server (dist/server.js) and wires VS Code's settings, file
// watcher and workspace trust to it. All analysis lives in core/ and runs in the server. Bundled as dist/extension.js,
// which the entry point (client/main.ts, dist/client.js) loads and calls.
import type { ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, State } from 'vscode-languageclient/node';
import { codeLensMiddleware } from './codeLenses';
import { registerCommands, Workflow } from './commands';
import { LAYOUT_LENS_SELECTOR, LayoutLensProvider } from './layoutLenses';
import { MigrationsTree } from './migrationsTree';
import { openAt, SchemaTree } from './schemaTree';
import { DatabasePasswords } from './secrets';
import { MigrationStatusBar } from './statusBar';

/** Settings section shared by package.json `contributes.configuration` and the server. */
const CONFIGURATION_SECTION = 'pgmig';
/** Custom notification: the workspace went from untrusted to trusted (trust can only be granted, never revoked live). */
const TRUST_CHANGED_NOTIFICATION = 'pgmig/trustChanged';

/** What `activate` returns: lets the extension-host tests (and other extensions) reach the live client. */
export interface PgmigExtensionApi {
  /** The language client; undefined only before activation finished. The same object survives restarts. */
  readonly languageClient: LanguageClient | undefined;
  /** The migration workflow (issue 5): commands, statuses, the last failure. */
  readonly workflow: Workflow | undefined;
  /** Milliseconds (performance.now()) of the entry point loading, this bundle loading, activate() being called, its
   * setup done, the server's answer to `initialize`, the client ready. */
  readonly activation: Activation;
  /** The tree data providers (tests read what the views show). */
  readonly trees?: { migrations: MigrationsTree; schema: SchemaTree };
  readonly statusBar?: MigrationStatusBar;
}

interface InitializationOptions {
  trusted: boolean;
  settings: { rules: Record<string, string>; excludedSchemas: string[]; excludedTables: string[] };
}

let languageClient: LanguageClient | undefined;

/** performance.now() of the entry point (dist/client.js) starting and finishing to load, and of loading this bundle. */
export interface LoadTimings {
  loadStart?: number;
  loadEnd?: number;
  extensionLoadStart?: number;
  extensionLoadEnd?: number;
}

export type Activation = LoadTimings & { activateStart: number; setupDone?: number; initializeAnswered?: number; clientReady?: number };

/** Called by client/main.ts with the server process it forked early (a fresh one on each call after the first). */
export async function activate(context: vscode.ExtensionContext, serverProcess: () => ChildProcess, timings: LoadTimings = {}): Promise<PgmigExtensionApi> {
  const activation: Activation = { ...timings, activateStart: performance.now() };
  const log = vscode.window.createOutputChannel('pgmig', { log: true });
  context.subscriptions.push(log);

  // A child process speaking LSP over stdio: the client reads its stdout and pipes its stderr to the log.
  const serverOptions: ServerOptions = async () => serverProcess();

  // VS Code's own watcher (not a server-side one): it honours files.watcherExclude and works in remote setups.
  const fileWatchers = ['**/*.sql', '**/.gmrc', '**/.gmrc.js', '**/.gmrc.cjs', '**/pgmig.json'].map((glob) =>
    vscode.workspace.createFileSystemWatcher(glob),
  );
  context.subscriptions.push(...fileWatchers);

  let initializeQueued = () => {};
  const queued = new Promise<void>((resolve) => (initializeQueued = resolve));
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'sql' },
      { scheme: 'untitled', language: 'sql' },
    ],
    synchronize: { configurationSection: CONFIGURATION_SECTION, fileEvents: fileWatchers },
    // A function, so that a restart after a trust grant or a settings change sends current values. The client
    // calls it right before it queues the `initialize` request.
    initializationOptions: (): InitializationOptions => {
      initializeQueued();
      return readInitializationOptions();
    },
    outputChannel: log,
    traceOutputChannel: log,
    middleware: {
      // `workflow` is created below, before the client can ask for lenses; the guard covers the order anyway.
      provideCodeLenses: codeLensMiddleware(() => {
        try {
          return workflow;
        } catch {
          return undefined;
        }
      }),
      // CodeLens and other LSP clients run `pgmig.engine.*` directly; in VS Code they go through the workflow
      // (progress, cancel, password prompt, one clear notification on failure, tree refresh).
      executeCommand: async (command, args, next) => {
        if (!command.startsWith('pgmig.engine.') || !workflow) return next(command, args);
        const name = command.slice('pgmig.engine.'.length);
        const arg = (args[0] ?? {}) as { message?: string };
        if (name === 'commit' && arg.message === undefined) return vscode.commands.executeCommand('pgmig.commit', arg);
        return workflow.run(name, arg);
      },
    },
  };

  // The id 'pgmig' makes the client honour the `pgmig.trace.server` setting.
  const client = new LanguageClient('pgmig', 'pgmig language server', serverOptions, clientOptions);
  languageClient = client;
  const starting = client.start();
  // The server's answer to `initialize` sets the state to Running; the client then registers its features.
  const answered = client.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      activation.initializeAnswered ??= performance.now();
      answered.dispose();
    }
  });
  starting.catch(() => undefined); // reported below, once
  // The views, commands and lenses below are set up while the server answers `initialize`: once the request is
  // written (vscode-jsonrpc writes it from a setImmediate queued with it, so before the one here).
  await Promise.race([queued, starting.catch(() => undefined)]);
  await new Promise((resolve) => setImmediate(resolve));

  const workflow = new Workflow(client, context, log, new DatabasePasswords(context.secrets));
  registerCommands(context, workflow);
  const migrationsTree = new MigrationsTree(workflow);
  const migrationsView = vscode.window.createTreeView('pgmig.migrations', { treeDataProvider: migrationsTree, showCollapseAll: true });
  migrationsTree.view = migrationsView;
  // The view open (with the window, or now): the server starts reading the embedded databases' status at once,
  // before the tree has asked for the projects and the passwords (server/engineHost.ts, `pgmig/viewOpened`).
  const viewOpened = () => {
    if (migrationsView.visible && client.isRunning() && vscode.workspace.isTrusted) void client.sendNotification('pgmig/viewOpened').catch(() => undefined);
  };
  const schemaTree = new SchemaTree(workflow);
  const schemaView = vscode.window.createTreeView('pgmig.schema', { treeDataProvider: schemaTree });
  const statusBar = new MigrationStatusBar(workflow);
  const layoutLenses = vscode.languages.registerCodeLensProvider(LAYOUT_LENS_SELECTOR, new LayoutLensProvider(client, workflow));
  // The tree follows the files: a commit, a new fixture, an edit in a committed file, a down script.
  const migrationFiles = vscode.workspace.createFileSystemWatcher('**/migrations/**');
  let refreshTimer: NodeJS.Timeout | undefined;
  const refreshSoon = () => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => workflow.fireChanged(), 300);
  };
  context.subscriptions.push(
    migrationsView,
    schemaView,
    statusBar,
    migrationFiles,
    layoutLenses,
    migrationsView.onDidChangeVisibility(viewOpened),
    migrationFiles.onDidCreate(refreshSoon),
    migrationFiles.onDidChange(refreshSoon),
    migrationFiles.onDidDelete(refreshSoon),
    vscode.commands.registerCommand('pgmig.openAt', (file: string, offset: number) => openAt(file, offset)),
    client.onNotification('pgmig/statusChanged', () => refreshSoon()),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('pgmig.restartServer', async () => {
      log.info('Restarting the language server');
      try {
        await client.restart();
      } catch (error) {
        reportStartFailure(log, error);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (client.isRunning()) void client.sendNotification(TRUST_CHANGED_NOTIFICATION, { trusted: true });
      workflow.fireChanged();
    }),
  );

  activation.setupDone = performance.now();
  try {
    await starting;
    activation.clientReady = performance.now();
    viewOpened();
    reportActivation(log, activation, context.extension.id);
  } catch (error) {
    reportStartFailure(log, error);
  }
  workflow.fireChanged('serverStarted');
  // A restart later (a crash, Restart Server) refreshes the views once it runs; the first start is covered above.
  context.subscriptions.push(client.onDidChangeState(() => refreshSoon()));
  return { languageClient: client, workflow, activation, trees: { migrations: migrationsTree, schema: schemaTree }, statusBar };
}

export async function deactivate(): Promise<void> {
  const client = languageClient;
  languageClient = undefined;
  if (client) await client.dispose();
}

function readInitializationOptions(): InitializationOptions {
  const configuration = vscode.workspace.getConfiguration(CONFIGURATION_SECTION);
  return {
    trusted: vscode.workspace.isTrusted,
    settings: {
      rules: configuration.get<Record<string, string>>('rules', {}),
      excludedSchemas: configuration.get<string[]>('excludedSchemas', []),
      excludedTables: configuration.get<string[]>('excludedTables', []),
    },
  };
}

/** Logs how long activation took; PGMIG_ACTIVATION_LOG=<file> appends it as a JSON line (bench/activation.mjs). */
function reportActivation(log: vscode.LogOutputChannel, a: Activation, extensionId: string): void {
  const from = a.loadStart ?? a.activateStart;
  const total = (a.clientReady ?? from) - from;
  log.info(`activated: ${total.toFixed(1)} ms from loading the extension to the language client ready (activate() ${(a.activateStart - from).toFixed(1)} ms after load)`);
  const file = process.env.PGMIG_ACTIVATION_LOG;
  if (file) {
    // VS Code's own marks (Date.now() ms) of starting to load this extension, loaded, calling activate(): the
    // activation event -> client ready time includes reading and compiling the bundle, which `loadStart` misses.
    const marks = (globalThis as { MonacoPerformanceMarks?: { getMarks(): { name: string; startTime: number }[] } }).MonacoPerformanceMarks?.getMarks() ?? [];
    const mark = (name: string) => marks.find((m) => m.name === `code/extHost/${name}/${extensionId}`)?.startTime;
    const vscodeMarks = { willLoadExtensionCode: mark('willLoadExtensionCode'), didLoadExtensionCode: mark('didLoadExtensionCode'), willActivateExtension: mark('willActivateExtension') };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:fs').appendFileSync(file, JSON.stringify({ ...a, totalMs: total, timeOrigin: performance.timeOrigin, vscodeMarks }) + '\n');
  }
}

function reportStartFailure(log: vscode.LogOutputChannel, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log.error(`The language server did not start: ${message}`);
  void vscode.window.showErrorMessage(`pgmig: the language server did not start (${message}). See Output › pgmig.`);
}
