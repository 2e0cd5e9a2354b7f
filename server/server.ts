// THROWAWAY placeholder written by the client author so the extension can start before the real server
// exists. The server author replaces this file; it does no analysis.
import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';

const connection = createConnection(ProposedFeatures.all);
connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
  serverInfo: { name: 'pgmig (placeholder)' },
}));
connection.listen();
