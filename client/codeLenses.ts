// What the client adds to the server's CodeLens on migration files (the LSP `textDocument/codeLens` answer):
// - a just-opened migration of a project whose status was never read gets the server's "Show migration status"
//   placeholder; the client reads the status right away instead of waiting for a click, and the server refreshes
//   the lenses once it has it (server/engineHost.ts sends workspace/codeLens/refresh when a status changes);
// - an error shown in a lens (current.sql's, a failed migration's) reads as a short message with paths relative to
//   the project; the whole text is the lens' tooltip;
// - the latest applied migration without a down script gets "Create Down Script" where Rollback would be.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { CodeLensRequest, ResponseError } from 'vscode-languageclient/node';
import type { Workflow } from './commands';
import type { TargetStatus } from './engineTypes';

const STATUS_PLACEHOLDER = 'pgmig.engine.status';
/** The server's lens of a migration that failed at the last attempt: "failed on <target>: <reason cut at 80>". */
const FAILED_TITLE = /^(failed on [^:]+): /;
/** Characters of an error a lens shows; the rest is in its tooltip. */
const LENS_ERROR_LENGTH = 60;

/** `message` for a lens: paths under `root` made relative, the first line, at most `max` characters. */
export function lensErrorText(message: string, root: string, max = LENS_ERROR_LENGTH): string {
  const relative = relativePaths(message, root).split('\n')[0].trim();
  return relative.length > max ? `${relative.slice(0, max - 1)}…` : relative;
}

/** Every absolute path under `root` in `text`, relative to it. */
export function relativePaths(text: string, root: string): string {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return text.split(prefix).join('');
}

type ProvideCodeLenses = NonNullable<Middleware['provideCodeLenses']>;

/** Asks VS Code for the document's LSP lenses again (what the server's workspace/codeLens/refresh does). */
function refreshLenses(flow: Workflow, document: vscode.TextDocument): void {
  flow.client.getFeature(CodeLensRequest.method)?.getProvider(document)?.onDidChangeCodeLensEmitter.fire();
}

export function codeLensMiddleware(workflow: () => Workflow | undefined): ProvideCodeLenses {
  const reading = new Set<string>();
  /** Projects whose status could not be read (e.g. a .gmrc error): the lens says why instead of "reading…" forever. */
  const unreadable = new Map<string, string>();
  let subscribed = false;
  return async (document, token, next) => {
    const lenses = await next(document, token);
    const flow = workflow();
    if (!lenses || !flow || !vscode.workspace.isTrusted) return lenses;
    if (!subscribed) {
      subscribed = true;
      // A command ran or the settings changed: try again.
      flow.onDidChange(() => unreadable.clear());
    }
    const out: vscode.CodeLens[] = [];
    let at: { root: string; target: string } | undefined;
    for (const lens of lenses) {
      const command = lens.command;
      const arg = command?.arguments?.[0] as { root?: string; target?: string } | undefined;
      if (arg?.root !== undefined && !at) at = { root: arg.root, target: arg.target ?? '' };
      if (command?.command === STATUS_PLACEHOLDER && arg?.root !== undefined) {
        const root = arg.root;
        const key = `${root}\0${arg.target ?? ''}`;
        const error = unreadable.get(key);
        if (error !== undefined) {
          // Clicking reads again, and a failure then comes with "Show details".
          out.push(new vscode.CodeLens(lens.range, { ...command, title: `$(error) pgmig: ${lensErrorText(error, root)}`, tooltip: `${relativePaths(error, root)}\n(click to try again)` }));
          continue;
        }
        if (!reading.has(key)) {
          reading.add(key);
          void flow
            .status(root, arg.target ?? '')
            .then((s) => {
              // Read: the server refreshes the lenses itself. Not read: say why.
              if (s instanceof ResponseError) {
                unreadable.set(key, s.message);
                refreshLenses(flow, document);
              }
            })
            .finally(() => reading.delete(key));
        }
        out.push(new vscode.CodeLens(lens.range, { title: '$(sync~spin) reading the migration status…', command: '' }));
        continue;
      }
      out.push(lens);
    }
    const failed = out.find((l) => FAILED_TITLE.test(l.command?.title ?? ''));
    if (failed && at) {
      const status = await currentStatus(flow, at.root, at.target);
      const full = status?.migrations.find((m) => m.file === document.uri.fsPath)?.reason;
      const head = failed.command!.title.match(FAILED_TITLE)![1];
      if (full) failed.command = { ...failed.command!, title: `${head}: ${lensErrorText(full, at.root)}`, tooltip: relativePaths(full, at.root) };
    }
    // The latest applied migration without a down script cannot be rolled back: offer to write the script instead.
    // (An applied migration's lenses carry no arguments: the status the client read names the project.)
    if (out.length && !out.some((l) => l.command?.command === 'pgmig.engine.rollback')) {
      const known = [...flow.statuses.values()].find((st) => flow.selectedTarget(st.root) === st.target && st.migrations.some((m) => m.file === document.uri.fsPath));
      const applied = known?.migrations.filter((m) => m.state === 'applied' || m.state === 'changed') ?? [];
      const latest = applied[applied.length - 1];
      if (known && latest && !latest.downFile && latest.file === document.uri.fsPath) {
        out.push(new vscode.CodeLens(out[0].range, { title: 'Create Down Script', command: 'pgmig.createDownScript', arguments: [{ root: known.root, target: known.target, item: latest }], tooltip: `${latest.name} has no down script, so Rollback cannot undo it` }));
      }
    }
    // The server's current.sql lens puts the error in parentheses: "current: error (...)".
    const currentError = out.find((l) => /^current: error \(/.test(l.command?.title ?? ''));
    if (currentError && at) {
      const status = await currentStatus(flow, at.root, at.target);
      const full = status?.current.message;
      if (full) currentError.command = { ...currentError.command!, title: `current: error: ${lensErrorText(full, at.root)}`, tooltip: relativePaths(full, at.root) };
    }
    return out;
  };
}

/** The status with the error the lens was made from: the one the client has when it shows an error, else a fresh read. */
async function currentStatus(flow: Workflow, root: string, target: string): Promise<TargetStatus | undefined> {
  const known = flow.statuses.get(`${root}\0${target}`);
  if (known && (known.current.state === 'error' || known.migrations.some((m) => m.state === 'failed'))) return known;
  const s = await flow.status(root, target);
  return s instanceof ResponseError ? undefined : s;
}
