// Lint as the CLI asks for it: the whole project, or some files in the context of their projects, or files that
// belong to no project on their own.
import os from 'node:os';
import { statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Analysis, Analyzer } from './analysis';
import { type FileSystem, diskFileSystem } from './fileSystem';
import { loadParser } from './sql/parser';
import { compiledPgQuery } from './sql/pgQuery';
import { findProjectRoot, loadProject, isProjectRoot, type Project } from './project';
import type { FromLintWorker, ToLintWorker } from './lintWorker';
import { HelperFailed, PARALLEL_PARSE_MIN, type ParsedPiece, type PieceParser } from './sql/parallelParse';
import type { Finding } from './types';

export class ProjectNotFoundError extends Error {}

export interface LintResult {
  /** The folder file names are reported relative to. */
  root: string;
  findings: Finding[];
  /** Files that were looked at (for SARIF artifacts and "N files" summaries). */
  files: string[];
  /** The texts of some files with findings, as analysed (worker threads send them along): lines and columns can
   * come from these without reading the files again. */
  texts: Map<string, string>;
}

export interface LintOptions {
  cwd: string;
  root?: string;
  paths?: string[];
  fs?: FileSystem;
  /** Worker threads running this script (dist/lintWorker.js, core/lintWorker.ts) lint standalone files when there
   * are many, and help parse a large one. */
  workerScript?: string;
  /** What lint is doing, for a person waiting at a terminal: called when long work starts or moves on. `large` is
   * set for work that is worth announcing at once (a file of megabytes). */
  progress?: (message: string, large?: boolean) => void;
  /** Something about a project's settings the user should know (a `.gmrc.js` setting the analysis cannot read). */
  note?: (message: string) => void;
}

/** Files at least this large are announced (progress) before they are analysed. */
const ANNOUNCE_SIZE = 1024 * 1024;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

const PARALLEL_THRESHOLD = 64;

export async function lint(options: LintOptions): Promise<LintResult> {
  const fs = options.fs ?? diskFileSystem;
  const cwd = path.resolve(options.cwd);
  const threads = Math.min(os.availableParallelism?.() ?? os.cpus().length, 8);
  const paths = options.paths ?? [];
  // Workers start before the paths are sorted into projects (that takes a while for thousands of files): they load
  // while this thread walks the file system. Too little work for them after all, and they are let go unused.
  let workers = 0;
  if (options.workerScript && threads > 1 && fs === diskFileSystem) {
    if (paths.length >= PARALLEL_THRESHOLD) workers = threads;
    // This thread parses too: one helper fewer.
    else if (paths.some((p) => isLargeFile(path.resolve(cwd, p)))) workers = threads - 1;
  }
  const pool = workers > 0 ? new LintPool(options.workerScript!, workers) : undefined;
  try {
    await loadParser();
    return await lintWithPool(options, fs, cwd, pool);
  } finally {
    pool?.close();
  }
}

/**
 * What lint keeps of a standalone file's analysis: its findings, and its text when there are any (lines and columns
 * come from it, without reading the file again). The analyzer forgets the file: each is analysed once, and keeping
 * its parse tree would only make every later garbage collection slower.
 */
export function keepFindings(analyzer: Analyzer, analysis: Analysis, texts: Map<string, string>): Finding[] {
  const script = analysis.scripts[0];
  if (analysis.findings.length > 0) texts.set(script.file, script.expansion.text);
  analyzer.forget(script.file);
  return analysis.findings;
}

