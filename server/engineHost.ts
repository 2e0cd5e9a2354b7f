// The migration engine hosted by the language server for the editor (issue 5): `workspace/executeCommand`
// handlers `pgmig.engine.*`, the `pgmig/status` and `pgmig/schema` requests behind the editor's trees, the
// `pgmig/statusChanged` notification, CodeLens on committed migrations and current.sql, watch, and the shadow check
// after saves. Any LSP client can use it; the VS Code client only presents. Database commands are refused unless
// the workspace is trusted. One engine per (project, database), kept open (PGlite costs seconds to start), and one
// queue per engine so that operations on a database never overlap.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CodeLensRefreshRequest,
  type CancellationToken,
  type CodeLens,
  type Connection,
  type Diagnostic,
  DiagnosticSeverity,
  ResponseError,
  type TextDocuments,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { describeConnection, redactSecrets } from '../core/db/connection';
import { readCommitted, type CommittedMigration } from '../core/engine/committed';
import { MigrationEngine, type CommitStep, type CurrentRunResult, type EngineEvent, type StatusReport } from '../core/engine/engine';
import { EngineError } from '../core/engine/errors';
import { forTarget, loadSettings, type EngineSettings } from '../core/engine/settings';
import { isBlankSql, placeholdersFor, sqlFingerprint, substitutePlaceholders } from '../core/engine/sourceText';
import { displayName } from '../core/schema/model';
import { layoutFor } from '../core/layouts';
import { AlembicLayout } from '../core/layouts/alembic';
import { dataMigrationCommands, dataMigrationStatus } from '../core/layouts/dataMigrations';
import { layoutLenses, type LayoutLens } from '../core/layouts/lenses';
import { layoutTreeItems, type LayoutTreeItem } from '../core/layouts/treeItems';
import type { LayoutKind, LayoutProject, LayoutStatus, MigrationLayout, ToolCommand } from '../core/layouts/types';
import { appliedMigrationEditedFindings } from '../core/rules/appliedMigrationEdited';
import { LineIndex } from '../core/text';
import type { Finding } from '../core/types';
import type { Files } from './files';
import { isInside, type Workspace } from './workspace';

export const ENGINE_COMMANDS = [
  'status',
  'targets',
  'selectTarget',
  'migrate',
  'rollback',
  'commit',
  'uncommit',
  'runCurrent',
  'watchStart',
  'watchStop',
  'reset',
  'initTarget',
  'dumpSchema',
  'layoutStatus',
  'layoutMigrate',
  'layoutRollback',
].map((c) => `pgmig.engine.${c}`);

/** Spread into the server's capabilities. */
export const ENGINE_CAPABILITIES = {
  executeCommandProvider: { commands: ENGINE_COMMANDS },
  codeLensProvider: { resolveProvider: false },
};

/** The pseudo-target that always means the embedded database in `.pgmig/db`. */
export const EMBEDDED_TARGET = 'embedded';

export interface EngineHostContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  files: Files;
  workspace: Workspace;
  isTrusted(): boolean;
  /** Engine diagnostics (SQL errors, shadow check) for a file, published merged with the analysis ones. */
  setEngineDiagnostics(file: string, diagnostics: Diagnostic[]): void;
  log(message: string): void;
}

/** Arguments of every `pgmig.engine.*` command (one object). */
export interface EngineArgs {
  root?: string;
  /** '' or absent: the project's default database (.gmrc / DATABASE_URL / embedded). */
  target?: string;
  /** A password typed in the editor (kept in its secret storage); used for this call only, never logged. */
  password?: string;
  /** migrate: apply up to and including this migration number. rollback: keep migrations up to this number. */
  to?: number;
  message?: string;
  /** reset: the database name, typed by the user. */
  confirm?: string;
  /** layoutMigrate: apply up to and including this migration id; layoutRollback: keep migrations up to this id. */
  id?: string;
  /** layoutRollback: roll back every applied migration. */
  all?: boolean;
}

/** What the tree shows for a project of another layout (numbered, drizzle, alembic): `pgmig/layoutStatus`. */
export interface LayoutStatusReport {
  root: string;
  target: string;
  kind: LayoutKind;
  database: string;
  reachable: boolean;
  error?: { message: string; code?: string };
  migrations: LayoutTreeItem[];
  pending: number;
  /** alembic: the revisions alembic_version holds, and the graph's heads. */
  current?: string[];
  heads?: string[];
  unknownApplied: string[];
  /** Project-level commands run in a terminal (alembic: Upgrade head). */
  commands: ToolCommand[];
  /** Data migrations of the same database, per schema, with the project's commands for that schema. */
  dataMigrations: { schema: string; migrations: { name: string; file: string; state: 'applied' | 'pending'; appliedAt?: string }[]; commands: ToolCommand[] }[];
}

interface EditorTarget {
  connectionString?: string;
  urlEnv?: string;
  protected?: boolean;
}

export type MigrationState = 'applied' | 'pending' | 'changed' | 'failed';

export interface MigrationItem {
  name: string;
  file: string;
  number: number;
  hash: string;
  previousHash: string | null;
  message: string | null;
  downFile?: string;
  state: MigrationState;
  appliedAt?: string;
  reason?: string;
  /** The latest applied migration with a down script: it can be rolled back. */
  canRollback: boolean;
}

export type CurrentState = 'empty' | 'dirty' | 'applied' | 'error';

export interface TargetStatus {
  root: string;
  target: string;
  database: string;
  /** What the user types to confirm a reset. */
  confirmName: string;
  protected: boolean;
  reachable: boolean;
  error?: { message: string; code?: string };
  migrations: MigrationItem[];
  pending: number;
  current: { files: string[]; fixtures: string[]; state: CurrentState; message?: string };
  watch: { on: boolean; state?: 'running' | 'applied' | 'unchanged' | 'error'; message?: string; at?: string };
}

interface Watch {
  abort: AbortController;
  done: Promise<void>;
  state?: 'running' | 'applied' | 'unchanged' | 'error';
  message?: string;
  /** The compiled current text the last error was about (the error stands until it changes). */
  errorText?: string;
  at?: Date;
}

