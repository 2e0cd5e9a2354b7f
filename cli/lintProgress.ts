// What lint is doing, on one line of stderr that rewrites itself, for a person at a terminal: a 50 MB file takes
// seconds, and silence looks like a hang. Nothing in CI, in a pipe, or with --format json/sarif (machines read
// those outputs, and their logs should not fill with carriage returns).

/** Quick runs print nothing: work that is not announced as large shows only once this much time has passed. */
const QUIET_MS = 300;

export interface Progress {
  /** Shows `message` (see LintOptions.progress). */
  show(message: string, large?: boolean): void;
  /** Erases the line, before the results are printed. */
  clear(): void;
}

export function lintProgress(
  stream: { isTTY?: boolean; write(s: string): unknown },
  env: NodeJS.ProcessEnv,
  format: string,
  now: () => number = Date.now,
): Progress | undefined {
  if (stream.isTTY !== true || format !== 'text' || (env.CI && env.CI !== 'false') || env.TERM === 'dumb') return undefined;
  const start = now();
  let shown = false;
  return {
    show(message, large) {
      if (!large && now() - start < QUIET_MS) return;
      // \r and "erase to end of line": the new message replaces the old one in place.
      stream.write(`\r\x1b[Kpgmig: ${message}…`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
