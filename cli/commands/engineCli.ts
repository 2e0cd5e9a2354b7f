// What every engine command shares: common flags (--root, --target, --all-targets), loading settings, printing
// the engine's events and errors. Core never prints; this is where text meets the terminal.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MigrationEngine, forEachBounded, type CommitStep, type EngineEvent } from '../../core/engine';
import { EngineError } from '../../core/engine/errors';
import { loadSettings, forTarget, type EngineSettings } from '../../core/engine/settings';
import { redactSecrets } from '../../core/db/connection';
import { UsageError } from '../usage';
import { visible, visibleExcerpt } from '../visible';

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

// A live progress line on stderr, for people at a terminal: never in CI, into a pipe or a file, or with --json.
const progress = { enabled: !!process.stderr.isTTY && !process.env.CI && process.env.TERM !== 'dumb', live: false, last: 0 };

/** Commands whose output is data (--json) turn the live line off. */
export function quietProgress(): void {
  clearProgress();
  progress.enabled = false;
}

function clearProgress(): void {
  if (!progress.live) return;
  flushOut();
  process.stderr.write('\r\x1b[K');
  progress.live = false;
}

function showProgress(text: string): void {
  if (!progress.enabled || !text) return;
  flushOut();
  const now = Date.now();
  if (progress.live && now - progress.last < 50) return; // a few updates a second are enough to read
  progress.last = now;
  const width = Math.max(20, (process.stderr.columns || 80) - 1);
  process.stderr.write('\r\x1b[K' + (text.length > width ? text.slice(0, width - 1) + '…' : text));
  progress.live = true;
}

// Lines for stdout are written together once the engine yields (a batch of 50 migrations is one write, not 50),
// and always before anything goes to stderr, so the two streams keep their order on a terminal.
let pendingOut = '';
function flushOut(): void {
  if (!pendingOut) return;
  const text = pendingOut;
  pendingOut = '';
  process.stdout.write(text);
}
const out = (s: string) => {
  clearProgress();
  if (!pendingOut) queueMicrotask(flushOut);
  pendingOut += s + '\n';
};
const err = (s: string) => {
  clearProgress();
  flushOut();
  process.stderr.write(s + '\n');
};

/** What commit does after each of its steps, for the live line. */
const AFTER_STEP: Record<CommitStep, string> = {
  'current-read': 'resetting the shadow database',
  'shadow-reset': 'migrating the shadow database',
  'shadow-migrated': 'running the current migration on the shadow database',
  'shadow-current-ran': 'writing the committed file',
  'file-temp-written': 'writing the committed file',
  'file-renamed': 'applying the new migration',
  'main-migrated': 'blanking the current migration',
  'current-blanked': '',
};

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
      clearProgress();
      flushOut();
      (e.stream === 'stdout' ? process.stdout : process.stderr).write(e.text);
      break;
    case 'step':
      showProgress(AFTER_STEP[e.step] && `${prefix}${AFTER_STEP[e.step]}...`);
      break;
    case 'progress':
      showProgress(`${prefix}${e.total ? `[${(e.done ?? 0) + 1}/${e.total}] ` : ''}${e.message}...`);
      break;
  }
}

/**
 * Prints an error the way a human wants it: one line, then (for SQL errors) the caret excerpt. Messages quote the
 * files' text (`syntax error at or near "..."`, the excerpt): control characters are escaped so that a file never
 * drives the terminal.
 */
export function printError(prefix: string, e: unknown): void {
  if (e instanceof EngineError) {
    err(`pgmig: ${prefix}${visible(redactSecrets(e.message))}`);
    if (e.location) err(visibleExcerpt(e.location.excerpt));
    if (e.detail) err(`  detail: ${visible(e.detail)}`);
    if (e.hint) err(`  hint: ${visible(e.hint)}`);
    return;
  }
  const msg = (e as any)?.message ?? String(e);
  err(`pgmig: ${prefix}${visible(redactSecrets(String(msg).split('\n')[0]))}`);
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
  opts: { onEvent?: (prefix: string, e: EngineEvent) => void; engineOptions?: ConstructorParameters<typeof MigrationEngine>[2] } = {},
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
      engine = new MigrationEngine(settings, (e) => (opts.onEvent ?? printEvent)(prefix, e), opts.engineOptions);
      return await fn(engine, prefix);
    } catch (e) {
      printError(prefix, e);
      return 1;
    } finally {
      clearProgress();
      await engine?.close();
    }
  });
  return Math.max(0, ...results.map((r) => (r.ok ? r.value : 1)));
}

export { out, err };
