import { out, parse, runForTargets } from './engineCli';
import { UsageError } from '../usage';

export const summary = 'run the down scripts of the latest applied migrations [--to N]';
const HELP = `pgmig rollback [--to N] [--root DIR] [--target NAME | --all-targets]

Runs NNNNNN[-slug].down.sql of the latest applied migration (or of every applied migration numbered above N),
newest first, each in a transaction, and removes their tracking rows. Refuses when a down script is missing.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { to: { type: 'string' } });
  if (values.help) return out(HELP), 0;
  let to: number | undefined;
  if (values.to !== undefined) {
    if (!/^\d+$/.test(values.to)) throw new UsageError(`--to needs a migration number, got '${values.to}'`);
    to = parseInt(values.to, 10);
  }
  return runForTargets(values, async (engine, prefix) => {
    const r = await engine.rollback({ to });
    out(`${prefix}${r.rolledBack.length ? `rolled back ${r.rolledBack.join(', ')}` : 'nothing to roll back'}`);
    return 0;
  });
}
