// The `pgmig` command (run by cli/entry.ts): a thin adapter over core/. Exit codes: 0 ok, 1 findings or a failed operation, 2 usage.
import path from 'node:path';
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
  lint [--root DIR] [--format FMT] [--database] [PATH...]   check the project (or the given files); FMT text, json or sarif
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(55)} ${c.summary}`)
  .join('\n')}

Global options (before or after the command):
  --env-file PATH   a dotenv file completing the environment (DATABASE_URL, ROOT_DATABASE_URL, .gmrc's !ENV
                    placeholders, targets' urlEnv, action commands); default <project>/.env when it exists. A
                    variable already set in the environment wins over the file, as with dotenv. Values are never printed.

Run 'pgmig <command> --help' for a command's options.`;
}

/**
 * Takes `--env-file PATH` / `--env-file=PATH` out of `argv` wherever it is (it is global: `pgmig --env-file x migrate`
 * as well as `pgmig migrate --env-file x`). Returns the other arguments and the option, its path made absolute
 * from the current folder (empty when absent).
 */
function takeEnvFile(argv: string[]): { rest: string[]; option: string[] } {
  const rest: string[] = [];
  let option: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--env-file') {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('-')) throw new UsageError("option '--env-file <value>' argument missing");
      option = [`--env-file=${path.resolve(argv[++i])}`];
    } else if (a.startsWith('--env-file=')) option = [`--env-file=${path.resolve(a.slice('--env-file='.length))}`];
    else rest.push(a);
  }
  return { rest, option };
}

async function main(args: string[]): Promise<number> {
  let argv = args;
  let envFile: string[] = [];
  try {
    ({ rest: argv, option: envFile } = takeEnvFile(args));
  } catch (e: any) {
    process.stderr.write(`pgmig: ${e.message}\n`);
    return 2;
  }
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
    // (cli/entry.ts sets the V8 flags for lint.) Lint reads files only, and the environment only with --database.
    if (command === 'lint') return await runLint(rest, envFile);
    const c = (await engineCommands())[command];
    if (!c) throw new UsageError(`unknown command '${command}' (see 'pgmig --help')`);
    return await c.run([...rest, ...envFile]);
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
