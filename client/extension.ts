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

/** Settings section shared by package.json `contributes.configuration` and the server. */
const CONFIGURATION_SECTION = 'pgmig';
/** Custom notification: the workspace went from untrusted to trusted (trust can only be granted, never revoked live). */
const TRUST_CHANGED_NOTIFICATION = 'pgmig/trustChanged';

/** What `activate` returns: lets the extension-host tests (and other extensions) reach the live client. */
export interface PgmigExtensionApi {
  /** The language client; undefined only before activation finished. The same object survives restarts. */
  readonly languageClient: LanguageClient | undefined;
}

interface InitializationOptions {
  trusted: boolean;
  settings: { rules: Record<string, string>; excludedSchemas: string[]; excludedTables: string[] };
}

let languageClient: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PgmigExtensionApi> {
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
  };

  // The id 'pgmig' makes the client honour the `pgmig.trace.server` setting.
  const client = new LanguageClient('pgmig', 'pgmig language server', serverOptions, clientOptions);
  languageClient = client;

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
    }),
  );

  try {
    await client.start();
  } catch (error) {
    reportStartFailure(log, error);
  }
  return { languageClient: client };
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

function reportStartFailure(log: vscode.LogOutputChannel, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log.error(`The language server did not start: ${message}`);
  void vscode.window.showErrorMessage(`pgmig: the language server did not start (${message}). See Output › pgmig.`);
}
