// `commit`: current validated on a reset shadow, written as the next committed file, applied, then blanked; and the
// recovery of a commit that was interrupted.
import fs from 'node:fs';
import path from 'node:path';
import { processAlive } from '../../db/pglite';
import { calculateHash } from '../../graphile/committedFile';
import { downPathFor, parseMigrationText, readCommitted, serializeMigration, type CommittedMigration } from '../committed';
import { writeCurrent, writeFileAtomic, type CompiledCurrent } from '../current';
import { EngineError } from '../errors';
import { describeLocation, isBlankSql } from '../sourceText';
import { readFileOrUndefined, type EngineContext } from '../context';
import type { CommitResult } from '../types';
import { migrate, migrateSession } from './migrate';
import { schemaDump } from './schema';
import { resetShadowAndMigrate } from './shadow';

/**
 * If a commit was interrupted after its file was written but before current.sql was blanked, current.sql still
 * holds exactly the last committed body: finish that commit by blanking current.sql (the file is complete, it was
 * renamed into place in one step). Called before migrate, commit and watch.
 */
export function recoverInterruptedCommit(engine: EngineContext): boolean {
  const committedDir = path.join(engine.settings.migrationsFolder, 'committed');
  // Temp files of a commit that never reached its rename.
  for (const f of fs.existsSync(committedDir) ? fs.readdirSync(committedDir) : []) {
    if (/^\..*\.tmp$/.test(f)) {
      const pid = Number(f.split('.').at(-2));
      if (!pid || pid === process.pid || !processAlive(pid)) fs.rmSync(path.join(committedDir, f), { force: true });
    }
  }
  let all: CommittedMigration[];
  let cur: CompiledCurrent;
  try {
    all = readCommitted(engine.settings.migrationsFolder);
    cur = engine.compileCurrent();
  } catch {
    return false;
  }
  const last = all[all.length - 1];
  if (!last) return false;
  const { body } = parseMigrationText(cur.location.path, cur.text, false);
  if (isBlankSql(body) || calculateHash(body, last.previousHash) !== last.hash) return false;
  writeCurrent(cur.location, engine.settings.blankMigrationContent.trim() + '\n', engine.settings.blankMigrationContent);
  engine.emit({ type: 'info', message: `finished an interrupted commit of ${last.realFilename}: current migration blanked` });
  return true;
}

