// Folders pgmig creates inside a user's project (`.pgmig/`, where the embedded database lives) are born with their
// own `.gitignore` containing `*`, as pytest's and ruff's caches are: nothing pgmig makes ever shows up in
// `git status`, and no user has to edit their own ignore file.
import fs from 'node:fs';
import path from 'node:path';

export const IGNORE_FILE_TEXT = '# Created by pgmig: its embedded database and state. Not for version control.\n*\n';

/**
 * Creates `dir` (and missing parents) if needed. The topmost folder this creates gets a `.gitignore` with `*`,
 * written before the folder appears under its name (made under a temporary name, then renamed), so that no
 * concurrent `git add` or editor's source control ever sees it without one. Returns the folder that got the ignore
 * file, or undefined when every folder already existed.
 */
export function makeIgnoredFolder(dir: string): string | undefined {
  dir = path.resolve(dir);
  if (fs.existsSync(dir)) return undefined;
  // The topmost missing folder.
  let top = dir;
  while (!fs.existsSync(path.dirname(top)) && path.dirname(top) !== top) top = path.dirname(top);
  fs.mkdirSync(path.dirname(top), { recursive: true });
  const tmp = `${top}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  fs.mkdirSync(tmp);
  let made: string | undefined = top;
  try {
    fs.writeFileSync(path.join(tmp, '.gitignore'), IGNORE_FILE_TEXT);
    fs.renameSync(tmp, top);
  } catch (e: any) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Another process made it first (rename onto a non-empty folder fails): theirs has the ignore file.
    if (!fs.existsSync(top)) throw e;
    made = undefined;
  }
  fs.mkdirSync(dir, { recursive: true });
  return made;
}

/** A folder that is pgmig's own (`.pgmig/`): created with its ignore file, or given one (an older pgmig made it without). */
export function ensurePgmigFolder(dir: string): void {
  if (!makeIgnoredFolder(dir)) addIgnoreFile(dir);
}

/** Writes `<dir>/.gitignore` with `*` unless one is there (for a data folder pgmig created in a folder of the user's). */
export function addIgnoreFile(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, '.gitignore'), IGNORE_FILE_TEXT, { flag: 'wx' });
  } catch {
    /* already there, or the folder is gone: nothing to ignore */
  }
}
