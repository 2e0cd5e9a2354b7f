// Entry point of dist/lintWorker.js, the worker threads of `pgmig lint` (core/lintWorker.ts): runs their bundle,
// dist/lintWorkerBody.js (a third the size of the CLI's), through a V8 code cache as dist/cli.js does the CLI's: each
// worker otherwise compiles it anew, about 10-20 ms of CPU per worker and per run. The cache is written a quarter of
// a second in (a worker is terminated, its 'exit' never comes), when the code a lint runs has been compiled.
import path from 'node:path';
import { requireWithCodeCache } from '../core/codeCache';

requireWithCodeCache(path.join(__dirname, 'lintWorkerBody.js'), 'lint-worker', 250);
