import { out, parse, printEvent, runForTargets } from './engineCli';
import { UsageError } from '../usage';

export const summary = 'validate current on a reset shadow, write the next committed file, apply it [-m MESSAGE]';
const HELP = `pgmig commit [-m MESSAGE] [--root DIR]

Resets the shadow database, migrates it and runs current on it; only if that succeeds writes the next committed
file (graphile-migrate's name, headers and hash), applies it to the database and blanks current. A
current.down.sql beside current.sql becomes the committed file's NNNNNN[-slug].down.sql.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { message: { type: 'string', short: 'm' } });
  if (values.help) return out(HELP), 0;
  if (values['all-targets']) throw new UsageError('commit writes files: it runs for one database, not --all-targets');
  if (values.message !== undefined && !values.message) throw new UsageError('Missing or empty commit message after --message flag');
  // Test hook for the crash-safety tests: SIGKILL this process right after the named commit step.
  const killAt = process.env.PGMIG_TEST_SIGKILL_AT;
  return runForTargets(
    values,
    async (engine, prefix) => {
      const r = await engine.commit({ message: values.message });
      out(`${prefix}committed ${r.file}${r.downFile ? ` (with ${r.downFile})` : ''}`);
      return 0;
    },
    {
      onEvent: (prefix, e) => {
        if (killAt && e.type === 'step' && e.step === killAt) process.kill(process.pid, 'SIGKILL');
        printEvent(prefix, e);
      },
    },
  );
}
