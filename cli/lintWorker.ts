// Entry point of dist/lintWorker.js, the worker threads of `pgmig lint` (core/lintWorker.ts): a bundle of its own,
// a third the size of the CLI's, so that a worker starts sooner.
import { runLintWorker } from '../core/lintWorker';

runLintWorker();
