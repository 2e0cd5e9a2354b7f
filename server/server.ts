// pgmig's language server: the LSP adapter over core/. Any LSP client can start it (`node dist/server.js --stdio`,
// as the VS Code client does, or --node-ipc); the transport comes from argv. dist/server.js is server/main.ts,
// which runs this bundle (dist/languageServer.js) through a V8 code cache. It pushes diagnostics for open documents
// and for the other files of each project, and answers code actions, links, hover, definition, references,
// completion and document symbols from the latest completed analysis (never waiting for a running one).
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CancellationToken,
  type CodeAction,
  CodeActionKind,
  type CompletionItem,
  CompletionItemKind,
  createConnection,
  type Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  type DocumentSymbol,
  FileChangeType,
  type InitializeParams,
  type InitializeResult,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { loadParser } from '../core/sql/parser';
import { roleOf } from '../core/project';
import { documentSymbols, fixturePaths, includeAt, includesOfFile, missingFixturePath, statementAt, symbolAt, type StatementCategory, type StatementSymbol } from '../core/navigation';
import type { Finding, TextEdit } from '../core/types';
import { diagnosticKey, engineOnly, nonOverlapping, Positions, quickFix, toDiagnostic, toWorkspaceEdit } from './convert';
import { describeColumn, describeFixture, describeTable } from './describe';
import { Files } from './files';
import { type EditorSettings, findingsByFile, isInside, type Snapshot, type Unit, Workspace } from './workspace';
import { ENGINE_CAPABILITIES, registerEngine } from './engineHost';
import { registerInit } from './init';

declare const PGMIG_VERSION: string;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const files = new Files();

