// current.sql (or the current/ folder) read, compiled and written as graphile-migrate 2.0.0-rc.3 does: includes
// expanded with `--! Included` markers (core/includes.ts), a folder's files joined with `--! split:` markers. pgmig
// keeps a source map through all of it, and writes files atomically (temp file + rename) so that a killed
// process never leaves a half-written current.sql.
import fs from 'node:fs';
import path from 'node:path';
import { diskFileSystem, type FileSystem } from '../fileSystem';
import { COMMITTED_NAME } from '../graphile/committedFile';
import { expandIncludes, mapOffset, type Expansion } from '../includes';
import { EngineError } from './errors';
import { parseMigrationText } from './committed';
import { describeLocation, isNoTransaction, type FileOffset } from './sourceText';
import { invalidUtf8 } from '../badBytes';

export interface CurrentLocation {
  isFile: boolean;
  /** `<migrations>/current.sql` or `<migrations>/current` */
  path: string;
  exists: boolean;
}

export interface CompiledCurrent {
  location: CurrentLocation;
  /** What graphile-migrate's readCurrentMigration returns. */
  text: string;
  /** Maps an offset of `text` to the file it came from. */
  toSource(offset: number): FileOffset;
  /** Files read: current file(s) and every fixture reached. */
  files: string[];
}

export function currentLocation(migrationsFolder: string): CurrentLocation {
  const filePath = path.join(migrationsFolder, 'current.sql');
  const dirPath = path.join(migrationsFolder, 'current');
  const f = fs.statSync(filePath, { throwIfNoEntry: false });
  const d = fs.statSync(dirPath, { throwIfNoEntry: false });
  if (f && !f.isFile()) throw new EngineError('current', `'${filePath}' exists but is not a file.`);
  if (d && !d.isDirectory()) throw new EngineError('current', `'${dirPath}' exists but is not a directory.`);
  if (f && d) throw new EngineError('current', `Invalid current migration: both the '${filePath}' file and the '${dirPath}' directory exist; only one of these may exist at a time.`);
  const isFile = !d;
  return { isFile, path: isFile ? filePath : dirPath, exists: !!(isFile ? f : d) };
}

/** graphile-migrate's idFromFilename for current/ parts. */
function idFromFilename(file: string): number {
  const m = COMMITTED_NAME.exec(file);
  if (!m) throw new EngineError('current', `Invalid current migration filename: '${file}'. File must follow the naming 001.sql or 001-message.sql.`);
  const id = parseInt(m[1], 10);
  if (!id || !isFinite(id) || id < 1) throw new EngineError('current', `Invalid current migration filename: '${file}'. File must start with a (positive) number.`);
  return id;
}

function expand(fsys: FileSystem, file: string, content: string, migrationsFolder: string): Expansion {
  if (/--!\s*(End)?Included?/.test(content)) {
    const at = content.search(/--!\s*(End)?Included?/);
    const loc = describeLocation(file, content, at);
    throw new EngineError('current', `${file}:${loc.line}:${loc.column}: \`--! Included\` / \`--! EndIncluded\` comments are not allowed in user migrations; use \`--!include\` instead`, { location: loc });
  }
  const exp = expandIncludes(fsys, file, content, path.join(migrationsFolder, 'fixtures'));
  if (exp.problems.length) {
    const p = exp.problems[0];
    const text = p.file === file ? content : fsys.read(p.file) ?? '';
    const loc = describeLocation(p.file, text, p.start);
    throw new EngineError('current', `${p.file}:${loc.line}:${loc.column}: ${p.message}`, { location: loc });
  }
  return exp;
}

interface Chunk {
  start: number;
  end: number;
  map: (offset: number) => FileOffset;
}

function chunkedMap(chunks: Chunk[], fallback: FileOffset): (offset: number) => FileOffset {
  return (offset) => {
    for (const c of chunks) if (offset >= c.start && offset < c.end) return c.map(offset - c.start);
    const last = chunks[chunks.length - 1];
    return last ? last.map(Math.max(0, last.end - last.start - 1)) : fallback;
  };
}

