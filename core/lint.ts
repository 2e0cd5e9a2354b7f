// Lint as the CLI asks for it: the whole project, or some files in the context of their projects, or files that
// belong to no project on their own.
import path from 'node:path';
import { Analyzer } from './analysis';
import { type FileSystem, diskFileSystem } from './fileSystem';
import { loadParser } from './parser';
import { findProjectRoot, loadProject, isProjectRoot } from './project';
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
}

export async function lint(options: LintOptions): Promise<LintResult> {
  await loadParser();
  const fs = options.fs ?? diskFileSystem;
  const cwd = path.resolve(options.cwd);
  const analyzer = new Analyzer(fs);
  if (!options.paths || options.paths.length === 0) {
    const root = options.root ? path.resolve(cwd, options.root) : findProjectRoot(fs, cwd);
    if (!root || !isProjectRoot(fs, root)) {
      throw new ProjectNotFoundError(
        `no migrations project found ${options.root ? `at ${root}` : `in ${cwd} or above`} (looked for .gmrc, pgmig.json, migrations/committed, migrations/current.sql)`,
      );
    }
    const project = loadProject(fs, root);
    const analysis = analyzer.analyzeProject(project);
    return { root, findings: analysis.findings, files: analysis.scripts.map((s) => s.file) };
  }

  const root = options.root ? path.resolve(cwd, options.root) : cwd;
  const findings: Finding[] = [];
  const files: string[] = [];
  const byProject = new Map<string, Set<string>>();
  for (const p of options.paths) {
    const file = path.resolve(cwd, p);
    if (fs.read(file) === undefined) throw new ProjectNotFoundError(`cannot read ${p}`);
    const projectRoot = options.root && isProjectRoot(fs, root) ? root : findProjectRoot(fs, path.dirname(file));
    if (projectRoot) {
      let set = byProject.get(projectRoot);
      if (!set) byProject.set(projectRoot, (set = new Set()));
      set.add(fs.realpath(file) ?? file);
    } else {
      const analysis = analyzer.analyzeStandalone(file);
      findings.push(...analysis.findings);
      files.push(file);
    }
  }
  for (const [projectRoot, wanted] of byProject) {
    const analysis = analyzer.analyzeProject(loadProject(fs, projectRoot));
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
  return { root, findings, files };
}