interface Slot {
  key: string;
  root: string;
  target: string;
  signature: string;
  engine: MigrationEngine;
  queue: Promise<unknown>;
  watch?: Watch;
  /** Committed migration (real filename) -> why it failed at the last attempt. */
  failures: Map<string, string>;
  lastStatus?: TargetStatus;
  /** Other layouts: the latest status read (the CodeLens use it). */
  lastLayout?: LayoutStatus;
  /** The running operation's progress sink. */
  progress?: (message: string) => void;
}

const STEP_TEXT: Record<CommitStep, string> = {
  'current-read': 'current migration read',
  'shadow-reset': 'shadow database reset',
  'shadow-migrated': 'history replayed on the shadow',
  'shadow-current-ran': 'new migration validated on the shadow',
  'file-temp-written': 'writing the committed file',
  'file-renamed': 'committed file written',
  'main-migrated': 'applied to the database',
  'current-blanked': 'current migration blanked',
};

function engineErrorData(e: unknown) {
  if (e instanceof EngineError) {
    return {
      code: e.code,
      sqlstate: e.sqlstate,
      location: e.location ? { file: e.location.file, line: e.location.line, column: e.location.column, excerpt: e.location.excerpt } : undefined,
      detail: e.detail,
      hint: e.hint,
    };
  }
  return { code: 'internal' };
}

function oneLine(e: unknown): string {
  return redactSecrets(String((e as any)?.message ?? e).split('\n')[0]);
}

function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  try {
    const u = new URL(url);
    if (!u.password && u.host) {
      u.password = encodeURIComponent(password);
      return u.toString();
    }
  } catch {
    /* key=value strings: left as they are */
  }
  return url;
}

/**
 * A URL with a user and no password gets a placeholder password, unless libpq's other sources (PGPASSWORD, a
 * password file) may supply one. Why: when a server asks for a password and none is given, `pg` fails on the client
 * side and leaves the half-authenticated connection open; PostgreSQL keeps that backend until authentication_timeout
 * (60 s), and DROP DATABASE (reset) waits for every backend of the cluster meanwhile. With a placeholder the server
 * refuses the login at once ("password authentication failed", which makes the editor ask for the password); a
 * server that asks for no password never sees it. (`pg` treats an empty password as none.)
 */
