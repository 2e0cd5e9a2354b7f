import { err, loadBase, out, parse, runForTargets } from './engineCli';
import type { StatusReport } from '../../core/engine/engine';

export const summary = "show applied, pending and changed migrations [--json]; exit code as graphile-migrate's";
const HELP = `pgmig status [--json] [--skip-database] [--root DIR] [--target NAME | --all-targets]

Exit code (as graphile-migrate's): 1 = committed migrations pending, 2 = current migration not empty, 3 = both.`;

function printReport(prefix: string, r: StatusReport): void {
  out(`${prefix}${r.database}`);
  if (r.noDatabase) out(`  no database yet: ${r.pending.length} pending (the first command that writes, e.g. \`pgmig migrate\`, creates it)`);
  out(`  applied: ${r.applied.length}${r.applied.length ? ` (latest ${r.applied[r.applied.length - 1].realFilename ?? r.applied[r.applied.length - 1].filename} at ${r.applied[r.applied.length - 1].date.toISOString()})` : ''}`);
  if (r.pending.length) out(`  pending: ${r.pending.length}\n    ${r.pending.join('\n    ')}`);
  else out('  pending: 0');
  for (const c of r.changed) out(`  changed after apply: ${c.filename}: ${c.reason}`);
  out(`  current migration: ${r.currentNotEmpty ? 'not empty (not committed yet)' : 'empty'}`);
  if (r.exitCode === 0 && !r.changed.length) out('  Up to date.');
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, 'skip-database': { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' } });
  if (values.help) return out(HELP), 0;
  const reports: StatusReport[] = [];
  const code = await runForTargets(values, async (engine, prefix) => {
    const r = await engine.status({ skipDatabase: !!values['skip-database'] });
    if (values.json) reports.push(r);
    else {
      printReport(prefix, r);
      if (values.verbose) for (const a of r.applied) out(`    ${a.realFilename ?? a.filename}  ${a.date.toISOString()}`);
    }
    return r.exitCode;
  }, values.json ? { onEvent: (prefix, e) => e.type === 'info' && err(`${prefix}${e.message}`) } : {});
  const order = (t: string | undefined) => Object.keys(loadBase(values).targets).indexOf(t ?? '');
  reports.sort((a, b) => order(a.target) - order(b.target));
  if (values.json) out(JSON.stringify(values['all-targets'] ? reports : reports[0] ?? null, null, 2));
  return code;
}
