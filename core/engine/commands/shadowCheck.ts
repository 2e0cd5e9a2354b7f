// The editor's shadow check: committed history + current run on a kept shadow, errors as findings.
import path from 'node:path';
import { PgliteProvider } from '../../db/pglite';
import { OverlayFileSystem, type FileSystem } from '../../fileSystem';
import { readCommitted } from '../committed';
import { readCurrent } from '../current';
import { EngineError } from '../errors';
import { placeholdersFor, substitutePlaceholders } from '../sourceText';
import { readFileOrUndefined, type EngineContext } from '../context';
import { replayStatements } from '../statementReplay';
import type { ShadowFinding } from '../types';
import { runCommitted } from './migrate';
import { resetDatabase } from './reset';

/**
 * Runs committed history + current on a shadow and returns runtime errors as findings with exact positions. The
 * shadow is migrated once and reused: current runs statement by statement inside a transaction that is always
 * rolled back, so the shadow stays at the committed history. `currentText` overrides current.sql's text (an
 * unsaved editor buffer).
 */
export async function shadowCheck(engine: EngineContext, opts: { currentText?: string; fileSystem?: FileSystem; signal?: AbortSignal } = {}): Promise<ShadowFinding[]> {
  const committed = readCommitted(engine.settings.migrationsFolder);
  const history = committed.map((m) => m.hash).join(',');
  let provider = engine.providers.get('check');
  if (!provider || engine.checkShadowHistory === undefined || !history.startsWith(engine.checkShadowHistory)) {
    // First use, or history rewritten (uncommit, rebase): start again from an empty shadow.
    engine.providers.delete('check');
    engine.checkShadowHistory = undefined;
    await provider?.close();
    // A reset as graphile-migrate's (beforeReset / afterReset actions): a real shadow is dropped and recreated, an
    // embedded one is a new in-memory database.
    if (engine.settings.shadow.kind === 'pg') {
      provider = await resetDatabase(engine, 'shadow');
      engine.providers.delete('shadow');
    } else {
      provider = await resetDatabase(engine, 'shadow', async () => new PgliteProvider({ pgSettings: engine.settings.pgSettings }));
    }
    engine.providers.set('check', provider);
    engine.checkShadowHistory = '';
  }
  const p = provider;
  // Unsaved editor buffers: a whole overlay file system (current files and fixtures), or just current.sql's text.
  const fsys = opts.currentText !== undefined ? overlayCurrent(engine.settings.migrationsFolder, opts.currentText, opts.fileSystem) : opts.fileSystem;
  const cur = readCurrent(engine.settings.migrationsFolder, fsys);
  const sub = substitutePlaceholders(cur.text, placeholdersFor(engine.settings.placeholders, p.databaseName, engine.settings.databaseOwner));
  return p.withSession(async (s) => {
    await engine.ensureSchema(s);
    const [last] = await s.query<{ filename: string }>('select filename from graphile_migrate.migrations order by filename desc limit 1');
    for (const m of committed.filter((c) => !last || c.filename > last.filename)) {
      if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled');
      await runCommitted(engine, s, 'shadow', m);
    }
    engine.checkShadowHistory = history;
    const findings: ShadowFinding[] = [];
    const report = (e: any, offsetInText: number) => {
      const at = cur.toSource(sub.toInput(offsetInText));
      const fileText = fsys?.read(at.file) ?? readFileOrUndefined(at.file) ?? '';
      findings.push({
        rule: 'shadow-error',
        severity: 'error',
        file: at.file,
        start: at.offset,
        end: tokenEnd(fileText, at.offset),
        message: `${e?.message ?? e}${e?.code ? ` (SQLSTATE ${e.code})` : ''}`,
        sqlstate: e?.code,
        fixes: [],
        related: [],
      });
    };
    // Statement by statement in a transaction that is rolled back: the shadow stays at the committed history.
    for (const f of await replayStatements(s, sub.text, { signal: opts.signal })) report(f.error, f.offset);
    return findings;
  }, opts.signal);
}

/** End of the word at `offset` (for a finding's range), at least one character. */
function tokenEnd(text: string, offset: number): number {
  let i = offset;
  if (text[i] === '"') {
    const close = text.indexOf('"', i + 1);
    return close === -1 ? Math.min(text.length, i + 1) : close + 1;
  }
  while (i < text.length && /[A-Za-z0-9_$.:]/.test(text[i])) i++;
  return Math.max(i, Math.min(text.length, offset + 1));
}

function overlayCurrent(migrationsFolder: string, text: string, base?: FileSystem): FileSystem {
  const o = new OverlayFileSystem(base);
  o.overlay.set(path.join(migrationsFolder, 'current.sql'), text);
  return o;
}
