// Runs the built CLI (dist/cli.js) as a real subprocess, and writes throwaway projects to temporary folders.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cli = path.join(repoRoot, 'dist', 'cli.js');
export const sampleRoot = path.join(repoRoot, 'migrations-sample');

/** Runs `node dist/cli.js ...args`; resolves with the exit code and both outputs. */
export function pgmig(args, { cwd = repoRoot, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `pgmig lint --format json ...`, parsed; fails loudly when stdout is not JSON. */
export async function lintJson(args, options) {
  const r = await pgmig(['lint', '--format', 'json', ...args], options);
  let findings;
  try {
    findings = JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}): ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr}`);
  }
  return { ...r, findings };
}

/** Writes `files` ({relative path: text}) under a new temporary folder; returns its path and a cleanup. */
export function makeProject(files, t) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pgmig-cli-'));
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  t?.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `file:line:column rule` per finding, the compact form assertions compare. */
export function brief(findings) {
  return findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`);
}
