// The analysis reads files through this interface so that the language server can put unsaved editor buffers in
// front of the disk. Synchronous on purpose: analysis is CPU-bound and runs on whole projects of small files.
import fs from 'node:fs';
import path from 'node:path';

export interface FileSystem {
  read(file: string): string | undefined;
  exists(file: string): boolean;
  realpath(file: string): string | undefined;
  isDirectory(dir: string): boolean;
  /** Names in a folder (files and folders), or [] when it does not exist. */
  list(dir: string): string[];
  /** The file's bytes as stored, where read() decoded them (to find bytes that are not UTF-8); absent or undefined
   * where there are none (an editor buffer that differs from the disk). */
  bytes?(file: string): Uint8Array | undefined;
}

export const diskFileSystem: FileSystem = {
  read(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  exists(file) {
    return fs.statSync(file, { throwIfNoEntry: false }) !== undefined;
  },
  realpath(file) {
    try {
      return fs.realpathSync(file);
    } catch {
      return undefined;
    }
  },
  isDirectory(dir) {
    try {
      return fs.statSync(dir).isDirectory();
    } catch {
      return false;
    }
  },
  list(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
  bytes(file) {
    try {
      return fs.readFileSync(file);
    } catch {
      return undefined;
    }
  },
};

/** Disk with an overlay of open documents (absolute path -> text). */
export class OverlayFileSystem implements FileSystem {
  readonly overlay = new Map<string, string>();
  constructor(private readonly base: FileSystem = diskFileSystem) {}
  read(file: string): string | undefined {
    return this.overlay.get(path.resolve(file)) ?? this.base.read(file);
  }
  exists(file: string): boolean {
    return this.overlay.has(path.resolve(file)) || this.base.exists(file);
  }
  realpath(file: string): string | undefined {
    const real = this.base.realpath(file);
    if (real !== undefined) return real;
    // A new, unsaved buffer has no file yet; it still counts as existing.
    const abs = path.resolve(file);
    return this.overlay.has(abs) ? abs : undefined;
  }
  isDirectory(dir: string): boolean {
    return this.base.isDirectory(dir);
  }
  list(dir: string): string[] {
    return this.base.list(dir);
  }
  bytes(file: string): Uint8Array | undefined {
    // An open document's bytes are the disk's only while its text is the disk's.
    const open = this.overlay.get(path.resolve(file));
    if (open !== undefined && open !== this.base.read(file)) return undefined;
    return this.base.bytes?.(file);
  }
}
