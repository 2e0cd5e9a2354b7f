// `pgmig.engine.targets` (the databases a project can use: its default, the embedded one, pgmig.json's and the
// editor's pgmig.targets) and `pgmig.engine.selectTarget` (the one the CodeLens and status use).
import { CodeLensRefreshRequest } from 'vscode-languageserver/node';
import { describeConnection } from '../../core/db/connection';
import { environmentOf, type EngineSettings } from '../../core/engine/settings';
import { EMBEDDED_TARGET, type Handler } from './host';

export const targets: Handler = async (host, args) => {
  const root = host.rootOf(args);
  const base = await host.baseSettings(root);
  const env = environmentOf(base);
  const editor = await host.editorTargets(root);
  const describe = (s: EngineSettings['main']) => (s.kind === 'pg' ? describeConnection(s.url) : s.kind === 'pglite' ? 'embedded database' : 'in-memory database');
  const list = [{ name: '', label: 'default', description: describe(base.main), protected: editor.default?.protected === true }];
  if (base.main.kind === 'pg') list.push({ name: EMBEDDED_TARGET, label: EMBEDDED_TARGET, description: 'embedded database (.pgmig/db)', protected: false });
  const fromEnv = (v: string) => (env[v] ? `${describeConnection(env[v]!)} ($${v})` : `$${v} (not set)`);
  for (const name of Object.keys(base.targets)) list.push({ name, label: name, description: `pgmig.json: ${fromEnv(base.targets[name].urlEnv)}`, protected: editor[name]?.protected === true });
  for (const [name, t] of Object.entries(editor)) {
    if (name === 'default' || base.targets[name] || !(t.connectionString || t.urlEnv)) continue;
    list.push({ name, label: name, description: t.connectionString ? describeConnection(t.connectionString) : fromEnv(t.urlEnv!), protected: t.protected === true });
  }
  return { root, selected: host.selected.get(root) ?? '', targets: list };
};

export const selectTarget: Handler = async (host, args) => {
  const root = host.rootOf(args);
  host.selected.set(root, args.target ?? '');
  void host.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  return { root, target: args.target ?? '' };
};