const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.pgmig`;

let trusted = false;
let supportsConfiguration = false;
let supportsDynamicConfiguration = false;
let registerWatchers = false;
let canRegisterWatchers = false;
let supportsDocumentChanges = false;
let supportsCreateFile = false;
let supportsWorkspaceFolders = false;
let initialSettings: EditorSettings | undefined;
let globalSettings: EditorSettings | undefined;
const rootSettings = new Map<string, EditorSettings>();
let workspaceFolders: string[] = [];
let parserReady: Promise<void> | undefined;

const log = (message: string) => connection.console.info(message);

const workspace = new Workspace({
  files,
  log,
  analysed: publish,
  removed: (unit) => {
    for (const file of unit.published.keys()) void connection.sendDiagnostics({ uri: files.uriOf(file), diagnostics: [] });
    unit.published.clear();
  },
  settingsFor: (root) => (root && rootSettings.get(root)) || globalSettings || initialSettings,
  versionOf: (file) => documents.get(files.uriOf(file))?.version,
});

// ---- diagnostics ------------------------------------------------------------------------------------------------

function publish(unit: Unit, snapshot: Snapshot | undefined): void {
  const positions = new Positions(files, snapshot);
  const byFile = snapshot ? findingsByFile(snapshot.analysis.findings) : new Map<string, Finding[]>();
  const targets = new Set<string>([...byFile.keys(), ...unit.published.keys()]);
  if (unit.kind === 'standalone') targets.add(unit.key);
  else {
    for (const file of files.fs.overlay.keys()) if (isInside(unit.key, file) && workspace.unitFor(file) === unit) targets.add(file);
    if (unit.configError && unit.project === undefined) {
      // Broken pgmig.json/.gmrc: say so on the file, nothing else is analysed until it is fixed.
      // The message starts with the file's path, absolute or relative to the project (drizzle.config.ts: ...).
      const file = path.resolve(unit.key, /^(.*?): /.exec(unit.configError.message)?.[1] ?? 'pgmig.json');
      const d: Diagnostic = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: unit.configError.severity === 'warning' ? 2 : 1, source: 'pgmig', message: unit.configError.message };
      unit.published.set(file, 'config');
      void connection.sendDiagnostics({ uri: files.uriOf(file), diagnostics: [d] });
      targets.delete(file);
    }
    const notRead = unit.project?.gmrcNotRead;
    if (notRead) {
      // The analysis runs no project code: a migrationsFolder set by code in .gmrc.js is not applied; say so there.
      const d: Diagnostic = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 2, source: 'pgmig', message: notRead.message };
      unit.published.set(notRead.file, 'config');
      void connection.sendDiagnostics({ uri: files.uriOf(notRead.file), diagnostics: [d] });
      targets.delete(notRead.file);
    }
  }
  // Engine diagnostics (SQL errors of watch/migrate/commit, the shadow check) of this unit's files.
  for (const file of engineDiagnostics.keys()) if (unit.kind === 'project' ? isInside(unit.key, file) : file === unit.key) targets.add(file);
  for (const file of targets) {
    // A file of a project that is open on its own (standalone) is published by its standalone unit.
    if (unit.kind === 'project' && !isInside(unit.key, file)) continue;
    const analysed = (byFile.get(file) ?? []).map((f) => toDiagnostic(f, positions, files));
    const diagnostics = [...analysed, ...engineOnly(analysed, engineDiagnostics.get(file) ?? [])];
    const signature = JSON.stringify(diagnostics);
    const open = files.isOpen(file);
    if (!open && (unit.published.get(file) ?? '[]') === signature) continue;
    if (diagnostics.length === 0) unit.published.delete(file);
    else unit.published.set(file, signature);
    const version = snapshot?.versions.get(file);
    void connection.sendDiagnostics({ uri: files.uriOf(file), version, diagnostics });
  }
}

// ---- lifecycle --------------------------------------------------------------------------------------------------

/** performance.now() of this process loaded and initialize answered; PGMIG_ACTIVATION_LOG=<file> gets them as a JSON
 * line with the process start (epoch ms), for bench/activation.mjs' breakdown. */
const serverTimings: { loaded?: number; initialize?: number } = {};

connection.onInitialize((params: InitializeParams): InitializeResult => {
  serverTimings.initialize = performance.now();
  if (process.env.PGMIG_ACTIVATION_LOG) {
    appendFileSync(process.env.PGMIG_ACTIVATION_LOG, JSON.stringify({ server: { timeOrigin: performance.timeOrigin, ...serverTimings } }) + '\n');
  }
  const caps = params.capabilities;
  supportsConfiguration = !!caps.workspace?.configuration;
  supportsDynamicConfiguration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
  // pgmig's VS Code client watches files itself (it passes `settings`); other clients that can, are asked to.
  canRegisterWatchers = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
  registerWatchers = canRegisterWatchers && (params.initializationOptions as any)?.settings === undefined;
  supportsDocumentChanges = !!caps.workspace?.workspaceEdit?.documentChanges;
  supportsCreateFile = supportsDocumentChanges && !!caps.workspace?.workspaceEdit?.resourceOperations?.includes('create');
  supportsWorkspaceFolders = !!caps.workspace?.workspaceFolders;
  const options = (params.initializationOptions ?? {}) as { trusted?: unknown; settings?: EditorSettings };
  trusted = options.trusted === true;
  initialSettings = options.settings;
  const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : params.rootPath ? [params.rootPath] : []);
  workspaceFolders = folders.map((u) => (u.startsWith('file:') ? fileURLToPath(u) : u));
  // After the answer is written (the connection writes it from a setImmediate of its own, after any set here): the
  // client is ready sooner, and the WASM compiles while it sends `initialized`.
  parserReady = new Promise((resolve) => setTimeout(() => resolve(loadParser()), 0));
  log(`pgmig ${typeof PGMIG_VERSION === 'string' ? PGMIG_VERSION : ''} language server; workspace ${trusted ? 'trusted' : 'untrusted (no database access)'}`);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll, FIX_ALL_KIND] },
      documentLinkProvider: { resolveProvider: false },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      documentSymbolProvider: true,
      completionProvider: { triggerCharacters: [' ', '/'] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      ...ENGINE_CAPABILITIES,
    },
    serverInfo: { name: 'pgmig', version: typeof PGMIG_VERSION === 'string' ? PGMIG_VERSION : undefined },
  };
});

connection.onInitialized(async () => {
  if (registerWatchers) {
    void connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/*.sql' }, { globPattern: '**/.gmrc' }, { globPattern: '**/.gmrc.js' }, { globPattern: '**/.gmrc.cjs' }, { globPattern: '**/pgmig.json' }],
    });
  }
  if (supportsDynamicConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'pgmig' });
  }
  engineHost.initialized(canRegisterWatchers);
  if (supportsWorkspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      for (const f of e.added) {
        const dir = fileURLToPath(f.uri);
        workspaceFolders.push(dir);
        workspace.scan(dir);
      }
      for (const f of e.removed) {
        const dir = fileURLToPath(f.uri);
        workspaceFolders = workspaceFolders.filter((w) => w !== dir);
        for (const u of [...workspace.projects.values()]) if (u.key === dir || isInside(dir, u.key)) workspace.removeProject(u);
      }
      workspace.changedAll();
    });
  }
  try {
    await parserReady;
    for (const dir of workspaceFolders) workspace.scan(files.disk.realpath(dir) ?? dir);
    await pullSettings().finally(markSettingsPulled);
    parserOk = true;
    // Documents opened before the parser and the settings were ready: find their units now.
    for (const file of files.fs.overlay.keys()) workspace.unitFor(file);
    workspace.changedAll();
  } finally {
    // Whatever happened (a parser that failed to load), what waits for the start (pgmig/projects) is answered.
    markSettingsPulled();
    markStarted();
  }
});

let parserOk = false;
let markSettingsPulled: () => void;
/** Resolves once the settings were first pulled (at start, before the first analysis). */
const settingsPulled = new Promise<void>((resolve) => (markSettingsPulled = resolve));
let markStarted: () => void;
/** Resolves once the first analysis of the workspace has been queued. */
const started = new Promise<void>((resolve) => (markStarted = resolve));

/** The settings as pulled, as text: what the analysis and the engine see of them, to tell a change from a repeat. */
function settingsText(): string {
  return JSON.stringify([globalSettings ?? null, [...rootSettings].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

async function pullSettings(): Promise<void> {
  if (!supportsConfiguration) return;
  const roots = [...workspace.projects.keys()];
  try {
    const items = [{ section: 'pgmig' }, ...roots.map((r) => ({ scopeUri: files.uriOf(r), section: 'pgmig' }))];
    const values = (await connection.workspace.getConfiguration(items)) as (EditorSettings | null)[];
    globalSettings = values[0] ?? undefined;
    rootSettings.clear();
    roots.forEach((r, i) => {
      const v = values[i + 1];
      if (v) rootSettings.set(r, v);
    });
  } catch (e: any) {
    log(`could not read the pgmig settings: ${e?.message ?? e}`);
  }
}

connection.onDidChangeConfiguration(async (change) => {
  const pushed = (change.settings as any)?.pgmig;
  if (supportsConfiguration) {
    // VS Code sends one of these when the server registers for them, while it pulls the settings at start: the same
    // settings then, and nothing to do (re-analysing every project and making the editor read every status again
    // held up the first Migrations view).
    await settingsPulled;
    const before = settingsText();
    await pullSettings();
    if (settingsText() === before) return;
  } else if (pushed) globalSettings = pushed;
  if (!supportsConfiguration && pushed) rootSettings.clear();
  log('settings changed: re-analysing');
  workspace.changedAll();
  engineHost.settingsChanged();
});

// Workspace trust can be granted while the server runs; database commands (issue 5) check this flag.
connection.onNotification('pgmig/trustChanged', (params: { trusted?: unknown }) => {
  trusted = params?.trusted === true;
  log(`workspace ${trusted ? 'trusted: database commands enabled' : 'untrusted: database commands disabled'}`);
});

/** For tests and the benchmark: resolves when no analysis is queued or running. */
connection.onRequest('pgmig/waitIdle', async () => {
  await started;
  await workspace.whenIdle();
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1e5) / 10;
  const parses = [...workspace.projects.values()].reduce((n, u) => n + u.analyzer.parses, 0);
  return { pid: process.pid, analyses: workspace.analysesCompleted, parses, projects: [...workspace.projects.keys()], trusted, memoryMb: { rss: mb(m.rss), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) } };
});

// ---- documents --------------------------------------------------------------------------------------------------

function documentChanged(uri: string, text: string): void {
  const file = files.pathOf(uri);
  files.open(file, text);
  if (!parserOk) return; // the first analysis after initialized covers it
  const unit = workspace.unitFor(file);
  workspace.changed(unit);
  // A fixture that is also analysed on its own elsewhere (another project) is rare; the file's unit is enough.
}

documents.onDidOpen((e) => documentChanged(e.document.uri, e.document.getText()));
documents.onDidChangeContent((e) => documentChanged(e.document.uri, e.document.getText()));
documents.onDidSave((e) => files.disk.invalidate(files.pathOf(e.document.uri)));
documents.onDidClose((e) => {
  const file = files.pathOf(e.document.uri);
  files.close(file);
  const unit = workspace.standalone.get(file);
  if (unit) {
    workspace.standalone.delete(file);
    unit.analyzer.forget(file);
    unit.generation++;
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  } else if (parserOk) {
    const p = workspace.unitFor(file);
    // The buffer may have differed from the disk: analyse what is on disk now.
    workspace.changed(p);
  }
});

connection.onDidChangeWatchedFiles((params) => {
  const touched = new Set<Unit>();
  // Env files (pgmig.envFile) matter to the engine, not to the analysis.
  const envFiles = engineHost.filesChanged(params.changes.filter((c) => c.uri.startsWith('file:')).map((c) => fileURLToPath(c.uri)));
  for (const change of params.changes) {
    if (!change.uri.startsWith('file:')) continue;
    const file = fileURLToPath(change.uri);
    if (envFiles.has(file)) continue;
    files.disk.invalidate(file);
    const name = path.basename(file);
    const structural = change.type !== FileChangeType.Changed;
    if (name === '.gmrc' || name === 'pgmig.json' || name === '.gmrc.js' || name === '.gmrc.cjs') {
      const root = files.disk.realpath(path.dirname(file)) ?? path.dirname(file);
      const unit = workspace.projects.get(root);
      if (unit) {
        workspace.reload(unit);
        touched.add(unit);
      } else if (change.type === FileChangeType.Created) {
        touched.add(workspace.addProject(root));
      }
      continue;
    }
    let unit: Unit | undefined;
    for (const u of workspace.projects.values()) if (isInside(u.key, file) && (!unit || u.key.length > unit.key.length)) unit = u;
    if (!unit && change.type === FileChangeType.Created && parserOk) unit = workspace.projectFor(files.disk.realpath(file) ?? file);
    if (!unit) continue;
    if (structural) workspace.reload(unit);
    if (!files.isOpen(file) || structural) touched.add(unit);
  }
  for (const unit of touched) {
    if (!unit.project && !unit.configError) {
      workspace.removeProject(unit);
      continue;
    }
    workspace.changed(unit, true);
  }
  // Open standalone files may now belong to a new project (or a project went away).
  for (const [file, u] of [...workspace.standalone]) {
    if (workspace.unitFor(file) !== u) {
      workspace.standalone.delete(file);
      void connection.sendDiagnostics({ uri: files.uriOf(file), diagnostics: [] });
      workspace.changed(workspace.unitFor(file), true);
    }
  }
});

// ---- requests ---------------------------------------------------------------------------------------------------

function cancelled(token: CancellationToken): ResponseError<void> | undefined {
  return token.isCancellationRequested ? new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled') : undefined;
}

/** The latest analysis covering a document, with positions for it. */
function context(uri: string) {
  const file = files.pathOf(uri);
  const found = workspace.snapshotFor(file);
  if (!found) return undefined;
  const positions = new Positions(files, found.snapshot);
  return { file, unit: found.unit, snapshot: found.snapshot, analysis: found.snapshot.analysis, positions };
}

connection.onDocumentLinks((params, token) => {
  const c = context(params.textDocument.uri);
  if (!c) return [];
  const stop = cancelled(token);
  if (stop) return stop;
  return includesOfFile(c.analysis, c.file)
    .filter((d) => d.target)
    .map((d) => ({
      range: c.positions.range({ file: c.file, start: d.pathStart, end: d.pathEnd }),
      target: files.uriOf(d.target!),
      tooltip: `Open fixture ${d.rawPath}`,
    }));
});

connection.onHover((params, token) => {
  const c = context(params.textDocument.uri);
  if (!c) return null;
  const stop = cancelled(token);
  if (stop) return stop;
  const offset = c.positions.offset(c.file, params.position);
  const project = c.analysis.project;
  const directive = includeAt(c.analysis, c.file, offset);
  if (directive) {
    if (!directive.target) return null;
    return {
      contents: { kind: 'markdown', value: describeFixture(directive.target, files.read(directive.target), project) },
      range: c.positions.range({ file: c.file, start: directive.pathStart, end: directive.pathEnd }),
    };
  }
  const s = symbolAt(c.analysis, c.file, offset);
  if (!s.table) return null;
  const value = s.column ? describeColumn(s.table, s.column, c.positions, files, project) : describeTable(s.table, c.positions, files, project);
  return { contents: { kind: 'markdown', value }, range: s.range ? c.positions.range(s.range) : undefined };
});

connection.onDefinition((params, token) => {
  const c = context(params.textDocument.uri);
  if (!c) return null;
  const stop = cancelled(token);
  if (stop) return stop;
  const offset = c.positions.offset(c.file, params.position);
  const directive = includeAt(c.analysis, c.file, offset);
  if (directive) {
    if (offset < directive.pathStart || offset > directive.pathEnd) return null;
    // A fixture that does not exist yet: its would-be file (VS Code opens an editor that offers to create it).
    const target = directive.target ?? missingFixturePath(c.analysis, directive);
    if (!target) return null;
    return { uri: files.uriOf(target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
  }
  const s = symbolAt(c.analysis, c.file, offset);
  if (s.column) return c.positions.location(s.column.created);
  if (s.table) return c.positions.location(s.table.nameLocation);
  return null;
});

connection.onReferences((params, token) => {
  const c = context(params.textDocument.uri);
  if (!c) return null;
  const stop = cancelled(token);
  if (stop) return stop;
  const s = symbolAt(c.analysis, c.file, c.positions.offset(c.file, params.position));
  if (s.column) return [c.positions.location(s.column.created)];
  if (!s.table) return null;
  const t = s.table;
  const seen = new Set<string>();
  const out = [];
  for (const r of t.references) {
    if (!params.context.includeDeclaration && r.file === t.nameLocation.file && r.start === t.nameLocation.start) continue;
    const key = `${r.file}\0${r.start}\0${r.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c.positions.location(r));
    if (out.length % 512 === 0 && token.isCancellationRequested) return cancelled(token);
  }
  return out;
});

