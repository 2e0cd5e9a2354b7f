// Listing the migrations of the SQL layouts from their files alone (no database, no driver loaded): what the
// analysis (core/project.ts) and the adapters share.
import path from 'node:path';
import { EngineError } from '../engine/errors';
import type { FileSystem } from '../fileSystem';
import { NUMBERED_FILE, NUMBERED_ROLLBACK } from './detect';
import type { LayoutMigration } from './types';

export interface NumberedMigration extends LayoutMigration {
  number: number;
  /** The file name, as recorded in migration_name. */
  fileName: string;
}

/**
 * The migrations of a numbered folder in numeric order (ties by name), each with its rollback file if present.
 * `rollback-NNN.sql` belongs to the one migration numbered NNN; when two migrations share NNN, only a rollback file
 * that also carries the name (`rollback-NNN_name.sql`) belongs to one of them: a down script never runs for a
 * migration it was not written for.
 */
export function numberedMigrations(fsys: FileSystem, folder: string): NumberedMigration[] {
  const names = fsys.list(folder);
  const list = names
    .map((n) => ({ n, m: NUMBERED_FILE.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => parseInt(a.m[1], 10) - parseInt(b.m[1], 10) || a.n.localeCompare(b.n));
  const perNumber = new Map<number, number>();
  for (const { m } of list) perNumber.set(parseInt(m[1], 10), (perNumber.get(parseInt(m[1], 10)) ?? 0) + 1);
  const downs = names.flatMap((n) => {
    const m = NUMBERED_ROLLBACK.exec(n);
    return m ? [{ n, number: parseInt(m[1], 10), name: /^rollback-\d+[_-]([^.]*)\.sql$/.exec(n)?.[1] }] : [];
  }).sort((a, b) => a.n.localeCompare(b.n));
  const downFor = (number: number, name: string) => {
    const same = downs.filter((d) => d.number === number);
    const named = same.find((d) => d.name === name);
    if (named) return path.join(folder, named.n);
    if ((perNumber.get(number) ?? 0) > 1) return undefined;
    return same.length ? path.join(folder, same[0].n) : undefined;
  };
  return list.map(({ n, m }, index) => ({
    id: m[1],
    name: m[2],
    number: parseInt(m[1], 10),
    fileName: n,
    file: path.join(folder, n),
    downFile: downFor(parseInt(m[1], 10), m[2]),
    index,
  }));
}

/** Migrations that share a number with another one (numbered files, or Drizzle journal tags `NNNN_name`), by number. */
export function duplicateNumbers<T extends { file: string }>(list: T[]): Map<number, T[]> {
  const by = new Map<number, T[]>();
  for (const m of list) {
    const num = /^(\d+)_/.exec(path.basename(m.file))?.[1];
    if (num === undefined) continue;
    const k = parseInt(num, 10);
    by.set(k, [...(by.get(k) ?? []), m]);
  }
  for (const [k, v] of by) if (v.length < 2) by.delete(k);
  return by;
}

/** Refuses to run anything while two migrations share a number: which one a number, `--to` or a down script means
 * is then a guess. */
export function refuseDuplicateNumbers(list: { file: string }[], what: string): void {
  const dups = duplicateNumbers(list);
  if (!dups.size) return;
  const groups = [...dups.values()].map((g) => g.map((m) => path.basename(m.file)).join(' and '));
  throw new EngineError(
    'refused',
    `cannot ${what}: ${groups.join('; ')} share a migration number, so which one a down script or --to belongs to is ambiguous; renumber one of them (the one not applied anywhere yet) and try again`,
  );
}

export const BREAKPOINT = '--> statement-breakpoint';

export interface DrizzleMigration extends LayoutMigration {
  /** The journal's `when` (milliseconds), recorded as created_at. */
  when: number;
}

export interface JournalEntry {
  idx: number;
  version?: string;
  when: number;
  tag: string;
  breakpoints?: boolean;
}

export function readJournal(fsys: FileSystem, folder: string): JournalEntry[] {
  const file = path.join(folder, 'meta', '_journal.json');
  const text = fsys.read(file);
  if (text === undefined) return [];
  let journal: any;
  try {
    journal = JSON.parse(text);
  } catch (e: any) {
    throw new EngineError('config', `${file}: not valid JSON: ${String(e?.message ?? e).split('\n')[0]}`);
  }
  const entries = journal?.entries;
  if (!Array.isArray(entries) || entries.some((e) => typeof e?.tag !== 'string' || typeof e?.when !== 'number')) {
    throw new EngineError('config', `${file}: expected { entries: [{ idx, when, tag, ... }] }`);
  }
  return entries;
}

/** The journal's migrations in journal order (drizzle-kit's order). */
export function drizzleMigrations(fsys: FileSystem, folder: string): DrizzleMigration[] {
  return readJournal(fsys, folder).map((e, index) => {
    const down = path.join(folder, `${e.tag}.down.sql`);
    return {
      id: e.tag,
      name: e.tag.replace(/^\d+_/, ''),
      file: path.join(folder, `${e.tag}.sql`),
      downFile: fsys.exists(down) ? down : undefined,
      index,
      when: e.when,
    };
  });
}

/** The chunks drizzle runs one by one: the file split at every breakpoint, with each chunk's offset in the file. */
export function breakpointChunks(text: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let offset = 0;
  for (const part of text.split(BREAKPOINT)) {
    out.push({ text: part, offset });
    offset += part.length + BREAKPOINT.length;
  }
  return out;
}

