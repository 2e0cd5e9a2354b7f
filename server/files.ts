// The server's view of files: open editor buffers over a cache of the disk. The disk cache matters on every edit:
// a project with a thousand committed migrations would otherwise read a thousand files per keystroke. It is
// invalidated by the client's file events (workspace/didChangeWatchedFiles), saves and closes.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { diskFileSystem, type FileSystem, OverlayFileSystem } from '../core/fileSystem';
import { LineIndex } from '../core/text';

/** `path.resolve` for paths that are not already absolute and normal (it runs for every file on every analysis). */
export function normal(file: string): string {
  return file.charCodeAt(0) === 47 && file.indexOf('/.') === -1 && file.indexOf('//') === -1 && !file.endsWith('/') ? file : path.resolve(file);
}

class CachedDiskFileSystem implements FileSystem {
  private readonly texts = new Map<string, string | undefined>();
  private readonly realpaths = new Map<string, string | undefined>();
  private readonly directories = new Map<string, boolean>();
  private readonly listings = new Map<string, string[]>();

  read(file: string): string | undefined {
    const key = normal(file);
    const cached = this.texts.get(key);
    if (cached !== undefined || this.texts.has(key)) return cached;
    const text = diskFileSystem.read(key);
    this.texts.set(key, text);
    return text;
  }
  exists(file: string): boolean {
    return this.realpath(file) !== undefined;
  }
  realpath(file: string): string | undefined {
    const key = path.resolve(file);
    if (this.realpaths.has(key)) return this.realpaths.get(key);
    const real = diskFileSystem.realpath(key);
    this.realpaths.set(key, real);
    return real;
  }
  isDirectory(dir: string): boolean {
    const key = path.resolve(dir);
    let d = this.directories.get(key);
    if (d === undefined) this.directories.set(key, (d = diskFileSystem.isDirectory(key)));
    return d;
  }
  list(dir: string): string[] {
    const key = path.resolve(dir);
    let l = this.listings.get(key);
    if (l === undefined) this.listings.set(key, (l = diskFileSystem.list(key)));
    return l;
  }
  /** Forgets what is known about a file: its text, its existence, and the listing of its folder. */
  invalidate(file: string): void {
    const key = path.resolve(file);
    this.texts.delete(key);
    this.realpaths.delete(key);
    this.directories.delete(key);
    this.listings.delete(key);
    this.listings.delete(path.dirname(key));
    // A folder created or deleted changes what is under it, too.
    for (const k of [...this.realpaths.keys()]) if (k.startsWith(key + path.sep)) this.realpaths.delete(k);
    for (const k of [...this.directories.keys()]) if (k.startsWith(key + path.sep)) this.directories.delete(k);
    for (const k of [...this.listings.keys()]) if (k.startsWith(key + path.sep)) this.listings.delete(k);
    for (const k of [...this.texts.keys()]) if (k.startsWith(key + path.sep)) this.texts.delete(k);
  }
  invalidateAll(): void {
    this.texts.clear();
    this.realpaths.clear();
    this.directories.clear();
    this.listings.clear();
  }
}

/** Open buffers over the disk cache. */
class EditorFileSystem extends OverlayFileSystem {
  override read(file: string): string | undefined {
    const key = normal(file);
    return this.overlay.get(key) ?? this.disk.read(key);
  }
  constructor(private readonly disk: CachedDiskFileSystem) {
    super(disk);
  }
}

export class Files {
  readonly disk = new CachedDiskFileSystem();
  readonly fs = new EditorFileSystem(this.disk);
  /** The URI a client used for a path, so that diagnostics go back under the same spelling. */
  private readonly uris = new Map<string, string>();
  private readonly lineIndexes = new Map<string, LineIndex>();

  /** Absolute path for a document URI. Non-file documents (untitled) get a stable made-up path. */
  pathOf(uri: string): string {
    let file: string;
    if (uri.startsWith('file:')) {
      file = fileURLToPath(uri);
      file = this.disk.realpath(file) ?? path.resolve(file);
    } else {
      file = path.join(path.sep, '__pgmig_untitled__', encodeURIComponent(uri));
    }
    this.uris.set(file, uri);
    return file;
  }

  uriOf(file: string): string {
    return this.uris.get(file) ?? pathToFileURL(file).href;
  }

  open(file: string, text: string): void {
    this.fs.overlay.set(file, text);
  }
  close(file: string): void {
    this.fs.overlay.delete(file);
    this.disk.invalidate(file);
  }
  isOpen(file: string): boolean {
    return this.fs.overlay.has(file);
  }
  read(file: string): string | undefined {
    return this.fs.read(file);
  }

  /** Line index of a text (cached per file while its text stays the same object). */
  lineIndex(file: string, text: string): LineIndex {
    const cached = this.lineIndexes.get(file);
    if (cached && cached.text === text) return cached;
    const idx = new LineIndex(text);
    this.lineIndexes.set(file, idx);
    return idx;
  }
}