const SYMBOL_KIND: Record<StatementCategory, SymbolKind> = {
  table: SymbolKind.Struct,
  index: SymbolKind.Key,
  function: SymbolKind.Function,
  view: SymbolKind.Interface,
  type: SymbolKind.TypeParameter,
  policy: SymbolKind.Event,
  alter: SymbolKind.Property,
  drop: SymbolKind.Null,
  data: SymbolKind.Array,
  other: SymbolKind.Object,
};

connection.onDocumentSymbol((params, token) => {
  const c = context(params.textDocument.uri);
  if (!c) return [];
  const stop = cancelled(token);
  if (stop) return stop;
  const convert = (s: StatementSymbol): DocumentSymbol => {
    const range = c.positions.range(s.location);
    return {
      name: s.name,
      detail: s.type,
      kind: SYMBOL_KIND[s.category],
      range,
      selectionRange: s.nameLocation ? c.positions.range(s.nameLocation) : { start: range.start, end: range.start },
      children: s.children.length ? s.children.map(convert) : undefined,
    };
  };
  return documentSymbols(c.analysis, c.file).map(convert);
});

connection.onCompletion((params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return null;
  const line = doc.getText({ start: { line: params.position.line, character: 0 }, end: params.position });
  const m = /^--![ \t]*include[ \t]+(\S*)$/.exec(line);
  if (!m) return null;
  const file = files.pathOf(params.textDocument.uri);
  const unit = workspace.unitFor(file);
  const project = unit.project;
  if (!project) return null;
  const typed = m[1];
  const range = { start: { line: params.position.line, character: params.position.character - typed.length }, end: params.position };
  const { files: fixtureFiles, folders } = fixturePaths(project);
  const items: CompletionItem[] = [
    ...folders.map((f) => ({ label: f, kind: CompletionItemKind.Folder, textEdit: { range, newText: f }, sortText: '0' + f, command: { title: 'more', command: 'editor.action.triggerSuggest' } })),
    ...fixtureFiles.map((f) => ({ label: f, kind: CompletionItemKind.File, textEdit: { range, newText: f }, sortText: '1' + f, detail: 'fixture' })),
  ];
  return { isIncomplete: false, items };
});