export function readCurrent(migrationsFolder: string, fsys: FileSystem = diskFileSystem): CompiledCurrent {
  const location = currentLocation(migrationsFolder);
  if (location.isFile) {
    const content = fsys.read(location.path) ?? '';
    const exp = expand(fsys, location.path, content, migrationsFolder);
    return {
      location,
      text: exp.text,
      toSource: (o) => mapOffset(exp, o),
      files: [location.path, ...exp.fixtures],
    };
  }
  const names = fsys.list(location.path);
  const parts = new Map<number, string>();
  for (const file of names) {
    if (file.startsWith('.') || !file.endsWith('.sql')) continue;
    const id = idFromFilename(file);
    const dup = parts.get(id);
    if (dup) throw new EngineError('current', `Current migration filename clash: files must have a unique numeric prefix, but at least 2 files ('${file}' and '${dup}') have the prefix '${id}'.`);
    parts.set(id, file);
  }
  let whole = '';
  const chunks: Chunk[] = [];
  const headerLines: string[] = [];
  const files: string[] = [];
  for (const id of [...parts.keys()].sort((a, b) => a - b)) {
    const file = parts.get(id)!;
    const filePath = path.join(location.path, file);
    const raw = fsys.read(filePath);
    if (raw === undefined) throw new EngineError('current', `Failed to read file at '${filePath}'`);
    const exp = expand(fsys, filePath, raw, migrationsFolder);
    files.push(filePath, ...exp.fixtures);
    const { headers, headerOrder, body, bodyOffset } = parseMigrationText(filePath, exp.text, false);
    for (const k of headerOrder) headerLines.push(`--! ${k}` + (headers[k] ? `: ${headers[k]}` : ''));
    if (isNoTransaction(body)) {
      throw new EngineError('current', `Error in '${filePath}': cannot use '--! no-transaction' with 'current/' directory migrations; use 'current.sql' instead.`);
    }
    if (whole.length > 0) whole += '\n';
    const marker = `--! split: ${file}\n`;
    chunks.push({ start: whole.length, end: whole.length + marker.length, map: () => ({ file: filePath, offset: 0 }) });
    whole += marker;
    const trimmed = body.trim() + '\n';
    chunks.push({ start: whole.length, end: whole.length + trimmed.length, map: (o) => mapOffset(exp, bodyOffset + o) });
    whole += trimmed;
  }
  if (headerLines.length) {
    const prefix = headerLines.join('\n') + '\n\n';
    whole = prefix + whole;
    for (const c of chunks) {
      c.start += prefix.length;
      c.end += prefix.length;
    }
  }
  const fallback = { file: files[0] ?? location.path, offset: 0 };
  return { location, text: whole, toSource: chunkedMap(chunks, fallback), files };
}

/**
 * Bytes that are not UTF-8 in current or a fixture it includes: the text read has U+FFFD in their place, which
 * PostgreSQL would accept, so watch would run something else than the file says and commit would write U+FFFD into
 * the committed file and blank current: the bytes lost. Refused, naming the first such place (lint and the editor
 * report each one as a syntax-error finding).
 */
export function invalidUtf8Error(cur: CompiledCurrent): EngineError | undefined {
  if (!cur.text.includes('\uFFFD')) return undefined;
  for (const file of cur.files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      continue;
    }
    const [bad] = invalidUtf8(bytes, 1).found;
    if (!bad) continue;
    const loc = describeLocation(file, bytes.toString('utf8'), bad.offset);
    const hex = bad.bytes.map((b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
    return new EngineError(
      'current',
      `${file}:${loc.line}:${loc.column}: invalid byte sequence for encoding "UTF8": ${hex}: the file is not UTF-8 here (saved as Latin-1, Windows-1252 or UTF-16?); save it as UTF-8 (pgmig does not run or commit it: the bytes would be lost)`,
      { sqlstate: '22021', location: loc },
    );
  }
  return undefined;
}

/** Writes a file through a temp file and rename: readers see the old or the new text, never a part. */
export function writeFileAtomic(file: string, text: string, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode ?? 0o666);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* directory fsync is best effort */
  }
}

/** graphile-migrate's writeCurrentMigration (file, or split back into the current/ folder's files). */
export function writeCurrent(location: CurrentLocation, body: string, blankMigrationContent: string): void {
  if (body.trim() + '\n' !== body) throw new Error("internal: 'body' should be sanitized before writing current");
  if (location.isFile) {
    writeFileAtomic(location.path, body);
    return;
  }
  fs.mkdirSync(location.path, { recursive: true });
  const written: string[] = [];
  const writes: [string, string][] = [];
  let next: string | null = null;
  let lines: string[] = [];
  let highest = 0;
  let highestName: string | null = null;
  const flush = (force = false) => {
    if (!lines.length && !next) return;
    const sql = lines.join('\n').trim() + '\n';
    const name = next || (force ? `${highest + 1}-current.sql` : null);
    if (!name) return;
    const id = idFromFilename(name);
    if (id <= highest) throw new EngineError('current', `Bad migration, split ids must be monotonically increasing, but '${id}' (from '${name}') <= '${highest}' (from '${highestName}').`);
    highest = id;
    highestName = name;
    writes.push([name, sql]);
    written.push(name);
    lines = [];
    next = null;
  };
  for (const line of body.split('\n')) {
    const m = /^--! split: ([0-9]+(?:-[-_a-zA-Z0-9]+)?\.sql)$/.exec(line);
    if (m) {
      flush();
      next = m[1];
    } else lines.push(line);
  }
  flush(true);
  if (!writes.length) {
    writes.push(['001.sql', blankMigrationContent]);
    written.push('001.sql');
  }
  for (const [name, sql] of writes) writeFileAtomic(path.join(location.path, name), sql);
  for (const file of fs.readdirSync(location.path)) {
    if (COMMITTED_NAME.test(file) && !file.startsWith('.') && !written.includes(file)) fs.unlinkSync(path.join(location.path, file));
  }
}
