// The language server's entry point (dist/server.js): sets the server's V8 flags, then runs the server bundle
// (dist/languageServer.js) through a V8 code cache (core/codeCache.ts): it answers `initialize` sooner.
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { requireWithCodeCache } from '../core/codeCache';

// V8 rejects a code cache made under other flags, so every flag the server sets is set here, before compiling.
// server/workspace.ts sets --expose-gc again while the bundle loads (for `node dist/languageServer.js`): no change.
setFlagsFromString('--expose-gc');
// WASM on Liftoff only: V8's tier-up to TurboFan costs CPU while the editor starts (bench/lsp.mjs, 3 runs each with
// and without: analysis CPU p95 30-33 vs 32-36 ms, cold start 369-498 vs 435-500 ms). It also applies to the
// embedded database: it starts faster (2.0 -> 1.5 s) and runs a heavy load slower once warm (85 -> 114 ms), a fair
// trade in an editor, where a migration is small and the start is waited for.
setFlagsFromString('--liftoff-only');

requireWithCodeCache(path.join(__dirname, 'languageServer.js'), 'languageServer');
