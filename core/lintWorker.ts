// Linting many standalone files is embarrassingly parallel: each file is analysed alone. The CLI hands chunks of
// them to worker threads (each with its own WASM parser); this is the code a worker runs.
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer } from './analysis';
import { loadParser } from './parser';
import type { Finding } from './types';

export interface LintWorkerData {
  pgmigLintWorker: true;
  files: string[];
}

export function isLintWorker(): boolean {
  return !!(workerData as LintWorkerData | undefined)?.pgmigLintWorker;
}

export async function runLintWorker(): Promise<void> {
  const { files } = workerData as LintWorkerData;
  await loadParser();
  const analyzer = new Analyzer();
  const findings: Finding[] = [];
  for (const f of files) findings.push(...analyzer.analyzeStandalone(f).findings);
  parentPort!.postMessage(findings);
}
