import { out, parse, runForTargets } from './engineCli';

export const summary = 'apply pending committed migrations [--shadow] [--force-actions] [--target NAME|--all-targets]';
const HELP = `pgmig migrate [--shadow] [--force-actions] [--root DIR] [--target NAME | --all-targets]

Applies pending committed migrations in order, each in a transaction (honouring --! no-transaction), after
verifying each file's hash; records them in graphile_migrate.migrations, as graphile-migrate does.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { shadow: { type: 'boolean' }, 'force-actions': { type: 'boolean' } });
  if (values.help) return out(HELP), 0;
  return runForTargets(values, async (engine, prefix) => {
    const r = await engine.migrate({ shadow: !!values.shadow, forceActions: !!values['force-actions'] });
    const done = r.applied.length ? `${r.applied.length} committed migration(s) applied` : r.heldBack ? 'nothing applied' : 'already up to date';
    out(`${prefix}${done}${r.heldBack ? `; ${r.heldBack.file} held back (above)` : ''} (${engine.describe(values.shadow ? 'shadow' : 'main')})`);
    return 0;
  });
}
