// A commit's journal: `.pgmig/commit.json`, written before the committed file appears and removed once the commit is
// complete. After a kill it says which file that commit wrote and what current held then, so that the next command
// can finish the commit, undo it, or refuse to commit the same SQL twice (commands/commit.ts). `.pgmig/` carries
// its own `.gitignore`, so nothing here shows in `git status`.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './current';
import type { EngineSettings } from './settings';

export interface CommitJournal {
  version: 1;
  /** The committing process (a live one is still at work: leave its journal alone). */
  pid: number;
  /** The target whose database the commit migrates (null: the default one). */
  target: string | null;
  /** The committed file's name (in committed/), its hash. */
  file: string;
  hash: string;
  /** current's compiled text when the commit read it: what a finished commit blanks. */
  current: string;
  /** current.down.sql's text, moved beside the committed file. */
  down?: string;
}

export function journalPath(settings: EngineSettings): string {
  return path.join(settings.root, '.pgmig', 'commit.json');
}

export function writeJournal(settings: EngineSettings, j: CommitJournal): void {
  const dir = path.dirname(journalPath(settings));
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' });
  } catch {
    /* already there */
  }
  writeFileAtomic(journalPath(settings), JSON.stringify(j, null, 2) + '\n');
}

export function readJournal(settings: EngineSettings): CommitJournal | undefined {
  let text: string;
  try {
    text = fs.readFileSync(journalPath(settings), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const j = JSON.parse(text);
    return j && j.version === 1 && typeof j.file === 'string' && typeof j.current === 'string' ? j : undefined;
  } catch {
    return undefined; // written atomically: never half a journal; anything else is not ours
  }
}

export function removeJournal(settings: EngineSettings): void {
  fs.rmSync(journalPath(settings), { force: true });
}

/** True when a process with this id exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e?.code === 'EPERM';
  }
}
