import { out, parse, printError, runForTargets } from './engineCli';
import { EngineError } from '../../core/engine/errors';
import { UsageError } from '../usage';

export const summary = 'run current on every change (includes expanded) [--once] [--shadow]';
const HELP = `pgmig watch [--once] [--shadow] [--root DIR] [--target NAME]

Migrates, then compiles the current migration (includes expanded, placeholders substituted) and runs it in a
transaction whenever it or a fixture it includes changes; unchanged text is skipped. --once runs it once.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { once: { type: 'boolean' }, shadow: { type: 'boolean' } });
  if (values.help) return out(HELP), 0;
  if (values['all-targets']) throw new UsageError('watch runs for one database, not --all-targets');
  return runForTargets(values, async (engine, prefix) => {
    const report = (r: unknown) => {
      const time = new Date().toISOString();
      if (r instanceof Error) printError(prefix, r instanceof EngineError ? r : r);
      else {
        const x = r as { ran: boolean; unchanged: boolean; ms: number };
        out(`${prefix}[${time}] ${x.unchanged ? 'current migration unchanged, skipped' : x.ran ? `current migration applied (${x.ms.toFixed(0)} ms)` : 'current migration is empty'}`);
      }
    };
    if (values.once) {
      const r = await engine.watch({ once: true, shadow: !!values.shadow });
      if (r) report(r);
      return 0;
    }
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    out(`${prefix}watching ${engine.settings.migrationsFolder} (Ctrl-C to stop)`);
    await engine.watch({ shadow: !!values.shadow, signal: ac.signal, onRun: report });
    return 0;
  });
}
