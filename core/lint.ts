// Lint as the CLI asks for it: the whole project, or some files in the context of their projects, or files that
// belong to no project on their own.
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Analyzer } from './analysis';
import { type FileSystem, diskFileSystem } from './fileSystem';
import { loadParser } from './parser';
import { findProjectRoot, loadProject, isProjectRoot } from './project';
import type { LintWorkerData } from './lintWorker';
import type { Finding } from './types';

export class ProjectNotFoundError extends Error {}

export interface LintResult {
  /** The folder file names are reported relative to. */
  root: string;
  findings: Finding[];
  /** Files that were looked at (for SARIF artifacts and "N files" summaries). */
  files: string[];
}

export interface LintOptions {
  cwd: string;
  root?: string;
  paths?: string[];
  fs?: FileSystem;
  /** Lint standalone files on worker threads running this script (the CLI's own bundle), when there are many. */
  workerScript?: string;
}

const PARALLEL_THRESHOLD = 64;

export async function lint(options: LintOptions): Promise<LintResult> {
  await loadParser();
  const fs = options.fs ?? diskFileSystem;
  const cwd = path.resolve(options.cwd);
  const analyzer = new Analyzer(fs);
  if (!options.paths || options.paths.length === 0) {
    const root = options.root ? path.resolve(cwd, options.root) : findProjectRoot(fs, cwd);
    if (!root || !isProjectRoot(fs, root)) {
      throw new ProjectNotFoundError(
        `no migrations project found ${options.root ? `at ${root}` : `in ${cwd} or above`} (looked for .gmrc, pgmig.json, migrations/committed, migrations/current.sql, migrations/NNN_name.sql, drizzle.config.*, drizzle/meta/_journal.json, alembic.ini)`,
      );
    }
    const project = loadProject(fs, root);
    const analysis = analyzer.analyzeProject(project);
    // project.root is the real path: findings name real paths, so a symlinked --root still gives relative names.
    return { root: project.root, findings: analysis.findings, files: analysis.scripts.map((s) => s.file) };
  }

  let root = options.root ? path.resolve(cwd, options.root) : cwd;
  const standalone: string[] = [];
  const findings: Finding[] = [];
  const files: string[] = [];
  const byProject = new Map<string, Set<string>>();
  const roots = new Map<string, string | undefined>();
  for (const file of expandPaths(fs, cwd, options.paths)) {
    const projectRoot = options.root && isProjectRoot(fs, root) ? root : findProjectRoot(fs, path.dirname(file), roots);
    if (projectRoot) {
      let set = byProject.get(projectRoot);
      if (!set) byProject.set(projectRoot, (set = new Set()));
      set.add(fs.realpath(file) ?? file);
    } else {
      standalone.push(file);
      files.push(file);
    }
  }
  const workers = Math.min(os.availableParallelism?.() ?? os.cpus().length, 8);
  // The workers run while this thread analyses the projects below; their outcome is collected at the end (as a
  // value, so that an error here does not leave a rejected promise unhandled).
  let onWorkers: Promise<{ ok: Finding[] } | { error: unknown }> | undefined;
  if (options.workerScript && standalone.length >= PARALLEL_THRESHOLD && workers > 1 && fs === diskFileSystem) {
    onWorkers = lintOnWorkers(options.workerScript, standalone, workers).then((ok) => ({ ok }), (error) => ({ error }));
  } else {
    for (const file of standalone) findings.push(...analyzer.analyzeStandalone(file).findings);
  }
  for (const [projectRoot, wanted] of byProject) {
    const project = loadProject(fs, projectRoot);
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
    if ('error' in outcome) throw outcome.error;
    findings.push(...outcome.ok);
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end));
  return { root, findings, files };
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

async function lintOnWorkers(script: string, files: string[], count: number): Promise<Finding[]> {
  // Interleave so that each worker gets a similar mix of large and small files.
  const chunks: string[][] = Array.from({ length: count }, () => []);
  files.forEach((f, i) => chunks[i % count].push(f));
  const results = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<Finding[]>((resolve, reject) => {
          const data: LintWorkerData = { pgmigLintWorker: true, files: chunk };
          const w = new Worker(script, { workerData: data });
          w.once('message', resolve);
          w.once('error', reject);
          w.once('exit', (code) => code !== 0 && reject(new Error(`lint worker exited with code ${code}`)));
        }),
    ),
  );
  return results.flat();
}
