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

/** The migrations of a numbered folder in numeric order (ties by name), each with its rollback file if present. */
export function numberedMigrations(fsys: FileSystem, folder: string): NumberedMigration[] {
  const names = fsys.list(folder);
  const downs = new Map<number, string>();
  for (const n of names) {
    const m = NUMBERED_ROLLBACK.exec(n);
    if (m && !downs.has(parseInt(m[1], 10))) downs.set(parseInt(m[1], 10), path.join(folder, n));
  }
  return names
    .map((n) => ({ n, m: NUMBERED_FILE.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => parseInt(a.m[1], 10) - parseInt(b.m[1], 10) || a.n.localeCompare(b.n))
    .map(({ n, m }, index) => ({
      id: m[1],
      name: m[2],
      number: parseInt(m[1], 10),
      fileName: n,
      file: path.join(folder, n),
      downFile: downs.get(parseInt(m[1], 10)),
      index,
    }));
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

