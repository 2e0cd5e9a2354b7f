// `pgmig lint [--root DIR] [--format text|json|sarif] [PATH...]`
import { parseArgs } from 'node:util';
import { diskFileSystem } from '../core/fileSystem';
import { lint, ProjectNotFoundError } from '../core/lint';
import { ConfigError } from '../core/project';
import { Positions, toJson, toSarif, toText } from './format';
import { UsageError, VERSION } from './usage';

export async function runLint(argv: string[]): Promise<number> {
  let values: { root?: string; format?: string; color?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { root: { type: 'string' }, format: { type: 'string', default: 'text' }, color: { type: 'boolean' } },
    }));
  } catch (e: any) {
    throw new UsageError(e.message);
  }
  const format = values.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif (got '${format}')`);
  let result;
  try {
    result = await lint({ cwd: process.cwd(), root: values.root, paths: positionals });
  } catch (e) {
    if (e instanceof ProjectNotFoundError || e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const positions = new Positions((f) => diskFileSystem.read(f));
  const out =
    format === 'json'
      ? JSON.stringify(toJson(result.findings, result.root, positions), null, 2) + '\n'
      : format === 'sarif'
        ? JSON.stringify(toSarif(result.findings, result.root, positions, VERSION), null, 2) + '\n'
        : toText(result.findings, result.root, positions, values.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR));
  await new Promise<void>((resolve) => process.stdout.write(out, () => resolve()));
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
