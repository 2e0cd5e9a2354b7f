// `pgmig lint [--root DIR] [--format text|json|sarif] [PATH...]`
import path from 'node:path';
import { parseArgs } from 'node:util';
import { diskFileSystem } from '../core/fileSystem';
import { lint, ProjectNotFoundError, sortFindings } from '../core/lint';
import { ConfigError } from '../core/project';
import { Positions, toJson, toSarif, toText } from './format';
import { lintProgress } from './lintProgress';
import { UsageError, VERSION } from './usage';

const LINT_HELP = `Usage: pgmig lint [--root DIR] [--format text|json|sarif] [--color] [--database [--target NAME]] [PATH...]

Checks the migrations project found from the current folder (or DIR). With PATHs, checks those files in the
context of their project (a folder stands for the .sql files under it); a file outside any project is checked
on its own. Lint reads files only, unless --database: then it also reads the project's database (as status does,
creating nothing) for what only the database knows: numbered and Drizzle migrations applied out of order
(migration-out-of-order) and applied migrations edited since (applied-migration-edited).
Exit code: 0 no error findings, 1 error findings, 2 bad arguments, no project or an unreadable pgmig.json,
4 --database could not read the database.
`;

/** `envFile`: the global `--env-file` option (moot unless --database). */
export async function runLint(argv: string[], envFile: string[] = []): Promise<number> {
  let values: { root?: string; format?: string; color?: boolean; help?: boolean; database?: boolean; target?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        root: { type: 'string' }, format: { type: 'string', default: 'text' }, color: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        database: { type: 'boolean' }, target: { type: 'string' },
      },
    }));
  } catch (e: any) {
    // node's message goes on about '--' for positionals; the first sentence is the reason.
    throw new UsageError(String(e.message).split('. ')[0]);
  }
  if (values.help) {
    process.stdout.write(LINT_HELP);
    return 0;
  }
  if (values.target && !values.database) throw new UsageError('--target names the database of --database');
  if (values.database && positionals.length) throw new UsageError('--database checks a whole project: give no PATH (--root DIR names the project)');
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
  let databaseFailed = false;
  if (values.database) {
    // The engine and its drivers load only now: a plain lint never does.
    const { databaseFindings } = await import('./commands/layouts.js');
    const envPath = envFile[0]?.slice('--env-file='.length);
    const db = await databaseFindings({ root: result.root, target: values.target, 'env-file': envPath });
    if (db.note) process.stderr.write(`pgmig: --database: ${db.note}\n`);
    result.findings.push(...db.findings);
    sortFindings(result.findings);
    databaseFailed = db.failed;
  }
  const positions = new Positions((f) => result.texts.get(f) ?? diskFileSystem.read(f));
  const out =
    format === 'json'
      ? JSON.stringify(toJson(result.findings, result.root, positions), null, 2) + '\n'
      : format === 'sarif'
        ? JSON.stringify(toSarif(result.findings, result.root, positions, VERSION), null, 2) + '\n'
        : toText(result.findings, result.root, positions, values.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR));
  await new Promise<void>((resolve) => process.stdout.write(out, () => resolve()));
  if (databaseFailed) return 4;
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
