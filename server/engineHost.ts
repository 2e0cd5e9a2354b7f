// The migration engine hosted by the language server for the editor (issue 5): `workspace/executeCommand`
// handlers `pgmig.engine.*`, the `pgmig/status` and `pgmig/schema` requests behind the editor's trees, the
// `pgmig/statusChanged` notification, CodeLens on committed migrations and current.sql, watch, and the shadow check
// after saves. Any LSP client can use it; the VS Code client only presents. Database commands are refused unless
// the workspace is trusted. One engine per (project, database), kept open (PGlite costs seconds to start), and one
// queue per engine so that operations on a database never overlap. The commands are in server/commands/, one module
// each (host.ts: what they share); the CodeLens in engineLenses.ts.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type CancellationToken,
  CodeLensRefreshRequest,
  type Connection,
  DidChangeWatchedFilesNotification,
  type Disposable,
  ResponseError,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { EngineError } from '../core/engine/errors';
import { displayName } from '../core/schema/model';
import type { Finding } from '../core/types';
import { createHost, engineErrorData, oneLine, type EngineHostContext, type Slot } from './commands/host';
import { handlers } from './commands/index';
import { shadowCheck } from './commands/shadowCheck';
import { computeStatus } from './commands/status';
import { startWatch } from './commands/watch';
import type { EngineArgs } from './commands/types';
import { registerEngineLenses } from './engineLenses';
import { isInside } from './workspace';

export type { EngineArgs, LayoutStatusReport, MigrationItem, MigrationState, CurrentState, TargetStatus } from './commands/types';
export { EMBEDDED_TARGET, type EngineHostContext } from './commands/host';

export const ENGINE_COMMANDS = Object.keys(handlers).map((c) => `pgmig.engine.${c}`);

/** Spread into the server's capabilities. */
export const ENGINE_CAPABILITIES = {
  executeCommandProvider: { commands: ENGINE_COMMANDS },
  codeLensProvider: { resolveProvider: false },
};

/** What server.ts tells the engine host about the editor. */
export interface EngineHostEvents {
  /** After `initialized`: watch the env files when the client can register file watchers. */
  initialized(canRegisterWatchers: boolean): void;
  /** The editor's settings changed (pgmig.envFile, pgmig.targets): the trees and lenses read the status again. */
  settingsChanged(): void;
  /** Files changed on disk: returns those that are env files (nothing to analyse). */
  filesChanged(files: string[]): Set<string>;
}

