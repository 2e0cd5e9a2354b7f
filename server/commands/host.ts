// What every engine command shares: the editor's context, one engine per (project, database) with its queue
// ("slots"), the target selected per project, engine diagnostics by source, and settings resolution (the project's
// settings, the editor's pgmig.targets, a typed password). The commands are in this folder, one module each;
// server/engineHost.ts registers them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CodeLensRefreshRequest,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  DiagnosticSeverity,
  type TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { redactSecrets } from '../../core/db/connection';
import { MigrationEngine, type CommitStep, type EngineEvent } from '../../core/engine';
import { EngineError } from '../../core/engine/errors';
import type { EnvFile } from '../../core/engine/envFile';
import { environmentOf, forTarget, loadSettings, type EngineSettings } from '../../core/engine/settings';
import { layoutFor } from '../../core/layouts';
import type { LayoutProject, LayoutStatus, MigrationLayout } from '../../core/layouts/types';
import { LineIndex } from '../../core/text';
import type { Files } from '../files';
import { isInside, type Workspace } from '../workspace';
import type { EngineArgs, TargetStatus } from './types';

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
  /** The editor's workspace folders (`${workspaceFolder}` in pgmig.envFile). */
  workspaceFolders(): string[];
  /** Resolves once the workspace folders were first scanned for projects (after the parser and the settings). */
  whenScanned(): Promise<void>;
}

export interface EditorTarget {
  connectionString?: string;
  urlEnv?: string;
  protected?: boolean;
}

export interface Watch {
  abort: AbortController;
  done: Promise<void>;
  state?: 'running' | 'applied' | 'unchanged' | 'error';
  message?: string;
  /** The compiled current text the last error was about (the error stands until it changes). */
  errorText?: string;
  at?: Date;
}

