import { out, parse, runForTargets } from './engineCli';
import { UsageError } from '../usage';

export const summary = 'move the latest committed migration back into current (development only)';
const HELP = `pgmig uncommit [--root DIR]

Moves the latest committed migration back into the current migration (includes restored as --!include lines,
message kept) and removes its tracking row from the local database only. Current must be blank.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {});
  if (values.help) return out(HELP), 0;
  if (values['all-targets']) throw new UsageError('uncommit runs for one database, not --all-targets');
  return runForTargets(values, async (engine, prefix) => {
    const r = await engine.uncommit();
    out(`${prefix}uncommitted ${r.file} into the current migration`);
    return 0;
  });
}
