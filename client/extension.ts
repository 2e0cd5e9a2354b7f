// VS Code adapter: starts the bundled language server (dist/server.js) and wires VS Code's settings, file
// watcher and workspace trust to it. All analysis lives in core/ and runs in the server.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { registerCommands, Workflow } from './commands';
import { LAYOUT_LENS_SELECTOR, LayoutLensProvider } from './layoutLenses';
import { MigrationsTree } from './migrationsTree';
import { openAt, SchemaTree } from './schemaTree';
import { DatabasePasswords } from './secrets';
import { MigrationStatusBar } from './statusBar';

/** Set by the bundle's first line (esbuild banner): when VS Code started loading the extension's code. */
declare const __pgmigLoadStart: number | undefined;
/** Set by the bundle's last line (esbuild footer): when its code finished loading. */
declare const __pgmigLoadEnd: number | undefined;

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
  /** Milliseconds (performance.now()) of the bundle starting to load, activate() being called, the client ready. */
  readonly activation: { loadStart?: number; loadEnd?: number; activateStart: number; setupDone?: number; clientReady?: number };
  /** The tree data providers (tests read what the views show). */
  readonly trees?: { migrations: MigrationsTree; schema: SchemaTree };
  readonly statusBar?: MigrationStatusBar;
}

interface InitializationOptions {
  trusted: boolean;
  settings: { rules: Record<string, string>; excludedSchemas: string[]; excludedTables: string[] };
}

let languageClient: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PgmigExtensionApi> {
  const activation: { loadStart?: number; loadEnd?: number; activateStart: number; setupDone?: number; clientReady?: number } = {
    loadStart: typeof __pgmigLoadStart === 'number' ? __pgmigLoadStart : undefined,
    loadEnd: typeof __pgmigLoadEnd === 'number' ? __pgmigLoadEnd : undefined,
    activateStart: performance.now(),
  };
  const log = vscode.window.createOutputChannel('pgmig', { log: true });
  context.subscriptions.push(log);

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };

  // VS Code's own watcher (not a server-side one): it honours files.watcherExclude and works in remote setups.
  const fileWatchers = ['**/*.sql', '**/.gmrc', '**/pgmig.json'].map((glob) =>
    vscode.workspace.createFileSystemWatcher(glob),
  );
  context.subscriptions.push(...fileWatchers);

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'sql' },
      { scheme: 'untitled', language: 'sql' },
    ],
    synchronize: { configurationSection: CONFIGURATION_SECTION, fileEvents: fileWatchers },
    // A function, so that a restart after a trust grant or a settings change sends current values.
    initializationOptions: (): InitializationOptions => readInitializationOptions(),
    outputChannel: log,
    traceOutputChannel: log,
    middleware: {
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
  // Started first: the server process boots while the views, commands and lenses below are set up.
  const starting = client.start();
  starting.catch(() => undefined); // reported below, once

  const workflow = new Workflow(client, context, log, new DatabasePasswords(context.secrets));
  registerCommands(context, workflow);
  const migrationsTree = new MigrationsTree(workflow);
  const migrationsView = vscode.window.createTreeView('pgmig.migrations', { treeDataProvider: migrationsTree, showCollapseAll: true });
  migrationsTree.view = migrationsView;
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
    migrationFiles.onDidCreate(refreshSoon),
    migrationFiles.onDidChange(refreshSoon),
    migrationFiles.onDidDelete(refreshSoon),
    vscode.commands.registerCommand('pgmig.openAt', (file: string, offset: number) => openAt(file, offset)),
    client.onNotification('pgmig/statusChanged', () => refreshSoon()),
    client.onDidChangeState(() => refreshSoon()),
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
    reportActivation(log, activation);
  } catch (error) {
    reportStartFailure(log, error);
  }
  workflow.fireChanged();
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
function reportActivation(log: vscode.LogOutputChannel, a: { loadStart?: number; loadEnd?: number; activateStart: number; setupDone?: number; clientReady?: number }): void {
  const from = a.loadStart ?? a.activateStart;
  const total = (a.clientReady ?? from) - from;
  log.info(`activated: ${total.toFixed(1)} ms from loading the extension to the language client ready (activate() ${(a.activateStart - from).toFixed(1)} ms after load)`);
  const file = process.env.PGMIG_ACTIVATION_LOG;
  if (file) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:fs').appendFileSync(file, JSON.stringify({ loadStart: a.loadStart, loadEnd: a.loadEnd, activateStart: a.activateStart, setupDone: a.setupDone, clientReady: a.clientReady, totalMs: total }) + '\n');
  }
}

function reportStartFailure(log: vscode.LogOutputChannel, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log.error(`The language server did not start: ${message}`);
  void vscode.window.showErrorMessage(`pgmig: the language server did not start (${message}). See Output › pgmig.`);
}
