import { err, loadBase, out, parse, printError, quietProgress, runForTargets } from './engineCli';
import { EngineError } from '../../core/engine/errors';
import { redactSecrets } from '../../core/db/connection';
import type { StatusReport } from '../../core/engine';

export const summary = "show applied, pending and changed migrations [--json]; exit code as graphile-migrate's";
const HELP = `pgmig status [--json] [--skip-database] [--root DIR] [--target NAME | --all-targets]

Exit code (as graphile-migrate's): 0 = up to date, 1 = committed migrations pending, 2 = current migration not
empty, 3 = both; 4 = the status could not be read (settings, connection), with --json an object with "error".
With --all-targets, the highest of the targets' codes.`;

/** status could not be read: distinct from graphile-migrate's 1-3, so that CI never takes a failure for "pending". */
const FAILED = 4;

function printReport(prefix: string, r: StatusReport): void {
  out(`${prefix}${r.database}`);
  if (r.noDatabase) out(`  no database yet: ${r.pending.length} pending (the first command that writes, e.g. \`pgmig migrate\`, creates it)`);
  out(`  applied: ${r.applied.length}${r.applied.length ? ` (latest ${r.applied[r.applied.length - 1].realFilename ?? r.applied[r.applied.length - 1].filename} at ${r.applied[r.applied.length - 1].date.toISOString()})` : ''}`);
  if (r.pending.length) out(`  pending: ${r.pending.length}\n    ${r.pending.join('\n    ')}`);
  else out('  pending: 0');
  for (const c of r.changed) out(`  changed after apply: ${c.filename}: ${c.reason}`);
  out(`  current migration: ${r.currentNotEmpty ? 'not empty (not committed yet)' : 'empty'}`);
  if (r.interruptedCommit) out(`  interrupted commit of ${r.interruptedCommit.file}: ${r.interruptedCommit.next}`);
  if (r.exitCode === 0 && !r.changed.length) out('  Up to date.');
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, 'skip-database': { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' } });
  if (values.help) return out(HELP), 0;
  if (values.json) quietProgress();
  type Failure = { target?: string; error: { code: string; message: string; sqlstate?: string } };
  const failure = (e: unknown, target?: string): Failure => {
    const ee = e instanceof EngineError ? e : undefined;
    return { target, error: { code: ee?.code ?? 'error', message: redactSecrets(String((e as any)?.message ?? e)), sqlstate: ee?.sqlstate } };
  };
  let targetOrder: string[];
  try {
    targetOrder = Object.keys(loadBase(values).targets);
  } catch (e) {
    if (values.json) out(JSON.stringify(failure(e), null, 2));
    else printError('', e);
    return FAILED;
  }
  const reports: (StatusReport | Failure)[] = [];
  let ran = 0;
  // Only the tracking tables are read: the embedded database starts without the project's extensions.
  const engineOptions = { readsOnly: true };
  const code = await runForTargets(values, async (engine, prefix) => {
    ran++;
    let r: StatusReport;
    try {
      r = await engine.status({ skipDatabase: !!values['skip-database'] });
    } catch (e) {
      if (!values.json) {
        printError(prefix, e);
        return FAILED;
      }
      reports.push(failure(e, engine.settings.target));
      return FAILED;
    }
    if (values.json) reports.push(r);
    else {
      printReport(prefix, r);
      if (values.verbose) for (const a of r.applied) out(`    ${a.realFilename ?? a.filename}  ${a.date.toISOString()}`);
    }
    return r.exitCode;
  }, { engineOptions, ...(values.json ? { onEvent: (prefix, e) => e.type === 'info' && err(`${prefix}${e.message}`) } : {}) });
  const order = (t: string | undefined) => targetOrder.indexOf(t ?? '');
  reports.sort((a, b) => order(a.target) - order(b.target));
  // A target whose settings fail (unknown target, unset URL variable) never reaches the callback: runForTargets
  // printed why on stderr.
  if (values.json && !ran) reports.push({ target: values.target, error: { code: 'config', message: 'the target could not be opened (see stderr)' } });
  if (values.json) out(JSON.stringify(values['all-targets'] ? reports : reports[0], null, 2));
  return code === 1 && !ran ? FAILED : code;
}