// ---- code actions -----------------------------------------------------------------------------------------------

connection.onCodeAction((params, token) => {
  const c = context(params.textDocument.uri);
  if (!c) return [];
  const stop = cancelled(token);
  if (stop) return stop;
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
  const editOptions = { documentChanges: supportsDocumentChanges, versionOf: (f: string) => documents.get(files.uriOf(f))?.version };
  const findings = c.analysis.findings.filter((f) => f.file === c.file);
  const actions: CodeAction[] = [];
  const diagnosticOf = (f: Finding) => toDiagnostic(f, c.positions, files);

  if (wants(CodeActionKind.QuickFix)) {
    const a = c.positions.offset(c.file, params.range.start);
    const b = c.positions.offset(c.file, params.range.end);
    const asked = new Set(params.context.diagnostics.map(diagnosticKey));
    for (const f of findings) {
      const d = diagnosticOf(f);
      // The finding's range touches the selection, or the client asked about exactly this diagnostic.
      if (!(f.start <= b && a <= f.end) && !asked.has(diagnosticKey(d))) continue;
      f.fixes.forEach((fix, i) => {
        const edit = toWorkspaceEdit(fix.edits, c.positions, files, editOptions);
        if (edit) actions.push(quickFix(fix.title, edit, d, i === 0 && fix.safe));
      });
      const create = f.rule === 'include-not-found' ? createFixtureAction(c, f, d) : undefined;
      if (create) actions.push(create);
      for (const ignore of ignoreEdits(c, f)) {
        const edit = toWorkspaceEdit([ignore.edit], c.positions, files, editOptions);
        if (edit) actions.push(quickFix(ignore.title, edit, d, false));
      }
    }
  }

  if (only && (wants(FIX_ALL_KIND) || only.includes(CodeActionKind.SourceFixAll))) {
    const candidates = findings.flatMap((f) => {
      const fix = f.fixes.find((x) => x.safe);
      return fix ? [{ ...fix, finding: f }] : [];
    });
    const chosen = nonOverlapping(candidates);
    if (chosen.length > 0) {
      const edit = toWorkspaceEdit(
        chosen.flatMap((x) => x.edits),
        c.positions,
        files,
        editOptions,
      );
      if (edit) {
        actions.push({
          title: `Fix all pgmig problems in this file (${chosen.length})`,
          kind: FIX_ALL_KIND,
          edit,
          diagnostics: chosen.map((x) => diagnosticOf(x.finding)),
        });
      }
    }
  }
  return actions;
});