function emptyPasswordUnlessOtherSource(url: string): string {
  if (process.env.PGPASSWORD) return url;
  const passFile = process.env.PGPASSFILE ?? path.join(os.homedir(), '.pgpass');
  if (fs.existsSync(passFile)) return url;
  return url.replace(/^(postgres(?:ql)?:\/\/)([^:@/?#]+)@/i, '$1$2:no-password-given@');
}

/** End of the word at `offset`, at least one character (a diagnostic's range). */
function tokenEnd(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && /[A-Za-z0-9_$.:"]/.test(text[i])) i++;
  return Math.max(i, Math.min(text.length, offset + 1));
}

/** An AbortSignal source that fires when the client cancels the request: the engine stops before its next migration. */
function abortOnCancel(token: CancellationToken, log: (message: string) => void): AbortController {
  const abort = new AbortController();
  token.onCancellationRequested(() => {
    log('cancel requested: stopping before the next migration');
    abort.abort();
  });
  return abort;
}

export function registerEngine(connection: Connection, ctxIn: Omit<EngineHostContext, 'connection'>): void {
  const ctx: EngineHostContext = { ...ctxIn, connection };
  const slots = new Map<string, Slot>();
  /** The target the editor selected per project root (CodeLens and status use it). */
  const selected = new Map<string, string>();
  /** Engine diagnostics: file -> source ('watch' | 'command' | 'shadow') -> diagnostics. */
  const engineDiagnostics = new Map<string, Map<string, Diagnostic[]>>();

  function setDiagnostics(source: string, byFile: Map<string, Diagnostic[]>, scope?: string): void {
    const files = new Set([...byFile.keys()]);
    for (const [file, bySource] of engineDiagnostics) if (bySource.has(source) && (!scope || isInside(scope, file))) files.add(file);
    for (const file of files) {
      let bySource = engineDiagnostics.get(file);
      if (!bySource) engineDiagnostics.set(file, (bySource = new Map()));
      const list = byFile.get(file) ?? [];
      if (list.length) bySource.set(source, list);
      else bySource.delete(source);
      if (!bySource.size) engineDiagnostics.delete(file);
      ctx.setEngineDiagnostics(file, [...(bySource.values() ?? [])].flat());
    }
  }

  function errorDiagnostics(e: unknown): Map<string, Diagnostic[]> {
    const out = new Map<string, Diagnostic[]>();
    if (!(e instanceof EngineError) || !e.location) return out;
    const { file, offset } = e.location;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return out;
    }
    const idx = new LineIndex(text);
    const start = Math.min(offset, text.length);
    // The code is the diagnostic's code: the message is PostgreSQL's own words.
    const message = e.message.replace(/^.*?:\d+:\d+: /, '').replace(/^[0-9A-Z]{5}: /, '') + (e.detail ? `\n${e.detail}` : '') + (e.hint ? `\nhint: ${e.hint}` : '');
    out.set(file, [
      {
        range: { start: idx.position(start), end: idx.position(tokenEnd(text, start)) },
        severity: DiagnosticSeverity.Error,
        source: 'pgmig',
        code: e.sqlstate ?? e.code,
        message: redactSecrets(message),
      },
    ]);
    return out;
  }

  // ---- projects, targets, settings ------------------------------------------------------------------------------

  /** graphile-migrate projects (the other layouts of core/layouts have no engine here yet). */
  function projectRoots(): string[] {
    return [...ctx.workspace.projects.values()].filter((u) => u.project && (u.project.layout ?? 'graphile') === 'graphile').map((u) => u.key);
  }

  /** Projects of the other layouts (numbered SQL, Drizzle, Alembic): served from core/layouts. */
  function layoutRoots(): string[] {
    return [...ctx.workspace.projects.values()].filter((u) => u.project?.layoutProject && u.project.layout !== 'graphile').map((u) => u.key);
  }

  function layoutOf(root: string): { project: LayoutProject; layout: MigrationLayout } {
    const project = ctx.workspace.projects.get(root)?.project?.layoutProject;
    const layout = project && layoutFor(project);
    if (!project || !layout) throw new EngineError('config', `${root} is not a numbered, Drizzle or Alembic project`);
    return { project, layout };
  }

  function rootOf(args: EngineArgs): string {
    const roots = projectRoots();
    if (args.root) {
      const real = ctx.files.disk.realpath(args.root) ?? path.resolve(args.root);
      if (roots.includes(real) || layoutRoots().includes(real)) return real;
      if (fs.existsSync(path.join(real, '.gmrc')) || fs.existsSync(path.join(real, 'migrations'))) return real;
      throw new EngineError('config', `${args.root} is not a migrations project`);
    }
    if (roots.length === 0) throw new EngineError('config', 'no migrations project in this workspace (a folder with .gmrc or migrations/)');
    // The shortest root first: the workspace's own project before nested samples.
    return [...roots].sort((a, b) => a.length - b.length)[0];
  }

  async function editorTargets(root: string): Promise<Record<string, EditorTarget>> {
    try {
      const v = (await connection.workspace.getConfiguration({ scopeUri: ctx.files.uriOf(root), section: 'pgmig.targets' })) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, EditorTarget>) : {};
    } catch {
      return {};
    }
  }

  async function resolveSettings(root: string, target: string, password?: string): Promise<{ settings: EngineSettings; protected: boolean }> {
    const base = loadSettings({ root, allowJsConfig: false });
    const editor = await editorTargets(root);
    const isProtected = editor[target || 'default']?.protected === true;
    let settings: EngineSettings;
    if (!target) settings = base;
    else if (target === EMBEDDED_TARGET) {
      settings = { ...base, target: EMBEDDED_TARGET, main: { kind: 'pglite', dataDir: path.resolve(root, base.engine.embeddedDataDir) }, shadow: { kind: 'pglite-memory' } };
    } else if (editor[target] && (editor[target].connectionString || editor[target].urlEnv) && !base.targets[target]) {
      const t = editor[target];
      const url = t.connectionString ?? process.env[t.urlEnv!];
      if (!url) throw new EngineError('config', `target '${target}': environment variable ${t.urlEnv} is not set`);
      settings = forTarget({ ...base, targets: { ...base.targets, [target]: { name: target, urlEnv: '__PGMIG_EDITOR_URL', pgSettings: {}, seeds: [] } } }, target, { ...process.env, __PGMIG_EDITOR_URL: url });
    } else settings = forTarget(base, target);
    if (settings.main.kind === 'pg') {
      settings = { ...settings, main: { kind: 'pg', url: password ? withPassword(settings.main.url, password) : emptyPasswordUnlessOtherSource(settings.main.url) } };
    }
    return { settings, protected: isProtected };
  }

  async function slotFor(args: EngineArgs): Promise<{ slot: Slot; settings: EngineSettings; protected: boolean }> {
    const root = rootOf(args);
    const target = args.target ?? selected.get(root) ?? '';
    const { settings, protected: isProtected } = await resolveSettings(root, target, args.password);
    // One engine per target; but the embedded database is one folder that one PGlite may open: the default and
    // `embedded` share it.
    const key = `${root}\0${settings.main.kind === 'pglite' ? settings.main.dataDir : settings.main.kind === 'pg' ? `target:${target}` : 'memory'}`;
    const signature = JSON.stringify(settings);
    let slot = slots.get(key);
    let previous: Promise<unknown> = Promise.resolve();
    if (slot && slot.signature !== signature) {
      // Settings changed (a .gmrc edit, a new password): a new engine, which starts after the old one closed.
      const old = slot;
      old.watch?.abort.abort();
      slot = undefined;
      previous = old.queue.catch(() => undefined).then(() => old.engine.close()).catch(() => undefined);
    }
    if (!slot) {
      const s: Slot = {
        key,
        root,
        target,
        signature,
        engine: undefined as unknown as MigrationEngine,
        queue: previous,
        failures: new Map(),
      };
      s.engine = new MigrationEngine(settings, (e) => onEvent(s, e));
      slots.set(key, s);
      slot = s;
    }
    slot.target = target;
    return { slot, settings, protected: isProtected };
  }

  function onEvent(slot: Slot, e: EngineEvent): void {
    const prefix = slot.target ? `[${slot.target}] ` : '';
    switch (e.type) {
      case 'info':
        ctx.log(`${prefix}${e.message}`);
        slot.progress?.(e.message);
        break;
      case 'step':
        slot.progress?.(STEP_TEXT[e.step]);
        break;
      case 'migration-applied':
        ctx.log(`${prefix}${e.shadow ? '[shadow] ' : ''}applied ${e.filename} (${e.ms.toFixed(0)} ms)`);
        slot.progress?.(`${e.shadow ? 'shadow: ' : ''}applied ${e.filename}`);
        break;
      case 'waiting-for-lock':
        ctx.log(`${prefix}waiting for the migration lock on ${e.database}`);
        slot.progress?.('waiting for the migration lock');
        break;
      case 'action-output':
        ctx.log(`${prefix}${redactSecrets(e.text.trimEnd())}`);
        break;
    }
  }

  /** Runs `fn` after the slot's previous operation. */
  function enqueue<T>(slot: Slot, fn: () => Promise<T>): Promise<T> {
    const run = slot.queue.catch(() => undefined).then(fn);
    slot.queue = run.catch(() => undefined);
    return run;
  }

  // ---- status ---------------------------------------------------------------------------------------------------

  async function currentAppliedText(slot: Slot): Promise<string | undefined> {
    return slot.engine.db('main').withSession(async (s) => {
      const [ok] = await s.query<{ ok: boolean }>(`select to_regclass('graphile_migrate.current') is not null as ok`);
      if (!ok.ok) return undefined;
      const [row] = await s.query<{ content: string }>(`select content from graphile_migrate.current where filename = 'current.sql'`);
      return row?.content;
    });
  }

  async function computeStatus(slot: Slot, settings: EngineSettings, isProtected: boolean): Promise<TargetStatus> {
    const engine = slot.engine;
    const main = settings.main;
    const status: TargetStatus = {
      root: slot.root,
      target: slot.target,
      database: main.kind === 'pg' ? describeConnection(main.url) : main.kind === 'pglite' ? `embedded database (${path.relative(slot.root, main.dataDir) || main.dataDir})` : 'in-memory database',
      confirmName: main.kind === 'pg' ? engine.db('main').databaseName : EMBEDDED_TARGET,
      protected: isProtected,
      reachable: true,
      migrations: [],
      pending: 0,
      current: { files: [], fixtures: [], state: 'empty' },
      watch: { on: !!slot.watch, state: slot.watch?.state, message: slot.watch?.message, at: slot.watch?.at?.toISOString() },
    };
    let committed: CommittedMigration[] = [];
    try {
      committed = readCommitted(settings.migrationsFolder);
    } catch (e) {
      status.error = { message: oneLine(e), code: e instanceof EngineError ? e.code : undefined };
    }
    let report: StatusReport | undefined;
    let appliedCurrent: string | undefined;
    if (!status.error) {
      try {
        report = await engine.status();
        appliedCurrent = await currentAppliedText(slot);
      } catch (e) {
        status.reachable = !(e instanceof EngineError && (e.code === 'connect' || e.code === 'lock'));
        status.error = { message: oneLine(e), code: e instanceof EngineError ? e.code : undefined };
      }
    }
    const applied = new Map((report?.applied ?? []).map((a) => [a.filename, a]));
    const changed = new Map((report?.changed ?? []).map((c) => [c.filename, c.reason]));
    const pending = new Set(report?.pending ?? []);
    let latestApplied: MigrationItem | undefined;
    for (const m of committed) {
      const a = applied.get(m.filename);
      let state: MigrationState = a ? 'applied' : 'pending';
      let reason: string | undefined;
      if (changed.has(m.realFilename)) {
        state = 'changed';
        reason = changed.get(m.realFilename);
      } else if (!a && slot.failures.has(m.realFilename)) {
        state = 'failed';
        reason = slot.failures.get(m.realFilename);
      }
      if (!report) state = 'pending';
      const item: MigrationItem = {
        name: m.realFilename,
        file: m.fullPath,
        number: parseInt(m.filename, 10),
        hash: m.hash,
        previousHash: m.previousHash,
        message: m.message,
        downFile: m.downPath,
        state,
        appliedAt: a ? new Date(a.date).toISOString() : undefined,
        reason,
        canRollback: false,
      };
      if (a) latestApplied = item;
      status.migrations.push(item);
    }
    if (latestApplied?.downFile) latestApplied.canRollback = true;
    status.pending = [...pending].length;

    try {
      const cur = engine.compileCurrent();
      const currentFiles = cur.location.isFile ? [cur.location.path] : cur.files.filter((f) => path.dirname(f) === cur.location.path);
      status.current.files = currentFiles;
      status.current.fixtures = cur.files.filter((f) => !currentFiles.includes(f));
      const placeholders = placeholdersFor(settings.placeholders, engine.db('main').databaseName, settings.databaseOwner);
      const runnable = substitutePlaceholders(cur.text, placeholders).text;
      if (slot.watch?.state === 'error' && slot.watch.errorText === cur.text) {
        status.current.state = 'error';
        status.current.message = slot.watch.message;
      } else if (isBlankSql(runnable)) status.current.state = 'empty';
      else if (appliedCurrent !== undefined && sqlFingerprint(appliedCurrent) === sqlFingerprint(runnable)) status.current.state = 'applied';
      else status.current.state = 'dirty';
    } catch (e) {
      status.current.state = 'error';
      status.current.message = oneLine(e);
      const loc = path.join(settings.migrationsFolder, 'current.sql');
      status.current.files = fs.existsSync(loc) ? [loc] : [];
    }
    // The CodeLens show this status: when it changed (a file edit, another client's command), refresh them.
    const before = slot.lastStatus && JSON.stringify({ ...slot.lastStatus, watch: undefined });
    slot.lastStatus = status;
    if (before !== JSON.stringify({ ...status, watch: undefined })) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    return status;
  }

  // ---- notifications ---------------------------------------------------------------------------------------------

  function changed(slot: Slot): void {
    void connection.sendNotification('pgmig/statusChanged', { root: slot.root, target: slot.target });
    void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  // ---- watch ------------------------------------------------------------------------------------------------------

  function startWatch(slot: Slot): Watch {
    const abort = new AbortController();
    const watch: Watch = { abort, done: Promise.resolve(), state: 'running' };
    const onRun = (r: CurrentRunResult | EngineError | Error) => {
      watch.at = new Date();
      if (r instanceof Error) {
        watch.state = 'error';
        watch.message = oneLine(r).replace(/^.*?:\d+:\d+: /, '');
        try {
          watch.errorText = slot.engine.compileCurrent().text;
        } catch {
          watch.errorText = undefined;
        }
        ctx.log(`${slot.target ? `[${slot.target}] ` : ''}watch: current migration failed: ${oneLine(r)}`);
        setDiagnostics(`watch:${slot.key}`, errorDiagnostics(r));
      } else {
        watch.state = r.unchanged ? 'unchanged' : 'applied';
        watch.message = r.unchanged ? 'unchanged' : `applied in ${r.ms.toFixed(0)} ms`;
        watch.errorText = undefined;
        ctx.log(`${slot.target ? `[${slot.target}] ` : ''}watch: current migration ${watch.message}`);
        setDiagnostics(`watch:${slot.key}`, new Map());
        if (watch.state === 'applied') watch.state = 'applied';
      }
      changed(slot);
    };
    watch.done = slot.engine
      .watch({ signal: abort.signal, onRun, pollMs: 1000 })
      .then(() => undefined)
      .catch((e) => {
        watch.state = 'error';
        watch.message = oneLine(e);
        ctx.log(`watch stopped: ${oneLine(e)}`);
        setDiagnostics(`watch:${slot.key}`, errorDiagnostics(e));
        if (slot.watch === watch) slot.watch = undefined;
        changed(slot);
      });
    slot.watch = watch;
    return watch;
  }

  async function stopWatch(slot: Slot): Promise<void> {
    const w = slot.watch;
    if (!w) return;
    slot.watch = undefined;
    w.abort.abort();
    await w.done;
    setDiagnostics(`watch:${slot.key}`, new Map());
  }

  // ---- "apply up to here" -----------------------------------------------------------------------------------------

  /**
   * The engine applies every pending migration; applying up to one is done by pointing it at a folder that holds
   * only the migrations up to that number (symlinks), for the duration of one queued operation.
   * TODO(engine): replace with `engine.migrate({ to })` once the engine offers it.
   */
  async function migrateUpTo(slot: Slot, to: number, signal: AbortSignal) {
    const settings = slot.engine.settings as { migrationsFolder: string };
    const folder = settings.migrationsFolder;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgmig-upto-'));
    try {
      for (const entry of fs.readdirSync(folder)) if (entry !== 'committed') fs.symlinkSync(path.join(folder, entry), path.join(tmp, entry));
      fs.mkdirSync(path.join(tmp, 'committed'));
      for (const m of readCommitted(folder)) {
        if (parseInt(m.filename, 10) > to) continue;
        fs.symlinkSync(m.fullPath, path.join(tmp, 'committed', m.realFilename));
      }
      settings.migrationsFolder = tmp;
      try {
        return await slot.engine.migrate({ signal });
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        const back = (s: string) => s.split(tmp).join(folder);
        throw new EngineError(e.code, back(e.message), {
          sqlstate: e.sqlstate,
          detail: e.detail,
          hint: e.hint,
          cause: e,
          location: e.location ? { ...e.location, file: back(e.location.file) } : undefined,
        });
      } finally {
        settings.migrationsFolder = folder;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  // ---- commands ---------------------------------------------------------------------------------------------------

  /** Reads a layout project's status (tracking table, data migrations) and publishes applied-migration-edited. */
  async function computeLayoutStatus(slot: Slot, settings: EngineSettings): Promise<LayoutStatusReport> {
    const { project, layout } = layoutOf(slot.root);
    const own = layout instanceof AlembicLayout ? layout.database() : undefined;
    const database = own
      ? own.kind === 'url' ? describeConnection(own.url) : 'the database alembic uses'
      : settings.main.kind === 'pg' ? describeConnection(settings.main.url) : settings.main.kind === 'pglite' ? 'embedded database' : 'in-memory database';
    const commands = layout instanceof AlembicLayout ? [layout.command('upgrade-head')] : [];
    const base = { root: slot.root, target: slot.target, kind: project.kind, database, commands };
    const heads = layout instanceof AlembicLayout ? layout.graph().heads : undefined;
    let status: LayoutStatus;
    try {
      // Alembic owns its database: read the one alembic uses, never an embedded one (core/layouts/alembicDatabase.ts).
      status = layout instanceof AlembicLayout ? await layout.statusInOwnDatabase() : await layout.status(slot.engine.db('main'));
    } catch (e) {
      return { ...base, reachable: false, error: { message: oneLine(e), code: e instanceof EngineError ? e.code : undefined }, migrations: [], pending: 0, heads, unknownApplied: [], dataMigrations: [] };
    }
    const before = slot.lastLayout && JSON.stringify(slot.lastLayout);
    slot.lastLayout = status;
    if (before !== JSON.stringify(status)) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    const byFile = new Map<string, Diagnostic[]>();
    for (const f of appliedMigrationEditedFindings(status, (file) => ctx.files.read(file))) {
      const idx = new LineIndex(ctx.files.read(f.file) ?? '');
      const list = byFile.get(f.file) ?? [];
      list.push({ range: { start: idx.position(f.start), end: idx.position(f.end) }, severity: DiagnosticSeverity.Warning, source: 'pgmig', code: f.rule, message: f.message });
      byFile.set(f.file, list);
    }
    setDiagnostics(`layout:${slot.root}`, byFile, slot.root);
    const dataMigrations: LayoutStatusReport['dataMigrations'] = [];
    if (project.dataMigrations && !(layout instanceof AlembicLayout)) {
      try {
        for (const [schema, list] of await dataMigrationStatus(slot.engine.db('main'), project.dataMigrations)) {
          dataMigrations.push({
            schema,
            migrations: list.map((m) => ({ name: m.name, file: m.file, state: m.state, appliedAt: m.appliedAt?.toISOString() })),
            commands: dataMigrationCommands(project.dataMigrations, project.root, schema),
          });
        }
      } catch (e) {
        ctx.log(`data migrations of ${slot.root}: ${oneLine(e)}`);
      }
    }
    const migrations = layoutTreeItems(status);
    return { ...base, reachable: true, migrations, pending: migrations.filter((m) => m.state === 'pending').length, current: status.current, heads, unknownApplied: status.unknownApplied, dataMigrations };
  }

  function refuseUntrusted(): void {
    if (!ctx.isTrusted()) throw new EngineError('refused', 'database commands are disabled in an untrusted workspace (trust the workspace to enable them)');
  }

  /** After a failed migrate: the first migration still pending is the one that failed. */
  async function recordFailure(slot: Slot, e: unknown): Promise<void> {
    if (e instanceof EngineError && e.code === 'cancelled') return; // stopped, not failed
    try {
      const report = await slot.engine.status();
      const first = report.pending[0];
      if (first) slot.failures.set(first, oneLine(e));
    } catch {
      /* unreachable database: nothing to record */
    }
  }

  type Handler = (args: EngineArgs, token: CancellationToken, progress: (message: string) => void) => Promise<unknown>;

  const handlers: Record<string, Handler> = {
    async status(args) {
      refuseUntrusted();
      const { slot, settings, protected: p } = await slotFor(args);
      return enqueue(slot, () => computeStatus(slot, settings, p));
    },
    async targets(args) {
      const root = rootOf(args);
      const base = loadSettings({ root, allowJsConfig: false });
      const editor = await editorTargets(root);
      const describe = (s: EngineSettings['main']) => (s.kind === 'pg' ? describeConnection(s.url) : s.kind === 'pglite' ? 'embedded database' : 'in-memory database');
      const list = [{ name: '', label: 'default', description: describe(base.main), protected: editor.default?.protected === true }];
      if (base.main.kind === 'pg') list.push({ name: EMBEDDED_TARGET, label: EMBEDDED_TARGET, description: 'embedded database (.pgmig/db)', protected: false });
      const fromEnv = (v: string) => (process.env[v] ? `${describeConnection(process.env[v]!)} ($${v})` : `$${v} (not set)`);
      for (const name of Object.keys(base.targets)) list.push({ name, label: name, description: `pgmig.json: ${fromEnv(base.targets[name].urlEnv)}`, protected: editor[name]?.protected === true });
      for (const [name, t] of Object.entries(editor)) {
        if (name === 'default' || base.targets[name] || !(t.connectionString || t.urlEnv)) continue;
        list.push({ name, label: name, description: t.connectionString ? describeConnection(t.connectionString) : fromEnv(t.urlEnv!), protected: t.protected === true });
      }
      return { root, selected: selected.get(root) ?? '', targets: list };
    },
    async selectTarget(args) {
      const root = rootOf(args);
      selected.set(root, args.target ?? '');
      void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
      return { root, target: args.target ?? '' };
    },
    async migrate(args, token) {
      refuseUntrusted();
      const { slot } = await slotFor(args);
      const abort = abortOnCancel(token, ctx.log);
      return enqueue(slot, async () => {
        try {
          const r = args.to === undefined ? await slot.engine.migrate({ signal: abort.signal }) : await migrateUpTo(slot, args.to, abort.signal);
          for (const f of r.applied) slot.failures.delete(f);
          return r;
        } catch (e) {
          await recordFailure(slot, e);
          throw e;
        }
      });
    },
    async rollback(args, token) {
      refuseUntrusted();
      const { slot } = await slotFor(args);
      const abort = abortOnCancel(token, ctx.log);
      return enqueue(slot, () => slot.engine.rollback({ to: args.to, signal: abort.signal }));
    },
    async commit(args) {
      refuseUntrusted();
      const { slot } = await slotFor(args);
      return enqueue(slot, async () => {
        const r = await slot.engine.commit({ message: args.message || undefined });
        slot.failures.clear();
        return r;
      });
    },
    async uncommit(args) {
      refuseUntrusted();
      const { slot } = await slotFor(args);
      return enqueue(slot, () => slot.engine.uncommit());
    },
    async runCurrent(args, token) {
      refuseUntrusted();
      const { slot } = await slotFor(args);
      const abort = abortOnCancel(token, ctx.log);
      return enqueue(slot, async () => {
        await slot.engine.migrate({ signal: abort.signal });
        return slot.engine.runCurrent({ force: true, signal: abort.signal });
      });
    },
    async watchStart(args) {
      refuseUntrusted();
      const { slot } = await slotFor(args);
      await enqueue(slot, async () => {
        if (!slot.watch) startWatch(slot);
      });
      return { watching: true };
    },
    async watchStop(args) {
      const { slot } = await slotFor(args);
      await stopWatch(slot);
      return { watching: false };
    },
    async reset(args) {
      refuseUntrusted();
      const { slot, settings, protected: isProtected } = await slotFor(args);
      const name = settings.main.kind === 'pg' ? slot.engine.db('main').databaseName : EMBEDDED_TARGET;
      if (isProtected) throw new EngineError('refused', `target '${slot.target || 'default'}' is protected: reset is refused (pgmig.targets.${slot.target || 'default'}.protected)`);
      if (args.confirm !== name) throw new EngineError('refused', `reset drops the whole database: type its name '${name}' to confirm`);
      // Other engines connected to the same database (other targets naming it) would block DROP DATABASE.
      const here = settings.main.kind === 'pg' ? describeConnection(settings.main.url) : undefined;
      for (const other of slots.values()) {
        if (other === slot || !here) continue;
        const loc = other.engine.settings.main;
        if (loc.kind === 'pg' && describeConnection(loc.url) === here) {
          ctx.log(`reset: closing the connections of target '${other.target || 'default'}' to the same database`);
          await stopWatch(other);
          await enqueue(other, () => other.engine.close());
        }
      }
      return enqueue(slot, async () => {
        await stopWatch(slot);
        ctx.log(`reset: dropping and re-creating ${settings.main.kind === 'pg' ? describeConnection(settings.main.url) : 'the embedded database'}`);
        const r = await slot.engine.reset({ erase: true });
        slot.failures.clear();
        return r;
      });
    },
    async initTarget(args) {
      refuseUntrusted();
      const { slot } = await slotFor(args);
      return enqueue(slot, () => slot.engine.targetInit());
    },
    async layoutStatus(args) {
      refuseUntrusted();
      const { slot, settings } = await slotFor(args);
      return enqueue(slot, () => computeLayoutStatus(slot, settings));
    },
    async layoutMigrate(args, token) {
      refuseUntrusted();
      const { slot, settings } = await slotFor(args);
      const { layout } = layoutOf(slot.root);
      if (layout instanceof AlembicLayout) throw new EngineError('refused', 'Alembic migrations run with alembic itself: use the Upgrade lenses (they run in a terminal)');
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return enqueue(slot, async () => {
        try {
          return await layout.migrate(slot.engine.db('main'), { to: args.id, signal: abort.signal, lockTimeoutMs: settings.engine.lockTimeoutMs, onApplied: (m) => slot.progress?.(`applied ${path.basename(m.file)}`) });
        } finally {
          await computeLayoutStatus(slot, settings).catch(() => undefined);
        }
      });
    },
    async layoutRollback(args, token) {
      refuseUntrusted();
      const { slot, settings } = await slotFor(args);
      const { layout } = layoutOf(slot.root);
      if (layout instanceof AlembicLayout) throw new EngineError('refused', 'Alembic migrations run with alembic itself: use the Downgrade lenses (they run in a terminal)');
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return enqueue(slot, async () => {
        try {
          return await layout.rollback(slot.engine.db('main'), { to: args.id, all: args.all === true, signal: abort.signal, lockTimeoutMs: settings.engine.lockTimeoutMs, onRolledBack: (m) => slot.progress?.(`rolled back ${path.basename(m.file)}`) });
        } finally {
          await computeLayoutStatus(slot, settings).catch(() => undefined);
        }
      });
    },
    async dumpSchema(args) {
      refuseUntrusted();
      const { slot } = await slotFor(args);
      return enqueue(slot, async () => {
        const r = await slot.engine.schemaDump();
        return { file: r.file, via: r.via };
      });
    },
  };

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
        const found = await slotFor(args).catch(() => undefined);
        slot = found?.slot;
        if (slot) slot.progress = progress;
        ctx.log(`${name}${args.target ? ` [${args.target}]` : ''}${args.to !== undefined ? ` to ${args.to}` : ''}`);
      }
      const result = await handlers[name](args, token, progress);
      if (slot && !quiet) setDiagnostics(`command:${slot.key}`, new Map());
      return result ?? null;
    } catch (e) {
      if (!quiet) ctx.log(`${name} failed: ${oneLine(e)}${e instanceof EngineError && e.location ? `\n${e.location.excerpt}` : ''}`);
      if (slot && !quiet) setDiagnostics(`command:${slot.key}`, errorDiagnostics(e));
      return new ResponseError(1, oneLine(e), engineErrorData(e));
    } finally {
      if (slot) {
        slot.progress = undefined;
        if (!quiet) changed(slot);
      }
      if (!quiet) workDone.done();
    }
  });

  // ---- custom requests for the editor's trees ----------------------------------------------------------------------

  connection.onRequest('pgmig/projects', () => ({
    roots: projectRoots(),
    layouts: layoutRoots().map((root) => ({ root, kind: ctx.workspace.projects.get(root)?.project?.layout })),
    trusted: ctx.isTrusted(),
  }));

  connection.onRequest('pgmig/layoutStatus', async (args: EngineArgs) => {
    try {
      return await handlers.layoutStatus(args, { isCancellationRequested: false } as CancellationToken, () => undefined);
    } catch (e) {
      return new ResponseError(1, oneLine(e), engineErrorData(e));
    }
  });

  // Lenses on files the language client does not send (Alembic's .py, data migrations' .ts): the client asks.
  connection.onRequest('pgmig/layoutLenses', (args: { file: string }) => layoutCodeLenses(args.file) ?? []);

  connection.onRequest('pgmig/status', async (args: EngineArgs) => {
    try {
      return await handlers.status(args, { isCancellationRequested: false } as CancellationToken, () => undefined);
    } catch (e) {
      return new ResponseError(1, oneLine(e), engineErrorData(e));
    }
  });

  const TABLE_RULES = new Set(['missing-rls', 'rls-without-policy', 'policy-without-rls', 'unindexed-foreign-key']);
  connection.onRequest('pgmig/schema', (args: { root?: string }): unknown => {
    let root: string;
    try {
      root = rootOf(args);
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

  // ---- CodeLens -----------------------------------------------------------------------------------------------------

  const refreshing = new Set<string>();

  /** CodeLens of a file in a numbered, Drizzle or Alembic project (core/layouts/lenses.ts); undefined elsewhere. */
  function layoutCodeLenses(file: string): CodeLens[] | undefined {
    let root: string | undefined;
    for (const r of layoutRoots()) if (isInside(r, file) && (!root || r.length > root.length)) root = r;
    if (!root) return undefined;
    // Every lens touches the database (pgmig's own commands or the project's tool in a terminal).
    if (!ctx.isTrusted()) return [];
    const project = ctx.workspace.projects.get(root)?.project?.layoutProject;
    if (!project) return [];
    const target = selected.get(root) ?? '';
    let slot: Slot | undefined;
    for (const s of slots.values()) if (s.root === root && s.target === target) slot = s;
    const status = slot?.lastLayout;
    if (slot && !status && (project.kind === 'numbered' || project.kind === 'drizzle')) {
      const key = `${root}\0${target}`;
      if (!refreshing.has(key)) {
        refreshing.add(key);
        void handlers
          .layoutStatus({ root, target }, { isCancellationRequested: false } as CancellationToken, () => undefined)
          .catch(() => undefined)
          .finally(() => {
            refreshing.delete(key);
            void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
          });
      }
    }
    const text = ctx.files.read(file) ?? '';
    const idx = new LineIndex(text);
    const toCodeLens = (l: LayoutLens): CodeLens => {
      const range = { start: idx.position(l.start), end: idx.position(l.end) };
      switch (l.action) {
        case 'migrate-to':
          return { range, command: { title: l.title, command: 'pgmig.engine.layoutMigrate', arguments: [{ root, target, id: l.migrationId }] } };
        case 'rollback-to':
          return { range, command: { title: l.title, command: 'pgmig.engine.layoutRollback', arguments: [{ root, target, id: l.migrationId, all: l.all === true }] } };
        case 'open-down':
          return { range, command: { title: l.title, command: 'pgmig.openAt', arguments: [l.target, 0] } };
        default:
          return { range, command: { title: l.title, command: 'pgmig.runInTerminal', arguments: [{ root, title: l.title, commandLine: l.commandLine, cwd: l.cwd }] } };
      }
    };
    const lenses = layoutLenses(project, file, status).map(toCodeLens);
    if (status && (project.kind === 'numbered' || project.kind === 'drizzle')) {
      const item = status.migrations.find((m) => m.file === file);
      if (item) {
        const where = target || 'default';
        const state = item.changed ? `changed after apply on ${where}` : item.state === 'applied' ? `applied on ${where}${item.appliedAt ? ` ${item.appliedAt.toISOString().slice(0, 19).replace('T', ' ')}` : ''}` : `pending on ${where}`;
        lenses.unshift({ range: lenses[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, command: { title: state, command: '' } });
      }
    }
    return lenses;
  }

  connection.onCodeLens((params) => {
    const file = ctx.files.pathOf(params.textDocument.uri);
    const layoutLensList = layoutCodeLenses(file);
    if (layoutLensList) return layoutLensList;
    let root: string | undefined;
    for (const r of projectRoots()) if (isInside(r, file) && (!root || r.length > root.length)) root = r;
    if (!root || !ctx.isTrusted()) return [];
    const project = ctx.workspace.projects.get(root)?.project;
    if (!project) return [];
    const isCommitted = project.committedFiles.includes(file);
    const isCurrent = project.currentFiles.includes(file);
    if (!isCommitted && !isCurrent) return [];
    const target = selected.get(root) ?? '';
    let status: TargetStatus | undefined;
    for (const s of slots.values()) if (s.root === root && s.target === target && s.lastStatus) status = s.lastStatus;
    const base = { root, target };
    const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const lens = (title: string, command = '', args?: unknown): CodeLens => ({ range: top, command: { title, command, arguments: args === undefined ? undefined : [args] } });
    if (!status) {
      // No engine for this project yet: opening a database just because a file is open would start the embedded
      // one for every user of the analysis. Offer the status instead.
      if (![...slots.values()].some((s) => s.root === root)) return [lens('$(database) Show migration status', 'pgmig.engine.status', base)];
      const key = `${root}\0${target}`;
      if (!refreshing.has(key)) {
        refreshing.add(key);
        void handlers
          .status(base, { isCancellationRequested: false } as CancellationToken, () => undefined)
          .catch(() => undefined)
          .finally(() => {
            refreshing.delete(key);
            void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
          });
      }
      return [lens('pgmig: reading the database status…')];
    }
    const where = target || 'default';
    if (isCurrent) {
      const w = status.watch;
      const state = status.current.state;
      return [
        lens(`current: ${state === 'applied' ? 'applied by watch' : state}${status.current.message && state === 'error' ? ` (${status.current.message.slice(0, 60)})` : ''}`),
        lens('Run', 'pgmig.engine.runCurrent', base),
        lens('Commit', 'pgmig.engine.commit', base),
        w.on ? lens(`watch: on${w.state === 'error' ? ' (error)' : ''} — Stop`, 'pgmig.engine.watchStop', base) : lens('watch: off — Start', 'pgmig.engine.watchStart', base),
      ];
    }
    const item = status.migrations.find((m) => m.file === file);
    if (!item) return [];
    const out: CodeLens[] = [];
    if (item.state === 'applied') out.push(lens(`applied on ${where}${item.appliedAt ? ` ${item.appliedAt.slice(0, 19).replace('T', ' ')}` : ''}`));
    else if (item.state === 'changed') out.push(lens(`changed after apply on ${where}`));
    else if (item.state === 'failed') out.push(lens(`failed on ${where}: ${(item.reason ?? '').slice(0, 80)}`));
    else out.push(lens(`pending on ${where}`));
    if (item.state === 'pending' || item.state === 'failed') out.push(lens('Apply', 'pgmig.engine.migrate', { ...base, to: item.number }));
    if (item.canRollback) out.push(lens('Rollback', 'pgmig.engine.rollback', { ...base, to: item.number - 1 }));
    return out;
  });

  // ---- after saves: watch runs on its own (it watches the files); the shadow check runs here when enabled ---------

  let shadowTimer: NodeJS.Timeout | undefined;
  ctx.documents.onDidSave((e) => {
    const file = ctx.files.pathOf(e.document.uri);
    // A saved file's old SQL error positions (from a command) are stale; the next run sets them again.
    const bySource = engineDiagnostics.get(file);
    if (bySource) {
      for (const key of [...bySource.keys()]) if (key.startsWith('command:')) bySource.delete(key);
      if (!bySource.size) engineDiagnostics.delete(file);
      ctx.setEngineDiagnostics(file, [...bySource.values()].flat());
    }
    if (!ctx.isTrusted()) return;
    let root: string | undefined;
    for (const r of projectRoots()) if (isInside(r, file)) root = r;
    if (!root) return;
    if (shadowTimer) clearTimeout(shadowTimer);
    const r = root;
    shadowTimer = setTimeout(() => void shadowCheck(r), 50);
  });

  async function shadowCheck(root: string): Promise<void> {
    let enabled = false;
    try {
      enabled = (await connection.workspace.getConfiguration({ scopeUri: ctx.files.uriOf(root), section: 'pgmig.shadowCheck' })) === true;
    } catch {
      return;
    }
    if (!enabled) {
      setDiagnostics(`shadow:${root}`, new Map());
      return;
    }
    try {
      const { slot } = await slotFor({ root });
      const findings = await slot.engine.shadowCheck();
      const byFile = new Map<string, Diagnostic[]>();
      for (const f of findings) {
        const text = ctx.files.read(f.file) ?? '';
        const idx = new LineIndex(text);
        const list = byFile.get(f.file) ?? [];
        list.push({ range: { start: idx.position(f.start), end: idx.position(f.end) }, severity: DiagnosticSeverity.Error, source: 'pgmig', code: 'shadow-error', message: f.message });
        byFile.set(f.file, list);
      }
      setDiagnostics(`shadow:${root}`, byFile);
      ctx.log(`shadow check: ${findings.length} runtime error(s)`);
    } catch (e) {
      ctx.log(`shadow check failed: ${oneLine(e)}`);
    }
  }

}
