import { err, out, parse, runForTargets } from './engineCli';

export const summary = 'drop and recreate the database, then migrate (needs --erase) [--shadow]';
const HELP = `pgmig reset --erase [--shadow] [--root DIR] [--target NAME | --all-targets]

Drops and recreates the database through the root connection (the embedded database: its folder), then applies
every committed migration. HIGHLY DESTRUCTIVE: refuses without --erase.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { shadow: { type: 'boolean' }, erase: { type: 'boolean' } });
  if (values.help) return out(HELP), 0;
  if (!values.erase) {
    err('pgmig: DANGER! reset drops the whole database. If you are sure, add --erase.');
    return 2;
  }
  return runForTargets(values, async (engine, prefix) => {
    const r = await engine.reset({ shadow: !!values.shadow, erase: true });
    out(`${prefix}reset ${engine.describe(values.shadow ? 'shadow' : 'main')}: ${r.applied.length} committed migration(s) applied`);
    return 0;
  });
}