function isLargeFile(file: string): boolean {
  // Bytes, not characters: a file of this many bytes has at most this many characters.
  return fileSize(file) >= PARALLEL_PARSE_MIN;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Says which project is analysed; at once when one of its files is large (a quick run stays quiet otherwise). */
function announceProject(options: LintOptions, cwd: string, project: Project): void {
  if (!options.progress) return;
  const files = [...project.committedFiles, ...project.currentFiles, ...project.fixtureFiles];
  const largest = Math.max(0, ...files.map(fileSize));
  const where = path.relative(cwd, project.root) || '.';
  options.progress(`linting the project in ${where} (${files.length} file${files.length === 1 ? '' : 's'}${largest >= ANNOUNCE_SIZE ? `, the largest ${megabytes(largest)}` : ''})`, largest >= ANNOUNCE_SIZE);
}

/** `helper`, telling `progress` how far the parse of a file of `total` characters has come as its pieces arrive. */
function parseProgress(helper: PieceParser, name: string, size: number, progress: LintOptions['progress']): PieceParser {
  if (!progress) return helper;
  return {
    parsePieces(text, from, sizes) {
      const pieces = helper.parsePieces(text, from, sizes);
      return {
        async *[Symbol.asyncIterator]() {
          for await (const piece of pieces) {
            if (piece.json === undefined) progress(`parsing ${name} (${megabytes(size)}) again on one thread`, true);
            else progress(`parsing ${name} (${megabytes(size)}): ${Math.floor((100 * piece.to) / text.length)}%`, true);
            yield piece;
          }
        },
      };
    },
  };
}

async function lintWithPool(options: LintOptions, fs: FileSystem, cwd: string, pool: LintPool | undefined): Promise<LintResult> {
  // Findings never need the references to each table (the editor's find references does).
  const analyzer = new Analyzer(fs, undefined, { references: false });
  if (!options.paths || options.paths.length === 0) {
    const root = options.root ? path.resolve(cwd, options.root) : findProjectRoot(fs, cwd);
    if (!root || !isProjectRoot(fs, root)) {
      throw new ProjectNotFoundError(
        `no migrations project found ${options.root ? `at ${root}` : `in ${cwd} or above`} (looked for .gmrc, pgmig.json, migrations/committed, migrations/current.sql, migrations/NNN_name.sql, drizzle.config.*, drizzle/meta/_journal.json, alembic.ini)`,
      );
    }
    const project = loadProject(fs, root);
    announceProject(options, cwd, project);
    if (project.gmrcNotRead) options.note?.(`${path.relative(cwd, project.gmrcNotRead.file) || project.gmrcNotRead.file}: ${project.gmrcNotRead.message}`);
    const analysis = analyzer.analyzeProject(project);
    // project.root is the real path: findings name real paths, so a symlinked --root still gives relative names.
    return { root: project.root, findings: analysis.findings, files: analysis.scripts.map((s) => s.file), texts: new Map() };
  }

  let root = options.root ? path.resolve(cwd, options.root) : cwd;
  const standalone: string[] = [];
  const findings: Finding[] = [];
  const files: string[] = [];
  const byProject = new Map<string, Set<string>>();
  const roots = new Map<string, string | undefined>();
  const texts = new Map<string, string>();
  // With many files, the workers get each standalone file as soon as it is known as one: they need not wait for all
  // paths to be sorted.
  const stream = pool && options.paths.length >= PARALLEL_THRESHOLD ? pool.stream(texts) : undefined;
  for (const file of expandPaths(fs, cwd, options.paths)) {
    const projectRoot = options.root && isProjectRoot(fs, root) ? root : findProjectRoot(fs, path.dirname(file), roots);
    if (projectRoot) {
      let set = byProject.get(projectRoot);
      if (!set) byProject.set(projectRoot, (set = new Set()));
      set.add(fs.realpath(file) ?? file);
    } else {
      standalone.push(file);
      files.push(file);
      stream?.add(file);
    }
  }
  // The workers run while this thread analyses the projects below; their outcome is collected at the end (as a
  // value, so that an error here does not leave a rejected promise unhandled).
  let onWorkers: Promise<{ ok: Finding[] } | { error: unknown }> | undefined;
  if (stream) {
    onWorkers = stream.end().then((ok) => ({ ok }), (error) => ({ error }));
  } else {
    for (const file of standalone) {
      const size = options.progress ? fileSize(file) : 0;
      const name = path.relative(cwd, file);
      if (size >= ANNOUNCE_SIZE) options.progress!(`linting ${name} (${megabytes(size)})`, true);
      const analysis = pool && isLargeFile(file) ? await analyzer.analyzeStandaloneInParallel(file, parseProgress(pool, name, size, options.progress)) : analyzer.analyzeStandalone(file);
      if (size >= ANNOUNCE_SIZE) options.progress!(`checked ${name}; reporting`, true);
      findings.push(...keepFindings(analyzer, analysis, texts));
    }
    // The helpers are done: they stop while this thread goes on (the process would wait for them at exit).
    pool?.close();
  }
  if (stream) options.progress?.(`linting ${standalone.length} files on ${pool!.size} threads`);
  for (const [projectRoot, wanted] of byProject) {
    const project = loadProject(fs, projectRoot);
    announceProject(options, cwd, project);
    if (project.gmrcNotRead) options.note?.(`${path.relative(cwd, project.gmrcNotRead.file) || project.gmrcNotRead.file}: ${project.gmrcNotRead.message}`);
    // Names are relative to the project root when every file belongs to that one project.
    if (byProject.size === 1 && standalone.length === 0) root = project.root;
    const analysis = analyzer.analyzeProject(project);
    const inProject = new Set(analysis.scripts.flatMap((s) => [s.file, ...s.expansion.fixtures]));
    for (const f of wanted) {
      if (!inProject.has(f)) {
        // A file inside the project folder that plays no role (e.g. a down script): lint it alone.
        findings.push(...analyzer.analyzeStandalone(f).findings);
      }
      files.push(f);
    }
    findings.push(...analysis.findings.filter((f) => wanted.has(f.file)));
  }
  if (onWorkers) {
    const outcome = await onWorkers;
    if ('ok' in outcome) findings.push(...outcome.ok);
    else {
      // A worker died (out of memory, killed): the findings are still owed, so this thread lints the files itself.
      for (const file of standalone) findings.push(...keepFindings(analyzer, analyzer.analyzeStandalone(file), texts));
    }
  }
  sortFindings(findings);
  return { root, findings, files, texts };
}

/** By file, then position: the order every output format lists findings in. */
export function sortFindings(findings: Finding[]): void {
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end));
}