export function registerEngine(connection: Connection, ctxIn: Omit<EngineHostContext, 'connection'>): EngineHostEvents {
  const host = createHost(connection, ctxIn);
  const { ctx } = host;
  const lenses = registerEngineLenses(host);

  connection.onExecuteCommand(async (params, token, workDone: WorkDoneProgressReporter) => {
    if (!ENGINE_COMMANDS.includes(params.command)) return null;
    const name = params.command.slice('pgmig.engine.'.length);
    const args = ((params.arguments ?? [])[0] ?? {}) as EngineArgs;
    const quiet = name === 'status' || name === 'targets' || name === 'selectTarget';
    const cancellable = name === 'migrate' || name === 'rollback' || name === 'runCurrent';
    if (!quiet) workDone.begin(`pgmig: ${name}`, undefined, undefined, cancellable);
    let slot: Slot | undefined;
    const progress = (message: string) => {
      if (!quiet) workDone.report(message);
    };
    try {
      if (!quiet) {
        const found = await host.slotFor(args).catch(() => undefined);
        slot = found?.slot;
        if (slot) slot.progress = progress;
        ctx.log(`${name}${args.target ? ` [${args.target}]` : ''}${args.to !== undefined ? ` to ${args.to}` : ''}`);
      }
      const result = await handlers[name](host, args, token, progress);
      if (slot && !quiet) host.setDiagnostics(`command:${slot.key}`, new Map());
      return result ?? null;
    } catch (e) {
      if (!quiet) ctx.log(`${name} failed: ${oneLine(e)}${e instanceof EngineError && e.location ? `\n${e.location.excerpt}` : ''}`);
      if (slot && !quiet) host.setDiagnostics(`command:${slot.key}`, host.errorDiagnostics(e));
      return new ResponseError(1, oneLine(e), engineErrorData(e));
    } finally {
      if (slot) {
        slot.progress = undefined;
        if (!quiet) host.changed(slot);
      }
      if (!quiet) workDone.done();
    }
  });

  // ---- custom requests for the editor's trees ----------------------------------------------------------------------

  // Not before the first scan of the workspace: an answer from before it ("no project") would stay in the view, which
  // asks once when it opens (seen on a loaded machine, where compiling the parser took longer than starting).
  connection.onRequest('pgmig/projects', async () => {
    await ctx.whenScanned();
    return projectsNow();
  });
  const projectsNow = () => ({
    roots: host.projectRoots(),
    layouts: host.layoutRoots().map((root) => ({ root, kind: ctx.workspace.projects.get(root)?.project?.layout })),
    trusted: ctx.isTrusted(),
  });

  connection.onRequest('pgmig/layoutStatus', async (args: EngineArgs) => {
    try {
      return await handlers.layoutStatus(host, args, { isCancellationRequested: false } as CancellationToken, () => undefined);
    } catch (e) {
      return new ResponseError(1, oneLine(e), engineErrorData(e));
    }
  });

  // Lenses on files the language client does not send (Alembic's .py, data migrations' .ts): the client asks.
  connection.onRequest('pgmig/layoutLenses', (args: { file: string }) => lenses.layoutCodeLenses(args.file) ?? []);

  // The Migrations view is open (the user shows interest in the databases): each project's selected target on the
  // embedded database starts reading its status now, while the editor asks for the projects and the passwords;
  // opening the embedded database is most of the view's first read (bench/firstView.mjs), and the view's own
  // status request then queues behind this one. Not a server's database: that may need a password the editor has
  // not sent yet.
  connection.onNotification('pgmig/viewOpened', () => {
    if (!ctx.isTrusted()) return;
    for (const root of host.projectRoots()) {
      const target = host.selected.get(root) ?? '';
      void (async () => {
        const { slot, settings, protected: p } = await host.slotFor({ root, target });
        if (settings.main.kind === 'pglite') await host.enqueue(slot, () => computeStatus(host, slot, settings, p));
      })().catch(() => undefined); // the view's own read reports what went wrong
    }
  });

  connection.onRequest('pgmig/status', async (args: EngineArgs) => {
    try {
      return await handlers.status(host, args, { isCancellationRequested: false } as CancellationToken, () => undefined);
    } catch (e) {
      return new ResponseError(1, oneLine(e), engineErrorData(e));
    }
  });

  const TABLE_RULES = new Set(['missing-rls', 'rls-without-policy', 'policy-without-rls', 'unindexed-foreign-key']);
  connection.onRequest('pgmig/schema', (args: { root?: string }): unknown => {
    let root: string;
    try {
      root = host.rootOf(args);
    } catch {
      return { tables: [] };
    }
    const unit = ctx.workspace.projects.get(root);
    const analysis = unit?.snapshot?.analysis;
    if (!analysis) return { root, tables: [], analysing: true };
    const findings = analysis.findings.filter((f) => TABLE_RULES.has(f.rule));
    const overlaps = (f: Finding, l: { file: string; start: number; end: number }) => f.file === l.file && f.start <= l.end && l.start <= f.end;
    const tables = [...analysis.model.tables.values()]
      .filter((t) => !t.temporary)
      .map((t) => ({
        name: displayName(t),
        schema: t.schema,
        rls: t.rls,
        policies: t.policies.length,
        file: t.nameLocation.file,
        start: t.nameLocation.start,
        findings: findings
          .filter((f) => overlaps(f, t.nameLocation) || t.references.some((r) => overlaps(f, r)) || t.foreignKeys.some((k) => overlaps(f, k.location)))
          .map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, file: f.file, start: f.start })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { root, tables };
  });

  // ---- after saves: watch runs on its own (it watches the files); the shadow check runs here when enabled ---------

  let shadowTimer: NodeJS.Timeout | undefined;
  ctx.documents.onDidSave((e) => {
    const file = ctx.files.pathOf(e.document.uri);
    // A saved file's old SQL error positions (from a command) are stale; the next run sets them again.
    const bySource = host.engineDiagnostics.get(file);
    if (bySource) {
      for (const key of [...bySource.keys()]) if (key.startsWith('command:')) bySource.delete(key);
      if (!bySource.size) host.engineDiagnostics.delete(file);
      ctx.setEngineDiagnostics(file, [...bySource.values()].flat());
    }
    if (!ctx.isTrusted()) return;
    let root: string | undefined;
    for (const r of host.projectRoots()) if (isInside(r, file)) root = r;
    if (!root) return;
    if (shadowTimer) clearTimeout(shadowTimer);
    const r = root;
    shadowTimer = setTimeout(() => void shadowCheck(host, r), 50);
  });

  // ---- env files (pgmig.envFile): a change of the file or of the setting is picked up --------------------------------

  let canWatch = false;
  let registration: Promise<Disposable> | undefined;
  let registered = '';
  /** Asks the client to watch `.env` files, and every other env file the settings named (outside that pattern). */
  function watchEnvFiles(): void {
    if (!canWatch) return;
    const covered = (f: string) => path.basename(f) === '.env' && ctx.workspaceFolders().some((w) => isInside(w, f));
    const others = [...host.envFileCandidates].filter((f) => !covered(f)).sort();
    const key = others.join('\0');
    if (registration && key === registered) return;
    const previous = registration;
    registered = key;
    registration = connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/.env' }, ...others.map((f) => ({ globPattern: { baseUri: pathToFileURL(path.dirname(f)).href, pattern: path.basename(f) } }))],
    });
    void previous?.then((d) => d.dispose()).catch(() => undefined);
    registration.catch((e) => ctx.log(`cannot watch the env files: ${oneLine(e)}`));
  }

  /** The environment of the projects changed: the editor reads their status again, which starts engines with it. */
  function environmentChanged(why: string): void {
    ctx.log(why);
    for (const root of [...host.projectRoots(), ...host.layoutRoots()]) {
      void connection.sendNotification('pgmig/statusChanged', { root, target: host.selected.get(root) ?? '' });
    }
    void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    watchEnvFiles();
  }

  host.onNewEnvFile = watchEnvFiles;
  host.startWatch = (slot) => startWatch(host, slot);

  return {
    initialized(canRegisterWatchers) {
      canWatch = canRegisterWatchers;
      watchEnvFiles();
    },
    settingsChanged() {
      environmentChanged('settings changed: the projects\' status is read again');
    },
    filesChanged(files) {
      const envFiles = new Set(files.filter((f) => path.basename(f) === '.env' || host.envFileCandidates.has(f) || host.envFileCandidates.has(ctx.files.disk.realpath(f) ?? f)));
      if (envFiles.size) environmentChanged(`env file changed: ${[...envFiles].join(', ')}`);
      return envFiles;
    },
  };
}
