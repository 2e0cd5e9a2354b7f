// What the SQL layouts (numbered, drizzle) share when they run files: checksums, the transaction decision, and
// errors mapped back to file:line:column.
import { createHash } from 'node:crypto';
import { isConnectionLoss } from '../db/pg';
import { withMigrationLock } from '../db/lock';
import type { DbSession } from '../db/types';
import { EngineError } from '../engine/errors';
import { sqlError } from '../engine/sourceText';
import { needsNoTransaction, wrapsItself } from './transaction';
import { psqlSteps } from './psql';
import { diskFileSystem, type FileSystem } from '../fileSystem';
import { qualified, quoteIdent } from './detect';
import type { TableName } from './types';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Runs a file's text; a server error names the file, line and column. A file written for psql runs as psql would
 * run it (psql.ts: \set ON_ERROR_STOP and output settings honoured, \echo passed to `onEcho`, \i followed).
 */
export async function execFile(s: DbSession, file: string, text: string, fsys: FileSystem = diskFileSystem, onEcho?: (text: string) => void): Promise<void> {
  for (const step of psqlSteps(fsys, file, text)) {
    if ('echo' in step) {
      onEcho?.(step.echo);
      continue;
    }
    try {
      await s.exec(step.sql);
    } catch (e) {
      if (isConnectionLoss(e)) throw e;
      throw sqlError(e, { text: step.sql, label: step.file, toSource: (offset) => ({ file: step.file, offset: step.offset + offset }) }, (f) => (f === step.file ? step.fileText : undefined));
    }
  }
}

/**
 * Runs a migration (or down script) and its tracking change: in one transaction unless the file wraps itself
 * (run as written, then tracked) or cannot run in one.
 */
export async function runTracked(s: DbSession, file: string, text: string, track: () => Promise<unknown>, fsys: FileSystem = diskFileSystem, onEcho?: (text: string) => void): Promise<void> {
  if (wrapsItself(text) || needsNoTransaction(text)) {
    try {
      await execFile(s, file, text, fsys, onEcho);
    } catch (e) {
      // A file that failed inside its own BEGIN leaves the session in an aborted transaction: end it, so that the
      // advisory lock can be released and the connection goes back to the pool clean.
      await s.exec('rollback').catch(() => undefined);
      throw e;
    }
    await track();
    return;
  }
  await s.exec('begin');
  try {
    await execFile(s, file, text, fsys, onEcho);
    await track();
    await s.exec('commit');
  } catch (e) {
    await s.exec('rollback').catch(() => undefined);
    throw e;
  }
}

export async function tableExists(s: DbSession, t: TableName): Promise<boolean> {
  const [{ ok }] = await s.query<{ ok: boolean }>('select to_regclass($1) is not null as ok', [qualified(t)]);
  return ok;
}

export async function columnExists(s: DbSession, t: TableName, column: string): Promise<boolean> {
  const rows = await s.query('select 1 from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = $3', [t.schema, t.name, column]);
  return rows.length > 0;
}

export async function ensureSchema(s: DbSession, schema: string): Promise<void> {
  if (schema !== 'public') await s.exec(`create schema if not exists ${quoteIdent(schema)}`);
}

export function withLock<T>(s: DbSession, fn: () => Promise<T>, timeoutMs?: number, signal?: AbortSignal): Promise<T> {
  return withMigrationLock(s, fn, { timeoutMs, signal });
}

export function checkCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new EngineError('cancelled', `cancelled before ${what}`);
}