/** Absolute file paths for the PATH arguments: a folder stands for the `.sql` files under it. */
function expandPaths(fs: FileSystem, cwd: string, paths: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const name of fs.list(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = path.join(dir, name);
      if (fs.isDirectory(full)) {
        if (depth < 20) walk(full, depth + 1);
      } else if (name.endsWith('.sql')) out.push(full);
    }
  };
  for (const p of paths) {
    const file = path.resolve(cwd, p);
    // A `.sql` name is taken for a file without asking: one stat per file, not two, for thousands of paths.
    if (!file.endsWith('.sql') && fs.isDirectory(file)) {
      const before = out.length;
      walk(file, 0);
      if (out.length === before) throw new ProjectNotFoundError(`no .sql files in ${p}`);
    } else if (!fs.exists(file)) {
      throw new ProjectNotFoundError(`cannot read ${p}: no such file`);
    } else {
      out.push(file);
    }
  }
  return out;
}

/** Worker threads that lint standalone files, handing out small batches on demand so that no worker sits idle
 * while another still has a queue of large files, and that parse the pieces of a large file (PieceParser). */
class LintPool implements PieceParser {
  private readonly workers: Worker[] = [];
  get size(): number {
    return this.workers.length;
  }
  private readonly wasm = compiledPgQuery();
  /** Open requests: what to do with the next answer, and where a failure goes. */
  private readonly open = new Map<number, { answer: (m: FromLintWorker) => void; fail: (e: unknown) => void }>();
  private nextId = 0;
  private failure: unknown;

