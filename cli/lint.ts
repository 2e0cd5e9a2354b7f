// `pgmig lint [--root DIR] [--format text|json|sarif] [PATH...]`
import path from 'node:path';
import { parseArgs } from 'node:util';
import { diskFileSystem } from '../core/fileSystem';
import { lint, ProjectNotFoundError } from '../core/lint';
import { ConfigError } from '../core/project';
import { Positions, toJson, toSarif, toText } from './format';
import { lintProgress } from './lintProgress';
import { UsageError, VERSION } from './usage';

const LINT_HELP = `Usage: pgmig lint [--root DIR] [--format text|json|sarif] [--color] [PATH...]

Checks the migrations project found from the current folder (or DIR). With PATHs, checks those files in the
context of their project (a folder stands for the .sql files under it); a file outside any project is checked
on its own.
Exit code: 0 no error findings, 1 error findings, 2 bad arguments, no project or an unreadable pgmig.json.
`;

export async function runLint(argv: string[]): Promise<number> {
  let values: { root?: string; format?: string; color?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { root: { type: 'string' }, format: { type: 'string', default: 'text' }, color: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e: any) {
    // node's message goes on about '--' for positionals; the first sentence is the reason.
    throw new UsageError(String(e.message).split('. ')[0]);
  }
  if (values.help) {
    process.stdout.write(LINT_HELP);
    return 0;
  }
  const format = values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif (got '${format}')`);
  let result;
  const progress = lintProgress(process.stderr, process.env, format);
  try {
    result = await lint({ cwd: process.cwd(), root: values.root, paths: positionals, workerScript: path.join(__dirname, 'lintWorker.js'), progress: progress?.show, note: (m) => { progress?.clear(); process.stderr.write(`pgmig: note: ${m}\n`); } });
  } catch (e) {
    if (e instanceof ProjectNotFoundError || e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  } finally {
    progress?.clear();
  }
  const positions = new Positions((f) => result.texts.get(f) ?? diskFileSystem.read(f));
  const out =
    format === 'json'
      ? JSON.stringify(toJson(result.findings, result.root, positions), null, 2) + '\n'
      : format === 'sarif'
        ? JSON.stringify(toSarif(result.findings, result.root, positions, VERSION), null, 2) + '\n'
        : toText(result.findings, result.root, positions, values.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR));
  await new Promise<void>((resolve) => process.stdout.write(out, () => resolve()));
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
