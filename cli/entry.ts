// The `pgmig` command's entry point (dist/cli.js): sets the V8 flags for the command, then runs the CLI bundle
// (dist/pgmigCli.js, cli/main.ts) through a V8 code cache (core/codeCache.ts), which saves compiling most of it on
// every run. V8 accepts a cache only under the flags it was made with: one cache per set of flags.
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { requireWithCodeCache } from '../core/codeCache';

const lint = process.argv[2] === 'lint';
if (lint) {
  // V8 compiles the parser's WASM with its baseline compiler and then recompiles the hot functions optimized. A lint
  // run is too short for that to pay off: it costs more than it saves (one-statement file 0.17 s -> 0.11 s, a
  // 14,000-statement file 0.60 s -> 0.53 s). Not for the other commands: the embedded database runs ~30% slower on
  // baseline code once warm. Worker threads share the flag.
  setFlagsFromString('--liftoff-only');
  // Nor does TurboFan's inlining: it makes each optimized function far costlier to compile (on a background thread,
  // CPU time all the same), and a lint ends before that pays back. Measured without it, 5-7 interleaved runs: the
  // corpus (4,087 files) CPU 1.72 -> 1.48 s, wall 0.94 -> 0.82 s; the bench's 1.4 MB ddl mix 0.73 -> 0.67 s CPU; the
  // other mixes 0-5% less; no input slower (1,000 files of 4 KB: 2.22 -> 2.09 s CPU).
  setFlagsFromString('--no-turbo-inlining');
}
// The other commands end within seconds too, except watch (it runs for hours): there the embedded database's ~9 MB
// of WASM never repays the optimizing compiler either (measured on PGlite: status 0.9 -> 0.5 s of CPU, migrate of the
// sample into a fresh database 1.9 -> 1.1 s, of 200 migrations 3.7 -> 2.3 s).
const brief = !lint && process.argv[2] !== 'watch';
if (brief) setFlagsFromString('--liftoff-only');
requireWithCodeCache(path.join(__dirname, 'pgmigCli.js'), lint ? 'cli-lint' : brief ? 'cli-brief' : 'cli', 'exit');
