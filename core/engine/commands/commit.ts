// `commit`: current validated on a reset shadow, written as the next committed file, applied, then blanked; and the
// recovery of a commit that was interrupted.
import fs from 'node:fs';
import path from 'node:path';
import { calculateHash } from '../../graphile/committedFile';
import { downPathFor, parseMigrationText, readCommitted, serializeMigration, type CommittedMigration } from '../committed';
import { invalidUtf8Error, writeCurrent, writeFileAtomic, type CompiledCurrent } from '../current';
import { EngineError } from '../errors';
import { describeLocation, isBlankSql } from '../sourceText';
import { readFileOrUndefined, type EngineContext } from '../context';
import { processAlive, readJournal, removeJournal, writeJournal, type CommitJournal } from '../commitJournal';
import { statementRanges } from '../statementReplay';
import type { CommitResult, InterruptedCommit } from '../types';
import { migrate, migrateSession } from './migrate';
import { schemaDump } from './schema';
import { resetShadowAndMigrate } from './shadow';

type RecoveryPlan =
  | 'discard' // killed before its file appeared: nothing was committed, current.sql is as it was
  | 'finish' // the file is in place and current.sql unchanged: blank it (migrate applies the file)
  | 'undo' // the file is in place, never applied, and current.sql was edited since: remove the file, keep current.sql
  | 'resolved' // the file is applied and current.sql no longer holds any of its statements
  | 'blocked' // the file is applied and current.sql, edited since, still holds some of its statements
  | 'undecided'; // the database was not read

interface Interrupted {
  journal: CommitJournal;
  /** The committed file the journal names, when it is in place (complete: it was renamed into place). */
  migration?: CommittedMigration;
  isLast: boolean;
  edited: boolean;
  cur?: CompiledCurrent;
}

/** The commit a killed process left unfinished, if any (a live committing process is left alone). */
function findInterrupted(engine: EngineContext): Interrupted | undefined {
  const journal = readJournal(engine.settings);
  if (!journal || (journal.pid !== process.pid && processAlive(journal.pid))) return undefined;
  if ((journal.target ?? null) !== (engine.settings.target ?? null)) return undefined;
  let all: CommittedMigration[];
  try {
    all = readCommitted(engine.settings.migrationsFolder);
  } catch {
    return undefined;
  }
  const i = all.findIndex((m) => m.realFilename === journal.file && m.hash === journal.hash);
  let cur: CompiledCurrent | undefined;
  try {
    cur = engine.compileCurrent();
  } catch {
    cur = undefined;
  }
  return { journal, migration: all[i], isLast: i === all.length - 1, edited: cur?.text !== journal.current, cur };
}

/** The statements of a text, normalised (comments and blanks between them do not count). */
function statementSet(text: string): Set<string> {
  return new Set(statementRanges(text).map((p) => text.slice(p.start, p.end).trim().replace(/\s+/g, ' ')).filter((s) => !/^--/.test(s)));
}

function planFor(x: Interrupted, applied: boolean | undefined): RecoveryPlan {
  if (!x.migration) return 'discard';
  if (!x.edited) return 'finish';
  if (applied === undefined) return 'undecided';
  const mine = statementSet(x.migration.body);
  const holds = !x.cur || [...statementSet(x.cur.text)].some((s) => mine.has(s));
  if (!applied && x.isLast) return 'undo';
  return holds ? 'blocked' : 'resolved';
}

async function appliedOnMain(engine: EngineContext, hash: string): Promise<boolean> {
  return engine.db('main').withSession(async (s) => {
    if (!(await engine.schemaExists(s))) return false;
    return (await s.query('select 1 from graphile_migrate.migrations where hash = $1', [hash])).length > 0;
  });
}

const NEXT: Record<RecoveryPlan, (file: string) => string> = {
  discard: () => 'it was killed before its file was written: nothing was committed; the next command clears its record, current.sql is kept',
  finish: (f) => `${f} is written and current.sql unchanged: the next migrate, watch or commit finishes the commit (applies ${f}, blanks current.sql)`,
  undo: (f) => `current.sql was edited after ${f} was written and ${f} was never applied: the next migrate, watch or commit removes ${f} and keeps current.sql (commit it again)`,
  resolved: (f) => `${f} is applied and current.sql no longer holds its statements: the next command clears the record`,
  blocked: (f) =>
    `${f} is applied, but current.sql was edited since and still holds some of its statements: remove them from current.sql, then commit (pgmig refuses to commit them twice)`,
  undecided: (f) => `${f} is written and current.sql was edited since; whether ${f} is applied is not known without the database`,
};

