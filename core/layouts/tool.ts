// Layouts driven by the project's own tool (alembic, data-migration scripts) run a command line in the project
// folder: the editor puts it in a terminal; the CLI runs it here with the output passed through.
import { spawn } from 'node:child_process';
import { EngineError } from '../engine/errors';
import type { ToolCommand } from './types';

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function runToolCommand(
  cmd: ToolCommand,
  opts: { output?: (stream: 'stdout' | 'stderr', text: string) => void; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.commandLine, { cwd: cmd.cwd, shell: true, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    child.stdout.setEncoding('utf8').on('data', (d: string) => opts.output?.('stdout', d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => opts.output?.('stderr', d));
    child.on('error', (e) => reject(new EngineError('io', `cannot run ${cmd.commandLine}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new EngineError('io', `${cmd.commandLine} failed (${signal ? `signal ${signal}` : `exit ${code}`})`));
    });
  });
}
