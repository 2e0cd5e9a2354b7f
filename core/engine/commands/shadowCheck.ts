// The editor's shadow check: committed history + current run on a kept shadow, errors as findings.
import path from 'node:path';
import { isConnectionLoss } from '../../db/pg';
import { PgliteProvider } from '../../db/pglite';
import { OverlayFileSystem, type FileSystem } from '../../fileSystem';
import { splitStatements } from '../../sql/splitter';
import { skipTrivia } from '../../text';
import { readCommitted } from '../committed';
import { readCurrent } from '../current';
import { EngineError } from '../errors';
import { placeholdersFor, positionToOffset, substitutePlaceholders } from '../sourceText';
import { readFileOrUndefined, type EngineContext } from '../context';
import type { ShadowFinding } from '../types';
import { runCommitted } from './migrate';
import { dropAndCreate } from './reset';

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
    await provider?.close();
    provider = engine.settings.shadow.kind === 'pg' ? undefined : new PgliteProvider({ pgSettings: engine.settings.pgSettings, extensions: engine.embeddedExtensions });
    if (!provider) {
      await dropAndCreate(engine, 'shadow');
      provider = engine.db('shadow');
      engine.providers.delete('shadow');
    }
    engine.providers.set('check', provider);
    engine.checkShadowHistory = '';
  }
  const p = provider;
  // Unsaved editor buffers: a whole overlay file system (current files and fixtures), or just current.sql's text.
  const fsys = opts.currentText !== undefined ? overlayCurrent(engine.settings.migrationsFolder, opts.currentText, opts.fileSystem) : opts.fileSystem;
  const cur = readCurrent(engine.settings.migrationsFolder, fsys);
  const sub = substitutePlaceholders(cur.text, placeholdersFor(engine.settings.placeholders, p.databaseName, engine.settings.databaseOwner));
  p.prepareFor?.(sub.text);
  return p.withSession(async (s) => {
    await engine.ensureSchema(s);
    const [last] = await s.query<{ filename: string }>('select filename from graphile_migrate.migrations order by filename desc limit 1');
    for (const m of committed.filter((c) => !last || c.filename > last.filename)) {
      if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled');
      await runCommitted(engine, s, 'shadow', m);
    }
    engine.checkShadowHistory = history;
    const findings: ShadowFinding[] = [];
    const text = sub.text;
    const pieces = splitStatements(text)
      .map((p) => ({ start: skipTrivia(text, p.start, p.end), end: p.end }))
      .filter((p) => p.start < p.end);
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
    await s.exec('begin');
    try {
      // The rest of the script in one round trip, each statement in its own released savepoint, with a counter of
      // completed statements kept in a transaction-local setting. On an error, rolling back to the savepoint keeps
      // every earlier statement's effects, the counter names the failed statement, and the check goes on after it.
      let from = 0;
      while (from < pieces.length) {
        if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled');
        let script = '';
        const starts: number[] = [];
        for (let k = from; k < pieces.length; k++) {
          script += 'savepoint pgmig_check;\n';
          starts.push(script.length);
          script += text.slice(pieces[k].start, pieces[k].end) + `\n;\nrelease savepoint pgmig_check;\nselect set_config('pgmig.done', '${k}', true);\n`;
        }
        try {
          await s.exec(script);
          break;
        } catch (e: any) {
          if (isConnectionLoss(e)) throw e;
          await s.exec('rollback to savepoint pgmig_check; release savepoint pgmig_check');
          const [{ done }] = await s.query<{ done: string | null }>(`select current_setting('pgmig.done', true) as done`);
          const k = done && Number(done) >= from ? Number(done) + 1 : from;
          if (k >= pieces.length) break;
          // Statements that cannot run in a transaction block (CREATE INDEX CONCURRENTLY, ...) are not checked.
          if (e?.code !== '25001') {
            const pos = Number(e?.position);
            const stmtStart = starts[k - from];
            const stmtLen = pieces[k].end - pieces[k].start;
            let offset = pieces[k].start;
            if (Number.isFinite(pos) && pos > 0) {
              const inScript = positionToOffset(script, pos);
              if (inScript >= stmtStart && inScript <= stmtStart + stmtLen) offset = pieces[k].start + (inScript - stmtStart);
            }
            report(e, offset);
          }
          from = k + 1;
        }
      }
    } finally {
      await s.exec('rollback');
    }
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