/**
 * A commit of another target (or of the default database) that has written its file and not finished: the next
 * command there may still undo it and commit the same number with other text, so no other database applies it
 * meanwhile (it would keep the old text, "changed after apply" ever after).
 */
export function unfinishedCommitOfAnotherTarget(engine: EngineContext): { file: string; reason: string } | undefined {
  const journal = readJournal(engine.settings);
  if (!journal || (journal.target ?? null) === (engine.settings.target ?? null)) return undefined;
  const where = journal.target ? `target '${journal.target}'` : 'the default database';
  const reason =
    journal.pid !== process.pid && processAlive(journal.pid)
      ? `a commit on ${where} is writing it (process ${journal.pid})`
      : `a commit on ${where} wrote it and was interrupted; a pgmig migrate, watch or commit there finishes or undoes it (pgmig status there says which)`;
  return { file: journal.file, reason };
}

/** For status: an interrupted commit and what the next command will do about it (nothing is changed). */
export async function describeInterruptedCommit(engine: EngineContext, opts: { database: boolean }): Promise<InterruptedCommit | undefined> {
  const x = findInterrupted(engine);
  if (!x) return undefined;
  const applied = x.migration && opts.database ? await appliedOnMain(engine, x.journal.hash) : undefined;
  const plan = planFor(x, applied);
  return { file: x.journal.file, written: !!x.migration, applied, currentEdited: x.edited, next: NEXT[plan](x.journal.file) };
}

/**
 * Brings an interrupted commit to a consistent end before migrate, watch and commit (see RecoveryPlan): the commit
 * is finished, undone (as graphile-migrate undoes a commit that fails), or, when neither is safe, left for the user
 * while commit refuses to commit the same statements twice. Without a journal (a graphile-migrate commit killed
 * after writing its file), current.sql holding exactly the last committed body is blanked, as before.
 */
export async function recoverInterruptedCommit(engine: EngineContext): Promise<{ plan: RecoveryPlan; file: string } | undefined> {
  const committedDir = path.join(engine.settings.migrationsFolder, 'committed');
  // Temp files of a commit that never reached its rename.
  for (const f of fs.existsSync(committedDir) ? fs.readdirSync(committedDir) : []) {
    if (/^\..*\.tmp$/.test(f)) {
      const pid = Number(f.split('.').at(-2));
      if (!pid || pid === process.pid || !processAlive(pid)) fs.rmSync(path.join(committedDir, f), { force: true });
    }
  }
  const x = findInterrupted(engine);
  if (!x) {
    if (!readJournal(engine.settings)) finishWithoutJournal(engine);
    return undefined;
  }
  const { journal } = x;
  const applied = x.migration && x.edited ? await appliedOnMain(engine, journal.hash) : undefined;
  const plan = planFor(x, applied);
  const info = (message: string) => engine.emit({ type: 'info', message });
  const restoreDown = () => {
    // The down script is written after the committed file: put it in place if the kill came between the two.
    if (journal.down !== undefined && x.migration && !fs.existsSync(downPathFor(x.migration.fullPath))) writeFileAtomic(downPathFor(x.migration.fullPath), journal.down);
  };
  switch (plan) {
    case 'discard':
      removeJournal(engine.settings);
      break;
    case 'finish': {
      restoreDown();
      const cur = x.cur!;
      writeCurrent(cur.location, engine.settings.blankMigrationContent.trim() + '\n', engine.settings.blankMigrationContent);
      if (journal.down !== undefined && cur.location.isFile) fs.rmSync(path.join(engine.settings.migrationsFolder, 'current.down.sql'), { force: true });
      removeJournal(engine.settings);
      info(`finished an interrupted commit of ${journal.file}: current migration blanked`);
      break;
    }
    case 'undo':
      fs.rmSync(x.migration!.fullPath, { force: true });
      fs.rmSync(downPathFor(x.migration!.fullPath), { force: true });
      removeJournal(engine.settings);
      info(`undid an interrupted commit of ${journal.file} (never applied): current.sql was edited since and is kept; commit it again`);
      break;
    case 'resolved':
      restoreDown();
      removeJournal(engine.settings);
      break;
    case 'blocked':
    case 'undecided':
      break;
  }
  return { plan, file: journal.file };
}