/** `commit`: validates current on a reset shadow, then writes the committed file, applies it, blanks current. */
export async function commit(engine: EngineContext, opts: { message?: string } = {}): Promise<CommitResult> {
  recoverInterruptedCommit(engine);
  const folder = engine.settings.migrationsFolder;
  const cur = engine.compileCurrent();
  const all = readCommitted(folder);
  const last = all[all.length - 1];
  const number = last ? parseInt(last.filename, 10) + 1 : 1;
  const { headers, headerOrder, body } = parseMigrationText(cur.location.path, cur.text, false);
  const message = opts.message !== undefined ? opts.message : headers.Message ?? undefined;
  // eslint-disable-next-line no-control-regex
  if (message && /[\r\n\0\b\v\f\cA-\cZ]/u.test(message)) throw new EngineError('current', 'Invalid commit message: contains disallowed characters');
  if (message && message.length > 512) throw new EngineError('current', 'Invalid commit message: message is too long (max: 512 chars)');
  const slug = message ? sluggify(message) : null;
  const realFilename = String(number).padStart(6, '0') + (slug ? `-${slug}` : '') + '.sql';
  if (isBlankSql(body)) throw new EngineError('current', 'Current migration is blank.');
  const hash = calculateHash(body, last ? last.hash : null);
  const headerList: [string, string | null | undefined][] = [
    ['Previous', last ? last.hash : '-'],
    ['Hash', hash],
    ['Message', message ? message : undefined],
    ...headerOrder.filter((k) => !['Previous', 'Hash', 'Message'].includes(k)).map((k): [string, string | null] => [k, headers[k]]),
  ];
  const text = serializeMigration(body, headerList);
  const fullPath = path.join(folder, 'committed', realFilename);
  const parsed = parseMigrationText(fullPath, text);
  const migration: CommittedMigration = {
    realFilename,
    filename: String(number).padStart(6, '0') + '.sql',
    fullPath,
    hash,
    previousHash: last ? last.hash : null,
    message: message ?? null,
    allowInvalidHash: 'AllowInvalidHash' in headers,
    body: parsed.body,
    bodyOffset: parsed.bodyOffset,
  };
  engine.emit({ type: 'step', step: 'current-read' });

  // 1. Shadow: reset, replay history, run the new migration. An error maps into current.sql (the file as written).
  engine.unwritten.set(fullPath, text);
  try {
    await resetShadowAndMigrate(engine);
    engine.emit({ type: 'step', step: 'shadow-migrated' });
    await engine.db('shadow').withSession((s) => engine.withLock(s, 'shadow', () => migrateSession(engine, s, 'shadow', { extra: [migration] })));
  } catch (e) {
    throw remapToCurrent(engine, e, cur, migration);
  } finally {
    engine.unwritten.delete(fullPath);
  }
  engine.emit({ type: 'step', step: 'shadow-current-ran' });

  // 2. The file: written whole under a hidden temp name, then renamed into place (graphile-migrate ignores dot files).
  fs.mkdirSync(path.join(folder, 'committed'), { recursive: true });
  const tmp = path.join(folder, 'committed', `.${realFilename}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o440 });
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  engine.emit({ type: 'step', step: 'file-temp-written' });
  const downSource = cur.location.isFile ? path.join(folder, 'current.down.sql') : undefined;
  const downText = downSource ? readFileOrUndefined(downSource) : undefined;
  let downFile: string | undefined;
  if (downText !== undefined && !isBlankSql(downText)) {
    downFile = downPathFor(fullPath);
    writeFileAtomic(downFile, downText);
  }
  fs.renameSync(tmp, fullPath);
  engine.emit({ type: 'step', step: 'file-renamed' });

  // 3. Main database, then blank current. If main refuses, undo the file (graphile-migrate does the same).
  try {
    await migrate(engine, { skipRecovery: true });
  } catch (e) {
    fs.rmSync(fullPath, { force: true });
    if (downFile) fs.rmSync(downFile, { force: true });
    throw remapToCurrent(engine, e, cur, migration);
  }
  engine.emit({ type: 'step', step: 'main-migrated' });
  writeCurrent(cur.location, engine.settings.blankMigrationContent.trim() + '\n', engine.settings.blankMigrationContent);
  if (downFile && downSource) fs.rmSync(downSource, { force: true });
  engine.emit({ type: 'step', step: 'current-blanked' });
  if (engine.settings.engine.dumpSchemaOnCommit) await schemaDump(engine);
  return { file: fullPath, hash, downFile };
}

/** An SQL error in the new migration's text points into current.sql (and its fixtures), where the author edits. */
export function remapToCurrent(engine: EngineContext, e: unknown, cur: CompiledCurrent, m: CommittedMigration): unknown {
  if (!(e instanceof EngineError) || !e.location || e.location.file !== m.fullPath) return e;
  const { bodyOffset } = parseMigrationText(cur.location.path, cur.text, false);
  const offsetInBody = e.location.offset - m.bodyOffset;
  const at = cur.toSource(bodyOffset + offsetInBody);
  const text = readFileOrUndefined(at.file);
  if (text === undefined) return e;
  const loc = describeLocation(at.file, text, Math.min(at.offset, text.length));
  const reason = `${e.sqlstate}: ${String((e.cause as any)?.message ?? e.message)}`;
  return new EngineError('sql', `${loc.file}:${loc.line}:${loc.column}: ${reason}`, { sqlstate: e.sqlstate, location: loc, detail: e.detail, hint: e.hint, cause: e });
}

export function sluggify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/--+/g, '-')
    .replace(/(^-+|-+$)/g, '')
    .substring(0, 60);
}
