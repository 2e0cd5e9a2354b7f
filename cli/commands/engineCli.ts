// What every engine command shares: common flags (--root, --target, --all-targets), loading settings, printing
// the engine's events and errors. Core never prints; this is where text meets the terminal.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MigrationEngine, forEachBounded, type EngineEvent } from '../../core/engine/engine';
import { EngineError } from '../../core/engine/errors';
import { loadSettings, forTarget, type EngineSettings } from '../../core/engine/settings';
import { redactSecrets } from '../../core/db/connection';
import { UsageError } from '../usage';

export const commonOptions = {
  root: { type: 'string' },
  target: { type: 'string' },
  'all-targets': { type: 'boolean' },
  // A dotenv file completing the environment (default <root>/.env); cli/main.ts also takes it before the command.
  'env-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals, strict: true });
  } catch (e: any) {
    throw new UsageError(String(e?.message ?? e).split('\n')[0]);
  }
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

export function printEvent(prefix: string, e: EngineEvent): void {
  switch (e.type) {
    case 'info':
      out(`${prefix}${e.message}`);
      break;
    case 'migration-applied':
      out(`${prefix}${e.shadow ? '[shadow] ' : ''}applied ${e.filename} (${e.ms.toFixed(0)} ms)${e.invalidHashAllowed ? ' (INVALID HASH, allowed via AllowInvalidHash)' : ''}`);
      break;
    case 'waiting-for-lock':
      out(`${prefix}waiting for another process to release the migration lock on ${e.database}...`);
      break;
    case 'action-output':
      (e.stream === 'stdout' ? process.stdout : process.stderr).write(e.text);
      break;
    case 'step':
      break;
  }
}

/** Prints an error the way a human wants it: one line, then (for SQL errors) the caret excerpt. */
export function printError(prefix: string, e: unknown): void {
  if (e instanceof EngineError) {
    err(`pgmig: ${prefix}${redactSecrets(e.message)}`);
    if (e.location) err(e.location.excerpt);
    if (e.detail) err(`  detail: ${e.detail}`);
    if (e.hint) err(`  hint: ${e.hint}`);
    return;
  }
  const msg = (e as any)?.message ?? String(e);
  err(`pgmig: ${prefix}${redactSecrets(String(msg).split('\n')[0])}`);
}

export function loadBase(values: { root?: string; 'env-file'?: string }): EngineSettings {
  return loadSettings({ root: values.root, allowJsConfig: true, envFile: values['env-file'] });
}

/**
 * Runs `fn` once (the default database or --target NAME) or for every target (--all-targets, bounded parallelism).
 * Returns the highest exit code.
 */
export async function runForTargets(
  values: { root?: string; target?: string; 'all-targets'?: boolean; 'env-file'?: string },
  fn: (engine: MigrationEngine, prefix: string) => Promise<number>,
  opts: { onEvent?: (prefix: string, e: EngineEvent) => void } = {},
): Promise<number> {
  let base: EngineSettings;
  try {
    base = loadBase(values);
  } catch (e) {
    printError('', e);
    return 1;
  }
  if (values.target && values['all-targets']) throw new UsageError('--target and --all-targets exclude each other');
  const names = values['all-targets'] ? Object.keys(base.targets) : [values.target];
  if (values['all-targets'] && !names.length) throw new UsageError('--all-targets: pgmig.json defines no targets');
  const many = names.length > 1 || !!values['all-targets'];
  const results = await forEachBounded(names, base.engine.concurrency, async (name) => {
    const prefix = many && name ? `[${name}] ` : '';
    let engine: MigrationEngine | undefined;
    try {
      const settings = name ? forTarget(base, name) : base;
      engine = new MigrationEngine(settings, (e) => (opts.onEvent ?? printEvent)(prefix, e));
      return await fn(engine, prefix);
    } catch (e) {
      printError(prefix, e);
      return 1;
    } finally {
      await engine?.close();
    }
  });
  return Math.max(0, ...results.map((r) => (r.ok ? r.value : 1)));
}

export { out, err };