/** The recovery of a commit without a journal: current.sql still holds exactly the last committed body. */
function finishWithoutJournal(engine: EngineContext): void {
  let cur: CompiledCurrent;
  try {
    cur = engine.compileCurrent();
  } catch {
    return;
  }
  const { body } = parseMigrationText(cur.location.path, cur.text, false);
  // The usual case, a blank current, needs no look at the committed files.
  if (isBlankSql(body)) return;
  let all: CommittedMigration[];
  try {
    all = readCommitted(engine.settings.migrationsFolder);
  } catch {
    return;
  }
  const last = all[all.length - 1];
  if (!last || calculateHash(body, last.previousHash) !== last.hash) return;
  writeCurrent(cur.location, engine.settings.blankMigrationContent.trim() + '\n', engine.settings.blankMigrationContent);
  engine.emit({ type: 'info', message: `finished an interrupted commit of ${last.realFilename}: current migration blanked` });
}

/** `commit`: validates current on a reset shadow, then writes the committed file, applies it, blanks current. */
export async function commit(engine: EngineContext, opts: { message?: string } = {}): Promise<CommitResult> {
  const folder = engine.settings.migrationsFolder;
  const recovered = await recoverInterruptedCommit(engine);
  if (recovered?.plan === 'blocked') {
    throw new EngineError('refused', `an interrupted commit wrote and applied ${recovered.file}; current.sql was edited since and still holds some of its statements: remove them from current.sql, then commit`);
  }
  if (recovered?.plan === 'finish') {
    // The interrupted commit is this one: apply its file and report it.
    await migrate(engine, { skipRecovery: true });
    const done = readCommitted(folder).find((m) => m.realFilename === recovered.file)!;
    return { file: done.fullPath, hash: done.hash, downFile: done.downPath };
  }
  const other = unfinishedCommitOfAnotherTarget(engine);
  if (other) throw new EngineError('refused', `commit refused, current.sql kept: ${other.file} is not finished: ${other.reason}`);
  const cur = engine.compileCurrent();
  const badBytes = invalidUtf8Error(cur);
  if (badBytes) throw badBytes;
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

  // 2. The file: written whole under a hidden temp name, then renamed into place (graphile-migrate ignores dot
  // files). The journal first: from the rename on, a killed commit is finished or undone by the next command.
  const downSource = cur.location.isFile ? path.join(folder, 'current.down.sql') : undefined;
  const downText = downSource ? readFileOrUndefined(downSource) : undefined;
  const hasDown = downText !== undefined && !isBlankSql(downText);
  writeJournal(engine.settings, { version: 1, pid: process.pid, target: engine.settings.target ?? null, file: realFilename, hash, current: cur.text, down: hasDown ? downText : undefined });
  fs.mkdirSync(path.join(folder, 'committed'), { recursive: true });
  const tmp = path.join(folder, 'committed', `.${realFilename}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o440 });
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  engine.emit({ type: 'step', step: 'file-temp-written' });
  fs.renameSync(tmp, fullPath);
  const downFile = hasDown ? downPathFor(fullPath) : undefined;
  if (downFile) writeFileAtomic(downFile, downText!);
  engine.emit({ type: 'step', step: 'file-renamed' });

  // 3. Main database, then blank current. If main refuses, undo the file (graphile-migrate does the same).
  try {
    await migrate(engine, { skipRecovery: true });
  } catch (e) {
    fs.rmSync(fullPath, { force: true });
    if (downFile) fs.rmSync(downFile, { force: true });
    removeJournal(engine.settings);
    throw aborted(remapToCurrent(engine, e, cur, migration), migration, cur);
  }
  engine.emit({ type: 'step', step: 'main-migrated' });
  writeCurrent(cur.location, engine.settings.blankMigrationContent.trim() + '\n', engine.settings.blankMigrationContent);
  if (downFile && downSource) fs.rmSync(downSource, { force: true });
  removeJournal(engine.settings);
  engine.emit({ type: 'step', step: 'current-blanked' });
  if (engine.settings.engine.dumpSchemaOnCommit) await schemaDump(engine);
  return { file: fullPath, hash, downFile };
}

/**
 * A commit the main database refused: its file is gone again, so the message says the commit was aborted and
 * current.sql kept, and names current.sql where it named the removed file.
 */
function aborted(e: unknown, m: CommittedMigration, cur: CompiledCurrent): unknown {
  if (!(e instanceof Error)) return e;
  const named = (s: string) => s.split(m.fullPath).join(cur.location.path).split(m.realFilename).join(path.basename(cur.location.path));
  const location = e instanceof EngineError && e.location?.file !== m.fullPath ? e.location : undefined;
  const ee = e instanceof EngineError ? e : undefined;
  return new EngineError(ee?.code ?? 'sql', `commit aborted, nothing committed, ${path.basename(cur.location.path)} kept: ${named(e.message)}`, {
    sqlstate: ee?.sqlstate,
    location,
    detail: ee?.detail,
    hint: ee?.hint,
    cause: e,
  });
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