export interface Slot {
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

/** One `pgmig.engine.*` command. */
export type Handler = (host: EngineHost, args: EngineArgs, token: CancellationToken, progress: (message: string) => void) => Promise<unknown>;

/** The state and helpers the commands share (one per language server). */
export interface EngineHost {
  ctx: EngineHostContext;
  connection: Connection;
  slots: Map<string, Slot>;
  /** The target the editor selected per project root (CodeLens and status use it). */
  selected: Map<string, string>;
  /** Engine diagnostics: file -> source ('watch' | 'command' | 'shadow') -> diagnostics. */
  engineDiagnostics: Map<string, Map<string, Diagnostic[]>>;
  setDiagnostics(source: string, byFile: Map<string, Diagnostic[]>, scope?: string): void;
  errorDiagnostics(e: unknown): Map<string, Diagnostic[]>;
  projectRoots(): string[];
  layoutRoots(): string[];
  layoutOf(root: string): { project: LayoutProject; layout: MigrationLayout };
  rootOf(args: EngineArgs): string;
  editorTargets(root: string): Promise<Record<string, EditorTarget>>;
  slotFor(args: EngineArgs): Promise<{ slot: Slot; settings: EngineSettings; protected: boolean }>;
  enqueue<T>(slot: Slot, fn: () => Promise<T>): Promise<T>;
  changed(slot: Slot): void;
  refuseUntrusted(): void;
  /** The project's settings (its env file read), before a target is applied. */
  baseSettings(root: string): Promise<EngineSettings>;
  /** Every env file the settings were read with, or could have been (the project's and the folder's `.env`). */
  envFileCandidates: Set<string>;
  /** Called when envFileCandidates grows (the host watches the new file). */
  onNewEnvFile?: () => void;
  /** Starts watch on a slot (commands/watch.ts): a watch goes on when new settings replace its engine. */
  startWatch?: (slot: Slot) => void;
}

/** pgmig.envFile's default, as package.json declares it (the Python extension's python.envFile convention). */
export const DEFAULT_ENV_FILE = '${workspaceFolder}/.env';

/**
 * A path from an editor setting: `${workspaceFolder}`, `${workspaceFolderBasename}`, `${userHome}`, `~`,
 * `${env:NAME}` expanded as VS Code expands them in its own settings; relative to the workspace folder.
 */
export function expandEditorPath(value: string, folder: string): string {
  const expanded = value
    .replace(/\$\{workspaceFolder\}/g, folder)
    .replace(/\$\{workspaceFolderBasename\}/g, path.basename(folder))
    .replace(/\$\{userHome\}/g, os.homedir())
    .replace(/\$\{env:([^}]+)\}/g, (_, name: string) => process.env[name] ?? '')
    .replace(/^~(?=$|[\\/])/, os.homedir());
  return path.resolve(folder, expanded);
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

export function engineErrorData(e: unknown) {
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

export function oneLine(e: unknown): string {
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
function emptyPasswordUnlessOtherSource(url: string, envFile: EnvFile | undefined): string {
  if (process.env.PGPASSWORD) return url;
  // libpq's PGPASSWORD kept in the project's env file: `pg` reads only the process environment, so it goes in the URL.
  const fromFile = envFile?.variables.PGPASSWORD;
  if (fromFile) return withPassword(url, fromFile);
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
export function abortOnCancel(token: CancellationToken, log: (message: string) => void): AbortController {
  const abort = new AbortController();
  token.onCancellationRequested(() => {
    log('cancel requested: stopping before the next migration');
    abort.abort();
  });
  return abort;
}

export function createHost(connection: Connection, ctxIn: Omit<EngineHostContext, 'connection'>): EngineHost {
  const ctx: EngineHostContext = { ...ctxIn, connection };
  const slots = new Map<string, Slot>();
  /** The target the editor selected per project root (CodeLens and status use it). */
  const selected = new Map<string, string>();
  const envFileCandidates = new Set<string>();
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

  /** The workspace folder a project is in (the innermost), or the project itself. */
  function folderOf(root: string): string {
    let folder: string | undefined;
    for (const f of ctx.workspaceFolders()) if ((f === root || isInside(f, root)) && (!folder || f.length > folder.length)) folder = f;
    return folder ?? root;
  }

  /**
   * The env file of a project (setting pgmig.envFile): by default the project's own `.env` (beside .gmrc), else the
   * workspace folder's; '' none; another value names a file, which must exist. Clients without the setting: the
   * project's `.env`, as the CLI.
   */
  async function envFileOf(root: string): Promise<string | null | undefined> {
    let value: unknown;
    try {
      value = await connection.workspace.getConfiguration({ scopeUri: ctx.files.uriOf(root), section: 'pgmig.envFile' });
    } catch {
      value = undefined;
    }
    const folder = folderOf(root);
    if (typeof value !== 'string' || value === DEFAULT_ENV_FILE) {
      const own = path.join(root, '.env');
      const shared = path.join(folder, '.env');
      candidate(own);
      candidate(shared);
      if (typeof value !== 'string') return undefined;
      return fs.existsSync(own) ? own : fs.existsSync(shared) ? shared : null;
    }
    if (!value.trim()) return null;
    const file = expandEditorPath(value.trim(), folder);
    candidate(file);
    return file;
  }

  function candidate(file: string): void {
    if (envFileCandidates.has(file)) return;
    envFileCandidates.add(file);
    host.onNewEnvFile?.();
  }

  async function baseSettings(root: string): Promise<EngineSettings> {
    return loadSettings({ root, allowJsConfig: false, envFile: await envFileOf(root) });
  }

  async function resolveSettings(root: string, target: string, password?: string): Promise<{ settings: EngineSettings; protected: boolean }> {
    const base = await baseSettings(root);
    const editor = await editorTargets(root);
    const isProtected = editor[target || 'default']?.protected === true;
    let settings: EngineSettings;
    if (!target) settings = base;
    else if (target === EMBEDDED_TARGET) {
      settings = { ...base, target: EMBEDDED_TARGET, main: { kind: 'pglite', dataDir: path.resolve(root, base.engine.embeddedDataDir) }, shadow: { kind: 'pglite-memory' } };
    } else if (editor[target] && (editor[target].connectionString || editor[target].urlEnv) && !base.targets[target]) {
      const t = editor[target];
      const url = t.connectionString ?? environmentOf(base)[t.urlEnv!];
      if (!url) throw new EngineError('config', `target '${target}': environment variable ${t.urlEnv} is not set${base.envFile ? ` (nor in ${base.envFile.path})` : ''}`);
      settings = forTarget({ ...base, targets: { ...base.targets, [target]: { name: target, urlEnv: '__PGMIG_EDITOR_URL', pgSettings: {}, seeds: [] } } }, target, { ...environmentOf(base), __PGMIG_EDITOR_URL: url });
    } else settings = forTarget(base, target);
    if (settings.main.kind === 'pg') {
      settings = { ...settings, main: { kind: 'pg', url: password ? withPassword(settings.main.url, password) : emptyPasswordUnlessOtherSource(settings.main.url, settings.envFile) } };
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
    let watching = false;
    if (slot && slot.signature !== signature) {
      // Settings changed (a .gmrc or env file edit, a new password): a new engine, which starts after the old one
      // closed; a watch goes on with it.
      const old = slot;
      watching = !!old.watch;
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
      if (watching) {
        void enqueue(s, async () => {
          if (s.watch || slots.get(key) !== s) return;
          ctx.log(`${target ? `[${target}] ` : ''}settings changed: watch goes on with them`);
          host.startWatch?.(s);
        });
      }
      // Which variables came from the env file, never their values.
      const prefix = target ? `[${target}] ` : '';
      if (settings.envFile) ctx.log(`${prefix}environment completed from ${settings.envFile.path}: ${Object.keys(settings.envFile.variables).join(', ') || 'no variables'}`);
      // The embedded database by default: say why, so that a project whose URL lives elsewhere is not migrated there
      // unnoticed (graphile/starter builds DATABASE_URL in code from its .env's parts).
      if (!target && settings.main.kind === 'pglite') {
        ctx.log(`${prefix}no DATABASE_URL in the environment${settings.envFile ? ` nor in ${settings.envFile.path}` : ' (and no env file, setting pgmig.envFile)'}, no connectionString in .gmrc: using the embedded database`);
      }
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
      case 'progress':
        // migrate and reset say what they are at ("applying 000002.sql (2/5)") in the editor's progress notification.
        slot.progress?.(e.total ? `${e.message} (${(e.done ?? 0) + 1}/${e.total})` : e.message);
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

  // ---- notifications ---------------------------------------------------------------------------------------------

  function changed(slot: Slot): void {
    void connection.sendNotification('pgmig/statusChanged', { root: slot.root, target: slot.target });
    void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  function refuseUntrusted(): void {
    if (!ctx.isTrusted()) throw new EngineError('refused', 'database commands are disabled in an untrusted workspace (trust the workspace to enable them)');
  }

  const host: EngineHost = { ctx, connection, slots, selected, engineDiagnostics, setDiagnostics, errorDiagnostics, projectRoots, layoutRoots, layoutOf, rootOf, editorTargets, slotFor, enqueue, changed, refuseUntrusted, baseSettings, envFileCandidates };
  return host;
}
