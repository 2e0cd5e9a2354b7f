// CodeLens of the engine host: on committed migrations and current.sql of graphile projects (state on the selected
// database, Apply / Rollback / Run / Commit / Watch), and on the files of the other layouts (core/layouts/lenses.ts).
// They read the status the commands last computed; with an engine open and no status yet, they read it in the
// background and ask the client to refresh.
import { CodeLensRefreshRequest, type CancellationToken, type CodeLens } from 'vscode-languageserver/node';
import { layoutLenses, type LayoutLens } from '../core/layouts/lenses';
import { LineIndex } from '../core/text';
import type { EngineHost, Slot } from './commands/host';
import { handlers } from './commands/index';
import type { TargetStatus } from './commands/types';
import { isInside } from './workspace';

/** Registers `textDocument/codeLens`; returns the lenses of layout files (the client asks for those of files it does not send). */
export function registerEngineLenses(host: EngineHost): { layoutCodeLenses(file: string): CodeLens[] | undefined } {
  const { ctx, connection } = host;
  const refreshing = new Set<string>();

  /** CodeLens of a file in a numbered, Drizzle or Alembic project (core/layouts/lenses.ts); undefined elsewhere. */
  function layoutCodeLenses(file: string): CodeLens[] | undefined {
    let root: string | undefined;
    for (const r of host.layoutRoots()) if (isInside(r, file) && (!root || r.length > root.length)) root = r;
    if (!root) return undefined;
    // Every lens touches the database (pgmig's own commands or the project's tool in a terminal).
    if (!ctx.isTrusted()) return [];
    const project = ctx.workspace.projects.get(root)?.project?.layoutProject;
    if (!project) return [];
    const target = host.selected.get(root) ?? '';
    let slot: Slot | undefined;
    for (const s of host.slots.values()) if (s.root === root && s.target === target) slot = s;
    const status = slot?.lastLayout;
    if (slot && !status && (project.kind === 'numbered' || project.kind === 'drizzle')) {
      const key = `${root}\0${target}`;
      if (!refreshing.has(key)) {
        refreshing.add(key);
        void handlers
          .layoutStatus(host, { root, target }, { isCancellationRequested: false } as CancellationToken, () => undefined)
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
    for (const r of host.projectRoots()) if (isInside(r, file) && (!root || r.length > root.length)) root = r;
    if (!root || !ctx.isTrusted()) return [];
    const project = ctx.workspace.projects.get(root)?.project;
    if (!project) return [];
    const isCommitted = project.committedFiles.includes(file);
    const isCurrent = project.currentFiles.includes(file);
    if (!isCommitted && !isCurrent) return [];
    const target = host.selected.get(root) ?? '';
    let status: TargetStatus | undefined;
    for (const s of host.slots.values()) if (s.root === root && s.target === target && s.lastStatus) status = s.lastStatus;
    const base = { root, target };
    const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const lens = (title: string, command = '', args?: unknown): CodeLens => ({ range: top, command: { title, command, arguments: args === undefined ? undefined : [args] } });
    if (!status) {
      // No engine for this project yet: opening a database just because a file is open would start the embedded
      // one for every user of the analysis. Offer the status instead.
      if (![...host.slots.values()].some((s) => s.root === root)) return [lens('$(database) Show migration status', 'pgmig.engine.status', base)];
      const key = `${root}\0${target}`;
      if (!refreshing.has(key)) {
        refreshing.add(key);
        void handlers
          .status(host, base, { isCancellationRequested: false } as CancellationToken, () => undefined)
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

  return { layoutCodeLenses };
}
