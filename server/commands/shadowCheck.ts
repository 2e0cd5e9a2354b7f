// The shadow check after a save (setting pgmig.shadowCheck): the history and current.sql run on the shadow database,
// runtime errors published as diagnostics.
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { LineIndex } from '../../core/text';
import { oneLine, type EngineHost } from './host';

export async function shadowCheck(host: EngineHost, root: string): Promise<void> {
  let enabled = false;
  try {
    enabled = (await host.connection.workspace.getConfiguration({ scopeUri: host.ctx.files.uriOf(root), section: 'pgmig.shadowCheck' })) === true;
  } catch {
    return;
  }
  if (!enabled) {
    host.setDiagnostics(`shadow:${root}`, new Map());
    return;
  }
  try {
    const { slot } = await host.slotFor({ root });
    const findings = await slot.engine.shadowCheck();
    const byFile = new Map<string, Diagnostic[]>();
    for (const f of findings) {
      const text = host.ctx.files.read(f.file) ?? '';
      const idx = new LineIndex(text);
      const list = byFile.get(f.file) ?? [];
      list.push({ range: { start: idx.position(f.start), end: idx.position(f.end) }, severity: DiagnosticSeverity.Error, source: 'pgmig', code: 'shadow-error', message: f.message });
      byFile.set(f.file, list);
    }
    host.setDiagnostics(`shadow:${root}`, byFile);
    host.ctx.log(`shadow check: ${findings.length} runtime error(s)`);
  } catch (e) {
    host.ctx.log(`shadow check failed: ${oneLine(e)}`);
  }
}
