// `pgmig.engine.status` (and the `pgmig/status` request): a graphile project's migrations on one database, applied,
// pending, changed after apply or failed at the last attempt, and the state of current.sql.
import fs from 'node:fs';
import path from 'node:path';
import { CodeLensRefreshRequest } from 'vscode-languageserver/node';
import { describeConnection } from '../../core/db/connection';
import { readCommitted, type CommittedMigration } from '../../core/engine/committed';
import type { StatusReport } from '../../core/engine';
import { EngineError } from '../../core/engine/errors';
import type { EngineSettings } from '../../core/engine/settings';
import { isBlankSql, placeholdersFor, sqlFingerprint, substitutePlaceholders } from '../../core/engine/sourceText';
import { EMBEDDED_TARGET, oneLine, type EngineHost, type Handler, type Slot } from './host';
import type { MigrationItem, MigrationState, TargetStatus } from './types';

async function currentAppliedText(slot: Slot): Promise<string | undefined> {
  return slot.engine.db('main').withSession(async (s) => {
    const [ok] = await s.query<{ ok: boolean }>(`select to_regclass('graphile_migrate.current') is not null as ok`);
    if (!ok.ok) return undefined;
    const [row] = await s.query<{ content: string }>(`select content from graphile_migrate.current where filename = 'current.sql'`);
    return row?.content;
  });
}

export async function computeStatus(host: EngineHost, slot: Slot, settings: EngineSettings, isProtected: boolean): Promise<TargetStatus> {
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
      // Not a session on a database that does not exist yet: opening one would create it.
      if (report.noDatabase) status.noDatabase = true;
      else appliedCurrent = await currentAppliedText(slot);
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
  // A commit killed half-way (.pgmig/commit.json): what the next migrate, watch or commit does about it.
  if (report?.interruptedCommit) status.interruptedCommit = { file: report.interruptedCommit.file, next: report.interruptedCommit.next };

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
  if (before !== JSON.stringify({ ...status, watch: undefined })) void host.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  return status;
}

export const status: Handler = async (host, args) => {
  host.refuseUntrusted();
  const { slot, settings, protected: p } = await host.slotFor(args);
  return host.enqueue(slot, () => computeStatus(host, slot, settings, p));
};
