// The code a lint worker thread runs. Linting many standalone files is embarrassingly parallel (each file is
// analysed alone), and a large file's parse can be split between threads (parallelParse.ts): the CLI's LintPool
// (lint.ts) hands both kinds of work to workers, each with its own instance of the WASM parser, compiled once by the
// main thread. Protocol: the main thread posts {wasm} once, then requests with an id; the worker answers a {files}
// batch with one {findings} message, and {pieces} with one {piece} message per piece, the last one marked done.
import { parentPort } from 'node:worker_threads';
import { Analyzer } from './analysis';
import { keepFindings } from './lint';
import { type ParsedPiece, parsePiecesHere } from './sql/parallelParse';
import { loadParser } from './sql/parser';
import type { Finding } from './types';

export type ToLintWorker =
  | { wasm: WebAssembly.Module }
  | { id: number; files: string[] }
  | { id: number; pieces: { text: string; from: number; sizes: number[] } };
export type FromLintWorker = { id: number; findings: Finding[]; texts: Map<string, string> } | { id: number; piece: ParsedPiece | undefined; done: boolean };

export function runLintWorker(): void {
  const port = parentPort!;
  const analyzer = new Analyzer(undefined, undefined, { references: false });
  // Work may arrive before the compiled parser does: it waits for it.
  let gotWasm: (wasm: WebAssembly.Module) => void = () => {};
  const ready = new Promise<WebAssembly.Module>((resolve) => (gotWasm = resolve)).then((wasm) => loadParser(wasm));
  port.on('message', async (message: ToLintWorker) => {
    if ('wasm' in message) {
      gotWasm(message.wasm);
      return;
    }
    await ready;
    if ('pieces' in message) {
      const { text, from, sizes } = message.pieces;
      // Each piece goes out as soon as it is parsed; a last message says there are no more.
      for (const piece of parsePiecesHere(text, from, sizes)) port.postMessage({ id: message.id, piece, done: false } satisfies FromLintWorker);
      port.postMessage({ id: message.id, piece: undefined, done: true } satisfies FromLintWorker);
      return;
    }
    const findings: Finding[] = [];
    const texts = new Map<string, string>();
    for (const f of message.files) findings.push(...keepFindings(analyzer, analyzer.analyzeStandalone(f), texts));
    port.postMessage({ id: message.id, findings, texts } satisfies FromLintWorker);
  });
}