  constructor(script: string, count: number) {
    for (let i = 0; i < count; i++) {
      const w = new Worker(script);
      this.workers.push(w);
      // Posted as soon as it is compiled: the worker instantiates it instead of compiling its own.
      this.wasm.then((wasm) => w.postMessage({ wasm } satisfies ToLintWorker), (e) => this.fail(e));
      w.on('message', (m: FromLintWorker) => this.open.get(m.id)?.answer(m));
      w.once('error', (e) => this.fail(e));
      w.once('exit', (code) => this.fail(new Error(`lint worker exited with code ${code}`)));
    }
  }

  private fail(e: unknown): void {
    this.failure ??= e ?? new Error('lint worker failed');
    for (const r of this.open.values()) r.fail(this.failure);
    this.open.clear();
  }

  /** Sends a request; `answer` gets its answers until it returns true (done). */
  private request(w: Worker, message: (id: number) => ToLintWorker, answer: (m: FromLintWorker) => boolean, fail: (e: unknown) => void): void {
    if (this.failure !== undefined) return fail(this.failure);
    const id = this.nextId++;
    this.open.set(id, { answer: (m) => answer(m) && this.open.delete(id), fail });
    w.postMessage(message(id));
  }

  parsePieces(text: string, from: number, sizes: number[]): AsyncIterable<ParsedPiece> {
    // Answers arrive whenever the worker posts them; they wait here until the consumer asks.
    const arrived: ParsedPiece[] = [];
    let finished = false;
    let error: unknown;
    let wake: (() => void) | undefined;
    this.request(
      this.workers[0],
      (id) => ({ id, pieces: { text, from, sizes } }),
      (m) => {
        if ('piece' in m && m.piece) arrived.push(m.piece);
        finished = 'done' in m && m.done;
        wake?.();
        return finished;
      },
      (e) => {
        error = e;
        wake?.();
      },
    );
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          if (arrived.length > 0) yield arrived.shift()!;
          else if (error !== undefined) throw new HelperFailed(`lint worker failed: ${(error as Error)?.message ?? error}`);
          else if (finished) return;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    };
  }

  /** Standalone files to lint, added one by one: each idle worker takes the next batch. end() gives all findings. */
  stream(texts: Map<string, string>): { add(file: string): void; end(): Promise<Finding[]> } {
    const queue: string[] = [];
    const out: Finding[] = [];
    const idle = new Set(this.workers);
    let ended = false;
    let settle: { resolve: (f: Finding[]) => void; reject: (e: unknown) => void } | undefined;
    let error: unknown;
    const done = new Promise<Finding[]>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => {}); // observed through end()
    const feed = (w: Worker): void => {
      // While files still arrive, batches of 16; at the end they shrink so that all workers finish together.
      const size = ended ? Math.max(1, Math.min(32, Math.floor(queue.length / (this.workers.length * 4)))) : 16;
      if (queue.length === 0 || (!ended && queue.length < size)) {
        idle.add(w);
        if (ended && idle.size === this.workers.length) settle!.resolve(out);
        return;
      }
      idle.delete(w);
      const batch = queue.splice(0, size);
      this.request(
        w,
        (id) => ({ id, files: batch }),
        (m) => {
          if ('findings' in m) {
            out.push(...m.findings);
            for (const [file, text] of m.texts) texts.set(file, text);
          }
          feed(w);
          return true;
        },
        (e) => {
          error ??= e;
          settle!.reject(e);
        },
      );
    };
    return {
      add: (file) => {
        queue.push(file);
        for (const w of idle) if (queue.length >= 16) feed(w);
      },
      end: () => {
        ended = true;
        if (error === undefined) for (const w of [...idle]) feed(w);
        return done;
      },
    };
  }

  close(): void {
    // Terminating is not failing: nothing is waiting any more.
    this.failure ??= new Error('lint workers closed');
    for (const w of this.workers) void w.terminate();
  }
}
