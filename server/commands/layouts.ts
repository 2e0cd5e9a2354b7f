// The other layouts (numbered SQL, Drizzle, Alembic) from core/layouts: `pgmig.engine.layoutStatus` (with the
// project's data migrations, and applied-migration-edited / migration-out-of-order published as diagnostics), `layoutMigrate`, `layoutRollback`.
import path from 'node:path';
import { CodeLensRefreshRequest, type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { describeConnection } from '../../core/db/connection';
import { EngineError } from '../../core/engine/errors';
import type { EngineSettings } from '../../core/engine/settings';
import { AlembicLayout } from '../../core/layouts/alembic';
import { dataMigrationCommands, dataMigrationStatus } from '../../core/layouts/dataMigrations';
import { layoutTreeItems } from '../../core/layouts/treeItems';
import type { LayoutStatus } from '../../core/layouts/types';
import { appliedMigrationEditedFindings } from '../../core/rules/appliedMigrationEdited';
import { migrationOutOfOrderFindings } from '../../core/rules/migrationOutOfOrder';
import { LineIndex } from '../../core/text';
import { oneLine, type EngineHost, type Handler, type Slot } from './host';
import type { LayoutStatusReport } from './types';

/** Reads a layout project's status (tracking table, data migrations) and publishes applied-migration-edited and
 * migration-out-of-order. */
export async function computeLayoutStatus(host: EngineHost, slot: Slot, settings: EngineSettings): Promise<LayoutStatusReport> {
  const { project, layout } = host.layoutOf(slot.root);
  const own = layout instanceof AlembicLayout ? layout.database() : undefined;
  const database = own
    ? own.kind === 'url' ? describeConnection(own.url) : 'the database alembic uses'
    : settings.mainUnknown && !settings.target ? 'the database drizzle-kit uses'
    : settings.main.kind === 'pg' ? describeConnection(settings.main.url) + (settings.mainSource && !settings.target ? ` (${settings.mainSource})` : '') : settings.main.kind === 'pglite' ? 'embedded database' : 'in-memory database';
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
  if (before !== JSON.stringify(status)) void host.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  const byFile = new Map<string, Diagnostic[]>();
  const read = (file: string) => host.ctx.files.read(file);
  for (const f of [...appliedMigrationEditedFindings(status, read), ...migrationOutOfOrderFindings(status, read)]) {
    const idx = new LineIndex(host.ctx.files.read(f.file) ?? '');
    const list = byFile.get(f.file) ?? [];
    list.push({ range: { start: idx.position(f.start), end: idx.position(f.end) }, severity: DiagnosticSeverity.Warning, source: 'pgmig', code: f.rule, message: f.message });
    byFile.set(f.file, list);
  }
  host.setDiagnostics(`layout:${slot.root}`, byFile, slot.root);
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
      host.ctx.log(`data migrations of ${slot.root}: ${oneLine(e)}`);
    }
  }
  const migrations = layoutTreeItems(status);
  return { ...base, reachable: true, migrations, pending: migrations.filter((m) => m.state === 'pending').length, current: status.current, heads, unknownApplied: status.unknownApplied, dataMigrations, ...(status.noDatabase ? { noDatabase: true } : {}) };
}

export const layoutStatus: Handler = async (host, args) => {
  host.refuseUntrusted();
  const { slot, settings } = await host.slotFor(args);
  return host.enqueue(slot, () => computeLayoutStatus(host, slot, settings));
};

export const layoutMigrate: Handler = async (host, args, token) => {
  host.refuseUntrusted();
  const { slot, settings } = await host.slotFor(args);
  const { layout } = host.layoutOf(slot.root);
  if (layout instanceof AlembicLayout) throw new EngineError('refused', 'Alembic migrations run with alembic itself: use the Upgrade lenses (they run in a terminal)');
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  return host.enqueue(slot, async () => {
    try {
      return await layout.migrate(slot.engine.db('main'), { to: args.id, signal: abort.signal, lockTimeoutMs: settings.engine.lockTimeoutMs, onApplied: (m) => slot.progress?.(`applied ${path.basename(m.file)}`) });
    } finally {
      await computeLayoutStatus(host, slot, settings).catch(() => undefined);
    }
  });
};

export const layoutRollback: Handler = async (host, args, token) => {
  host.refuseUntrusted();
  const { slot, settings } = await host.slotFor(args);
  const { layout } = host.layoutOf(slot.root);
  if (layout instanceof AlembicLayout) throw new EngineError('refused', 'Alembic migrations run with alembic itself: use the Downgrade lenses (they run in a terminal)');
  const abort = new AbortController();
  token.onCancellationRequested(() => abort.abort());
  return host.enqueue(slot, async () => {
    try {
      return await layout.rollback(slot.engine.db('main'), { to: args.id, all: args.all === true, signal: abort.signal, lockTimeoutMs: settings.engine.lockTimeoutMs, onRolledBack: (m) => slot.progress?.(`rolled back ${path.basename(m.file)}`) });
    } finally {
      await computeLayoutStatus(host, slot, settings).catch(() => undefined);
    }
  });
};
