// `status`: applied, pending and changed migrations, and whether current is empty (graphile-migrate's exit bitmap).
import { calculateHash } from '../../graphile/committedFile';
import { parseMigrationText, readCommitted } from '../committed';
import { readCurrent } from '../current';
import { isBlankSql } from '../sourceText';
import type { EngineContext } from '../context';
import type { StatusReport } from '../types';
import { describeInterruptedCommit } from './commit';

export async function status(engine: EngineContext, opts: { skipDatabase?: boolean } = {}): Promise<StatusReport> {
  const committed = readCommitted(engine.settings.migrationsFolder);
  const current = readCurrent(engine.settings.migrationsFolder);
  const { body } = parseMigrationText(current.location.path, current.text, false);
  const currentNotEmpty = !isBlankSql(body) || !isBlankSql(current.text);
  const report: StatusReport = {
    target: engine.settings.target,
    database: engine.describe('main'),
    applied: [],
    pending: [],
    changed: [],
    currentNotEmpty,
    exitCode: 0,
  };
  if (!opts.skipDatabase) {
    const rows = await engine.db('main').withSession(async (s) => ((await engine.schemaExists(s)) ? engine.appliedRows(s) : []));
    const byFilename = new Map(committed.map((m) => [m.filename, m]));
    for (const r of rows) {
      const m = byFilename.get(r.filename);
      report.applied.push({ filename: r.filename, realFilename: m?.realFilename, hash: r.hash, date: new Date(r.date) });
      if (!m) report.changed.push({ filename: r.filename, reason: 'applied, but no committed file has this number any more' });
      else if (m.hash !== r.hash) report.changed.push({ filename: m.realFilename, reason: `the file's hash ${m.hash} differs from the applied ${r.hash}` });
      else if (!m.allowInvalidHash && calculateHash(m.body, m.previousHash) !== m.hash) {
        report.changed.push({ filename: m.realFilename, reason: 'the file was edited after it was committed (its body no longer matches its hash)' });
      }
    }
    const last = rows.length ? rows[rows.length - 1].filename : undefined;
    report.pending = committed.filter((m) => !last || m.filename > last).map((m) => m.realFilename);
  }
  report.interruptedCommit = await describeInterruptedCommit(engine, { database: !opts.skipDatabase });
  report.exitCode = (report.pending.length ? 1 : 0) | (currentNotEmpty ? 2 : 0);
  return report;
}
