// A real LSP client over stdio for the server tests and the benchmark: spawns `node dist/server.js --stdio` and
// speaks JSON-RPC through vscode-languageserver-protocol (the library VS Code's own client is built on).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import rpc from 'vscode-languageserver-protocol/node';

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = rpc;

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverPath = path.join(repoRoot, 'dist', 'server.js');
export const uriOf = (file) => pathToFileURL(file).href;

export class LspClient {
  /** @param {{ rootDir?: string, settings?: object, trusted?: boolean, initializationSettings?: object, initializationOptions?: object, capabilities?: object, execArgv?: string[] }} options */
  static async start(options = {}) {
    const c = new LspClient(options);
    await c.initialize();
    return c;
  }

  constructor(options) {
    this.options = options;
    this.settings = options.settings ?? { rules: {}, excludedSchemas: [] };
    this.diagnostics = new Map(); // uri -> { version, diagnostics, at }
    this.waiters = new Set();
    this.logs = [];
    this.versions = new Map();
    this.texts = new Map();
    this.child = spawn(process.execPath, [...(options.execArgv ?? []), serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.conn = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.conn.onNotification('textDocument/publishDiagnostics', (p) => {
      this.diagnostics.set(p.uri, { version: p.version, diagnostics: p.diagnostics, at: performance.now() });
      for (const w of [...this.waiters]) w();
    });
    this.conn.onNotification('window/logMessage', (p) => this.logs.push(p.message));
    // `pgmig` answers the settings object; `pgmig.X` its property X (as VS Code answers a dotted section).
    this.conn.onRequest('workspace/configuration', (p) => p.items.map((i) => (i.section === 'pgmig' ? this.settings : i.section?.startsWith('pgmig.') ? this.settings[i.section.slice(6)] ?? null : null)));
    this.statusChanges = [];
    this.conn.onNotification('pgmig/statusChanged', (p) => this.statusChanges.push(p));
    this.registrations = [];
    this.conn.onRequest('client/registerCapability', (p) => {
      this.registrations.push(...p.registrations);
      return null;
    });
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    /** `$/progress` notifications (the work-done progress of requests sent with a workDoneToken). */
    this.progress = [];
    this.conn.onNotification('$/progress', (p) => this.progress.push(p));
    this.conn.listen();
  }

  async initialize() {
    const root = this.options.rootDir;
    const result = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: root ? uriOf(root) : null,
      workspaceFolders: root ? [{ uri: uriOf(root), name: path.basename(root) }] : null,
      initializationOptions: this.options.initializationOptions ?? { trusted: this.options.trusted ?? false, settings: this.options.initializationSettings ?? this.settings },
      capabilities: this.options.capabilities ?? {
        workspace: { configuration: true, workspaceFolders: true, workspaceEdit: { documentChanges: true }, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: false } },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } }, isPreferredSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
      },
    });
    this.capabilities = result.capabilities;
    this.conn.sendNotification('initialized', {});
    return result;
  }

  request(method, params, token) {
    return token ? this.conn.sendRequest(method, params, token) : this.conn.sendRequest(method, params);
  }
  notify(method, params) {
    return this.conn.sendNotification(method, params);
  }

  open(file, text = readFileSync(file, 'utf8')) {
    const uri = uriOf(file);
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    return uri;
  }
  /** Replaces the whole text (or applies one ranged change when `range` is given). */
  change(file, text, range) {
    const uri = uriOf(file);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [range ? { range, text } : { text }] });
    this.texts.set(uri, range ? applyEdits(this.texts.get(uri) ?? '', [{ range, newText: text }]) : text);
    return version;
  }
  close(file) {
    this.notify('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
  }
  /** Resolves with the diagnostics of `file` once `predicate` holds for them (checked now and on every publish). */
  waitForDiagnostics(file, predicate = () => true, timeout = 20000) {
    const uri = /^[a-z][a-z0-9+.-]+:/.test(file) ? file : uriOf(file);
    return new Promise((resolve, reject) => {
      const check = () => {
        const d = this.diagnostics.get(uri);
        if (d && predicate(d.diagnostics, d)) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(d.diagnostics);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for diagnostics of ${uri}; last: ${JSON.stringify(this.diagnostics.get(uri)?.diagnostics?.map((x) => x.code))}\nlogs: ${this.logs.slice(-5).join('\n')}\n${this.stderr}`));
      }, timeout);
      if (!check()) this.waiters.add(check);
    });
  }
  waitIdle() {
    return this.request('pgmig/waitIdle', null);
  }
  async stop() {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } catch {}
    const exited = await Promise.race([this.exited, new Promise((r) => setTimeout(() => r(undefined), 3000))]);
    if (!exited) this.child.kill('SIGKILL');
    this.conn.dispose();
  }
}

/** Applies LSP TextEdits to a text (edits must not overlap; applied from the end). */
export function applyEdits(text, edits) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p) => Math.min((lineStarts[p.line] ?? text.length) + p.character, text.length);
  const sorted = edits.map((e, i) => ({ s: offset(e.range.start), e: offset(e.range.end), t: e.newText, i })).sort((a, b) => b.s - a.s || b.i - a.i);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

/** The edits of a WorkspaceEdit per file path (`changes` or `documentChanges`). */
export function editsByFile(edit) {
  const out = new Map();
  if (edit.changes) for (const [uri, edits] of Object.entries(edit.changes)) out.set(fileURLToPath(uri), edits);
  for (const dc of edit.documentChanges ?? []) out.set(fileURLToPath(dc.textDocument.uri), dc.edits);
  return out;
}
