// The `pgmig` command (run by cli/entry.ts): a thin adapter over core/. Exit codes: 0 ok, 1 findings or a failed operation, 2 usage.
import type { Command } from './commands';
import { runLint } from './lint';
import { UsageError, VERSION } from './usage';

// The engine's commands (and the database drivers behind them) load only when one runs: `lint` starts faster.
async function engineCommands(): Promise<Record<string, Command>> {
  return (await import('./commands/index.js')).commands;
}

async function help(): Promise<string> {
  const commands = await engineCommands();
  return `pgmig ${VERSION}: PostgreSQL migrations, checked and applied

Usage: pgmig <command> [options]

Commands:
  lint [--root DIR] [--format text|json|sarif] [PATH...]   check the project (or the given files)
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(55)} ${c.summary}`)
  .join('\n')}

Run 'pgmig <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write((await help()) + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  try {
    // (cli/entry.ts sets the V8 flags for lint.)
    if (command === 'lint') return await runLint(rest);
    const c = (await engineCommands())[command];
    if (!c) throw new UsageError(`unknown command '${command}' (see 'pgmig --help')`);
    return await c.run(rest);
  } catch (e: any) {
    if (e instanceof UsageError) {
      process.stderr.write(`pgmig: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`pgmig: ${e?.message ?? e}\n`);
    return 1;
  }
}

// A reader that stops early (`pgmig lint | head`) is not an error: the rest of the output just goes nowhere.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`pgmig: internal error: ${e?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
