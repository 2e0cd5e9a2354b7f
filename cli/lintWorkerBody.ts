// The worker threads' code (dist/lintWorkerBody.js), run by dist/lintWorker.js through a V8 code cache.
import { runLintWorker } from '../core/lintWorker';

runLintWorker();
