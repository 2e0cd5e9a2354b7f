import { out, parse, runForTargets } from './engineCli';
import { UsageError } from '../usage';

export const summary = "target init NAME: migrate a new target database, apply its settings, run its seeds";
const HELP = `pgmig target init NAME [--root DIR]

For a target of pgmig.json ("targets": {"eu": {"urlEnv": "EU_DATABASE_URL", "pgSettings": {"app.region_id": "eu"},
"seeds": ["seeds/eu.sql"]}}): migrates the database, stores the target's pgSettings on it (ALTER DATABASE ... SET)
and runs its seed files in order, each in a transaction.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {}, true);
  if (values.help) return out(HELP), 0;
  if (positionals[0] !== 'init' || positionals.length !== 2) throw new UsageError('usage: pgmig target init NAME');
  return runForTargets({ root: values.root, target: positionals[1], 'env-file': values['env-file'] }, async (engine, prefix) => {
    const r = await engine.targetInit();
    out(`${prefix}target ${positionals[1]}: ${r.migrated.applied.length} migration(s) applied, settings stored, ${r.seeds.length} seed file(s) run`);
    return 0;
  });
}
