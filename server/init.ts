// `pgmig/init` (the editor's Migrate: Initialize Project): a new graphile-migrate project in a folder, by core/init.ts.
// Writes files only (no database); the server's file watcher then finds the project as any other.
import { type Connection, ResponseError } from 'vscode-languageserver/node';
import { initProject, type InitResult } from '../core/init';

export function registerInit(connection: Connection): void {
  connection.onRequest('pgmig/init', (args: { root: string }): InitResult | ResponseError<void> => {
    try {
      return initProject(args.root);
    } catch (e) {
      return new ResponseError(1, (e as Error).message);
    }
  });
}