/**
 * "Create fixture file" for an include of a fixture that does not exist: the client creates it (a workspace edit's
 * create operation, which also makes its folders) and opens it (pgmig.openAt, the VS Code client's command). Only for
 * clients that apply create operations.
 */
function createFixtureAction(c: NonNullable<ReturnType<typeof context>>, f: Finding, diagnostic: Diagnostic): CodeAction | undefined {
  if (!supportsCreateFile) return undefined;
  const directive = includesOfFile(c.analysis, c.file).find((d) => d.pathStart === f.start && d.pathEnd === f.end);
  const file = directive && missingFixturePath(c.analysis, directive);
  if (!file || files.disk.exists(file)) return undefined;
  const shown = path.relative(c.analysis.project!.root, file).split(path.sep).join('/');
  return {
    title: `Create fixture file ${shown}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: true,
    edit: { documentChanges: [{ kind: 'create', uri: files.uriOf(file), options: { ignoreIfExists: true } }] },
    command: { title: 'Open the fixture', command: 'pgmig.openAt', arguments: [file, 0] },
  };
}

/** "Ignore this rule for this statement / for this file": comments `-- pgmig-ignore` understands. Not offered in
 * committed files, whose text is fixed by their hash. */
function ignoreEdits(c: NonNullable<ReturnType<typeof context>>, f: Finding): { title: string; edit: TextEdit }[] {
  const project = c.analysis.project;
  if (project && roleOf(project, f.file) === 'committed') return [];
  const text = c.positions.text(f.file);
  const out: { title: string; edit: TextEdit }[] = [];

  // The statement's first line (the top-level statement when the finding is inside a DO block).
  let at = f.start;
  const st = statementAt(c.analysis, f.file, f.start);
  if (st) {
    let s = st.statement;
    while (s.parent) s = s.parent;
    const loc = s === st.statement ? st.location : { start: st.location.start - (st.statement.start - s.start) };
    at = loc.start;
  }
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const previousStart = lineStart > 0 ? text.lastIndexOf('\n', lineStart - 2) + 1 : -1;
  const previous = previousStart >= 0 ? text.slice(previousStart, lineStart - 1).replace(/\r$/, '') : '';
  const existing = /^([ \t]*--[ \t]*pgmig-ignore(?!-file)[ \t]+[a-z][a-z-]*(?:[ \t]*,[ \t]*[a-z][a-z-]*)*)[ \t]*$/.exec(previous);
  out.push({
    title: `Ignore ${f.rule} for this statement`,
    edit: existing
      ? { file: f.file, start: previousStart + existing[1].length, end: previousStart + existing[1].length, newText: `, ${f.rule}` }
      : { file: f.file, start: lineStart, end: lineStart, newText: `${indent}-- pgmig-ignore ${f.rule}\n` },
  });

  const fileComment = /^--[ \t]*pgmig-ignore-file[ \t]+[a-z][a-z-]*(?:[ \t]*,[ \t]*[a-z][a-z-]*)*/m.exec(text);
  out.push({
    title: `Ignore ${f.rule} in this file`,
    edit:
      fileComment && fileComment.index < 2000
        ? { file: f.file, start: fileComment.index + fileComment[0].length, end: fileComment.index + fileComment[0].length, newText: `, ${f.rule}` }
        : { file: f.file, start: 0, end: 0, newText: `-- pgmig-ignore-file ${f.rule}\n` },
  });
  return out;
}

// ---- migration engine (issue 5): server/engineHost.ts --------------------------------------------------------

/** Engine diagnostics per file, merged into what publish() sends for that file. */
const engineDiagnostics = new Map<string, Diagnostic[]>();
const engineHost = registerEngine(connection, {
  documents,
  workspaceFolders: () => workspaceFolders,
  whenScanned: () => started,
  files,
  workspace,
  isTrusted: () => trusted,
  log,
  setEngineDiagnostics(file, diagnostics) {
    if (diagnostics.length) engineDiagnostics.set(file, diagnostics);
    else engineDiagnostics.delete(file);
    const unit = workspace.unitFor(file);
    publish(unit, unit.snapshot);
  },
});

registerInit(connection);

process.on('uncaughtException', (e) => log(`internal error: ${e?.stack ?? e}`));

documents.listen(connection);
connection.listen();
serverTimings.loaded = performance.now();
