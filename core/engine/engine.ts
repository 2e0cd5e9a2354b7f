// The migration engine: graphile-migrate's workflow (migrate, watch, commit, uncommit, status, reset) plus pgmig's
// additions (rollback, schema dump, targets, the shadow check), on real PostgreSQL or the embedded PGlite. One
// instance serves a CLI run or a long-running language server: providers start lazily and are kept until close();
// progress goes to an event callback; failures are EngineErrors.
import fs from 'node:fs';
import path from 'node:path';
import { PgProvider, isConnectionLoss } from '../db/pg';
import { PgliteProvider, processAlive } from '../db/pglite';
import { withMigrationLock } from '../db/lock';
import { OverlayFileSystem, type FileSystem } from '../fileSystem';
import { transaction, type DbProvider, type DbSession } from '../db/types';
import { calculateHash } from '../graphile/committedFile';
import { splitStatements } from '../sql/splitter';
import { skipTrivia } from '../text';
import { executeActions } from './actions';
import {
  committedRunnable,
  downPathFor,
  parseMigrationText,
  readCommitted,
  serializeMigration,
  verifyHash,
  type CommittedMigration,
} from './committed';
import { readCurrent, writeCurrent, writeFileAtomic, type CompiledCurrent } from './current';
import { EngineError } from './errors';
import { dumpSchema } from './schemaDump';
import { makeRootDatabaseConnectionString, type DbLocation, type EngineSettings } from './settings';
import {
  describeLocation,
  isBlankSql,
  isNoTransaction,
  placeholdersFor,
  positionToOffset,
  sqlError,
  sqlFingerprint,
  substitutePlaceholders,
  type RunnableText,
} from './sourceText';

export type CommitStep =
  | 'current-read'
  | 'shadow-reset'
  | 'shadow-migrated'
  | 'shadow-current-ran'
  | 'file-temp-written'
  | 'file-renamed'
  | 'main-migrated'
  | 'current-blanked';

export type EngineEvent =
  | { type: 'info'; message: string }
  | { type: 'step'; step: CommitStep }
  | { type: 'migration-applied'; filename: string; shadow: boolean; ms: number; invalidHashAllowed: boolean }
  | { type: 'waiting-for-lock'; database: string }
  | { type: 'action-output'; stream: 'stdout' | 'stderr'; text: string };

export interface MigrateResult {
  applied: string[];
  upToDate: boolean;
}

export interface AppliedMigration {
  filename: string;
  realFilename?: string;
  hash: string;
  date: Date;
}

export interface StatusReport {
  target?: string;
  database: string;
  applied: AppliedMigration[];
  pending: string[];
  /** Applied migrations whose file no longer matches what was applied (edited, replaced, deleted). */
  changed: { filename: string; reason: string }[];
  currentNotEmpty: boolean;
  /** graphile-migrate's bitmap: 1 = pending, 2 = current not empty. */
  exitCode: number;
}

export interface CurrentRunResult {
  ran: boolean;
  /** Skipped because the compiled text equals what last ran (graphile_migrate.current). */
  unchanged: boolean;
  ms: number;
}

export interface CommitResult {
  file: string;
  hash: string;
  downFile?: string;
}

export interface ShadowFinding {
  rule: 'shadow-error';
  severity: 'error';
  file: string;
  start: number;
  end: number;
  message: string;
  sqlstate?: string;
  fixes: never[];
  related: never[];
}

type Which = 'main' | 'shadow';

const CREATE_SCHEMA = `
    create schema if not exists graphile_migrate;

    create table if not exists graphile_migrate.migrations (
      hash text primary key,
      previous_hash text references graphile_migrate.migrations,
      filename text not null,
      date timestamptz not null default now()
    );

    create table if not exists graphile_migrate.current (
      filename text primary key default 'current.sql',
      content text not null,
      date timestamptz not null default now()
    );
  `;

function readFileOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export class MigrationEngine {
  private readonly providers = new Map<Which | 'check', DbProvider>();
  /** The shadow used by shadowCheck: migrated to the committed history and kept between checks. */
  private checkShadowHistory: string | undefined;
  /** Texts of files being committed that are not on disk yet (error positions map into them). */
  private readonly unwritten = new Map<string, string>();
  private readonly readFile = (file: string): string | undefined => this.unwritten.get(file) ?? readFileOrUndefined(file);

  constructor(
    readonly settings: EngineSettings,
    private readonly emit: (e: EngineEvent) => void = () => undefined,
    private readonly options: {
      /** Long-running hosts (the language server): release the embedded database after this long idle. */
      embeddedIdleCloseMs?: number;
      /** Wait this long for another process to release the embedded database (default 10 s). */
      embeddedLockWaitMs?: number;
    } = {},
  ) {}

  // ---- databases -------------------------------------------------------------------------------------------

  private makeProvider(loc: DbLocation): DbProvider {
    const pgSettings = this.settings.pgSettings;
    if (loc.kind === 'pg') return new PgProvider(loc.url, { pgSettings });
    if (loc.kind === 'pglite') {
      return new PgliteProvider({ dataDir: loc.dataDir, pgSettings, idleCloseMs: this.options.embeddedIdleCloseMs, lockWaitMs: this.options.embeddedLockWaitMs ?? 10_000 });
    }
    return new PgliteProvider({ pgSettings });
  }

  db(which: Which): DbProvider {
    let p = this.providers.get(which);
    if (!p) {
      p = this.makeProvider(which === 'main' ? this.settings.main : this.settings.shadow);
      this.providers.set(which, p);
    }
    return p;
  }

  private location(which: Which): DbLocation {
    return which === 'main' ? this.settings.main : this.settings.shadow;
  }

  /** Human name of a database, never with a password. */
  describe(which: Which): string {
    return (this.settings.target ? `[${this.settings.target}] ` : '') + this.db(which).label;
  }

  async close(): Promise<void> {
    const all = [...this.providers.values()];
    this.providers.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  private placeholders(which: Which): Record<string, string> {
    return placeholdersFor(this.settings.placeholders, this.db(which).databaseName, this.settings.databaseOwner);
  }

  private async ensureSchema(s: DbSession): Promise<void> {
    if (this.settings.manageGraphileMigrateSchema) {
      await s.exec(CREATE_SCHEMA);
      return;
    }
    const rows = await s.query<{ n: number }>(
      `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'graphile_migrate' and c.relname in ('migrations', 'current') and c.relkind = 'r'`,
    );
    if (rows[0].n !== 2) {
      throw new EngineError('config', "manageGraphileMigrateSchema is false, but the graphile_migrate schema's tables are not installed");
    }
  }

  private async schemaExists(s: DbSession): Promise<boolean> {
    const rows = await s.query<{ ok: boolean }>(`select to_regclass('graphile_migrate.migrations') is not null as ok`);
    return rows[0].ok;
  }

  private async appliedRows(s: DbSession): Promise<{ filename: string; hash: string; previous_hash: string | null; date: Date }[]> {
    return s.query(`select filename, hash, previous_hash, date from graphile_migrate.migrations order by filename`);
  }

  private actionContext(s: DbSession, which: Which) {
    const loc = this.location(which);
    const databaseName = this.db(which).databaseName;
    return {
      settings: this.settings,
      shadow: which === 'shadow',
      url: loc.kind === 'pg' ? loc.url : undefined,
      databaseName,
      placeholders: this.placeholders(which),
      runRootSql: async (sql: string) => {
        if (loc.kind !== 'pg' || !this.settings.rootConnectionString) return s.exec(sql);
        const root = new PgProvider(makeRootDatabaseConnectionString(this.settings.rootConnectionString, databaseName));
        try {
          await root.withSession((r) => r.exec(sql));
        } finally {
          await root.close();
        }
      },
      output: (stream: 'stdout' | 'stderr', text: string) => this.emit({ type: 'action-output', stream, text }),
    };
  }

  /** Runs text on a session, mapping a server error back to the file, line and column. */
  private async execMapped(s: DbSession, r: RunnableText): Promise<void> {
    try {
      await s.exec(r.text);
    } catch (e) {
      // A lost connection is not the script's fault: the provider reports it as such.
      if (isConnectionLoss(e)) throw e;
      throw sqlError(e, r, this.readFile);
    }
  }

  private withLock<T>(s: DbSession, which: Which, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withMigrationLock(s, fn, {
      timeoutMs: this.settings.engine.lockTimeoutMs,
      signal,
      onWait: () => this.emit({ type: 'waiting-for-lock', database: this.describe(which) }),
    });
  }

  // ---- migrate ------------------------------------------------------------------------------------------------

  private async runCommitted(s: DbSession, which: Which, m: CommittedMigration): Promise<void> {
    const { invalidButAllowed } = verifyHash(m);
    const sub = substitutePlaceholders(m.body, this.placeholders(which));
    const runnable = committedRunnable(m, sub.text, sub.toInput);
    const record = () =>
      s.query('insert into graphile_migrate.migrations(hash, previous_hash, filename) values ($1, $2, $3)', [m.hash, m.previousHash, m.filename]);
    const t0 = performance.now();
    if (isNoTransaction(sub.text)) {
      await this.execMapped(s, runnable);
      await record();
    } else {
      await transaction(s, async () => {
        await this.execMapped(s, runnable);
        await record();
      });
    }
    this.emit({ type: 'migration-applied', filename: m.realFilename, shadow: which === 'shadow', ms: performance.now() - t0, invalidHashAllowed: invalidButAllowed });
  }

  /**
   * Several committed migrations in one script: `begin; body; insert tracking row; commit;` for each. The server
   * stops at the first error (earlier migrations stay committed, the failing one is rolled back, later ones never
   * start); the tracking table then says which one failed, and the error position maps into its file.
   */
  private async runCommittedBatch(s: DbSession, which: Which, batch: CommittedMigration[]): Promise<void> {
    const lit = (v: string | null) => (v === null ? 'null' : `'${v.replace(/'/g, "''")}'`);
    const segments: { m: CommittedMigration; start: number; runnable: RunnableText }[] = [];
    let text = '';
    const invalid = new Map<CommittedMigration, boolean>();
    for (const m of batch) {
      invalid.set(m, verifyHash(m).invalidButAllowed);
      const sub = substitutePlaceholders(m.body, this.placeholders(which));
      text += 'begin;\n';
      segments.push({ m, start: text.length, runnable: committedRunnable(m, sub.text, sub.toInput) });
      text += sub.text + '\n;\n';
      text += `insert into graphile_migrate.migrations(hash, previous_hash, filename) values (${lit(m.hash)}, ${lit(m.previousHash)}, ${lit(m.filename)});\ncommit;\n`;
    }
    const t0 = performance.now();
    try {
      await s.exec(text);
    } catch (e) {
      if (isConnectionLoss(e)) throw e;
      await s.exec('rollback').catch(() => undefined);
      const [last] = await s.query<{ filename: string }>('select filename from graphile_migrate.migrations order by filename desc limit 1');
      const failedAt = segments.findIndex((g) => !last || g.m.filename > last.filename);
      const ms = (performance.now() - t0) / Math.max(1, batch.length);
      for (const g of segments.slice(0, Math.max(0, failedAt))) {
        this.emit({ type: 'migration-applied', filename: g.m.realFilename, shadow: which === 'shadow', ms, invalidHashAllowed: invalid.get(g.m)! });
      }
      const seg = segments[failedAt];
      if (!seg) throw e;
      const batchRunnable: RunnableText = {
        text,
        label: seg.m.realFilename,
        toSource: (o) => seg.runnable.toSource(Math.max(0, Math.min(o - seg.start, seg.runnable.text.length))),
      };
      throw sqlError(e, batchRunnable, this.readFile);
    }
    const ms = (performance.now() - t0) / batch.length;
    for (const g of segments) this.emit({ type: 'migration-applied', filename: g.m.realFilename, shadow: which === 'shadow', ms, invalidHashAllowed: invalid.get(g.m)! });
  }

  /** Applies pending migrations on an open session (lock already held). `extra` are migrations not yet on disk. */
  private async migrateSession(
    s: DbSession,
    which: Which,
    opts: { forceActions?: boolean; extra?: CommittedMigration[]; signal?: AbortSignal } = {},
  ): Promise<MigrateResult> {
    await this.ensureSchema(s);
    const [last] = await s.query<{ filename: string }>('select filename from graphile_migrate.migrations order by filename desc limit 1');
    const all = [...readCommitted(this.settings.migrationsFolder), ...(opts.extra ?? [])];
    const remaining = all.filter((m) => !last || m.filename > last.filename);
    const act = remaining.length > 0 || !!opts.forceActions;
    const ctx = this.actionContext(s, which);
    if (act) await executeActions(s, ctx, this.settings.actions.beforeAllMigrations);
    let i = 0;
    while (i < remaining.length) {
      if (opts.signal?.aborted) throw new EngineError('cancelled', `cancelled before ${remaining[i].realFilename}`);
      // Consecutive transactional migrations go to the server in one round trip (each still its own transaction).
      const batch: CommittedMigration[] = [];
      let bytes = 0;
      while (i < remaining.length && batch.length < 50 && bytes < 1_000_000) {
        const m = remaining[i];
        if (isNoTransaction(substitutePlaceholders(m.body, this.placeholders(which)).text)) break;
        // A tampered file ends the batch: the migrations before it are applied, as graphile-migrate would.
        try {
          verifyHash(m);
        } catch {
          break;
        }
        batch.push(m);
        bytes += m.body.length;
        i++;
      }
      if (batch.length > 1) await this.runCommittedBatch(s, which, batch);
      else if (batch.length === 1) await this.runCommitted(s, which, batch[0]);
      else await this.runCommitted(s, which, remaining[i++]); // no-transaction, or refused for its hash
    }
    if (act) await executeActions(s, ctx, this.settings.actions.afterAllMigrations);
    return { applied: remaining.map((m) => m.realFilename), upToDate: remaining.length === 0 };
  }

  /** `migrate`: applies pending committed migrations, each in its own transaction, under the advisory lock. */
  async migrate(opts: { shadow?: boolean; forceActions?: boolean; signal?: AbortSignal; skipRecovery?: boolean } = {}): Promise<MigrateResult> {
    const which: Which = opts.shadow ? 'shadow' : 'main';
    if (!opts.skipRecovery) this.recoverInterruptedCommit();
    return this.db(which).withSession((s) => this.withLock(s, which, () => this.migrateSession(s, which, opts), opts.signal), opts.signal);
  }

  // ---- status -------------------------------------------------------------------------------------------------

  async status(opts: { skipDatabase?: boolean } = {}): Promise<StatusReport> {
    const committed = readCommitted(this.settings.migrationsFolder);
    const current = readCurrent(this.settings.migrationsFolder);
    const { body } = parseMigrationText(current.location.path, current.text, false);
    const currentNotEmpty = !isBlankSql(body) || !isBlankSql(current.text);
    const report: StatusReport = {
      target: this.settings.target,
      database: this.describe('main'),
      applied: [],
      pending: [],
      changed: [],
      currentNotEmpty,
      exitCode: 0,
    };
    if (!opts.skipDatabase) {
      const rows = await this.db('main').withSession(async (s) => ((await this.schemaExists(s)) ? this.appliedRows(s) : []));
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
    report.exitCode = (report.pending.length ? 1 : 0) | (currentNotEmpty ? 2 : 0);
    return report;
  }

  // ---- current / watch ----------------------------------------------------------------------------------------

  compileCurrent(): CompiledCurrent {
    return readCurrent(this.settings.migrationsFolder);
  }

  private currentRunnable(cur: CompiledCurrent, which: Which): RunnableText {
    const sub = substitutePlaceholders(cur.text, this.placeholders(which));
    return { text: sub.text, label: path.basename(cur.location.path), toSource: (o) => cur.toSource(sub.toInput(o)) };
  }

  /**
   * Runs current.sql once (watch's step): skipped when its compiled text equals what last ran, as graphile-migrate
   * does with graphile_migrate.current. Otherwise it runs in one transaction with the bookkeeping, so a failed run
   * leaves the database exactly as it was.
   */
  async runCurrent(opts: { shadow?: boolean; force?: boolean; signal?: AbortSignal } = {}): Promise<CurrentRunResult> {
    const which: Which = opts.shadow ? 'shadow' : 'main';
    const t0 = performance.now();
    const cur = this.compileCurrent();
    const runnable = this.currentRunnable(cur, which);
    const fingerprint = sqlFingerprint(runnable.text);
    const blank = isBlankSql(runnable.text);
    const noTx = isNoTransaction(runnable.text);
    const upsert = `insert into graphile_migrate.current(content) values ($1)
      on conflict (filename) do update set content = excluded.content, date = excluded.date`;
    return this.db(which).withSession(
      (s) =>
        this.withLock(s, which, async () => {
          const ctx = this.actionContext(s, which);
          await this.ensureSchema(s);
          let unchanged = false;
          if (!noTx) {
            await transaction(s, async () => {
              await s.exec('lock graphile_migrate.current in exclusive mode');
              const [prev] = await s.query<{ content: string }>(`select content from graphile_migrate.current where filename = 'current.sql'`);
              unchanged = !opts.force && prev !== undefined && sqlFingerprint(prev.content) === fingerprint;
              if (!unchanged) {
                await executeActions(s, ctx, this.settings.actions.beforeCurrent);
                if (!blank) await this.execMapped(s, runnable);
              }
              await s.query(upsert, [runnable.text]);
            });
          } else {
            const [prev] = await s.query<{ content: string }>(`select content from graphile_migrate.current where filename = 'current.sql'`);
            unchanged = !opts.force && prev !== undefined && sqlFingerprint(prev.content) === fingerprint;
            if (!unchanged) {
              await executeActions(s, ctx, this.settings.actions.beforeCurrent);
              await s.exec(`delete from graphile_migrate.current where filename = 'current.sql'`);
              await this.execMapped(s, runnable);
            }
            await s.query(upsert, [runnable.text]);
          }
          if (!unchanged) await executeActions(s, ctx, this.settings.actions.afterCurrent);
          return { ran: !unchanged && !blank, unchanged, ms: performance.now() - t0 };
        }, opts.signal),
      opts.signal,
    );
  }

  /**
   * `watch`: migrates, then runs current.sql now and whenever it or a fixture changes, until `signal` aborts.
   * Each run's outcome goes to `onRun` (an EngineError for a failed run). With `once`, runs once and returns.
   */
  async watch(opts: {
    once?: boolean;
    shadow?: boolean;
    signal?: AbortSignal;
    onRun?: (result: CurrentRunResult | EngineError | Error) => void;
    /** Safety net for missed file events (e.g. git stash): poll every N ms. */
    pollMs?: number;
  } = {}): Promise<CurrentRunResult | void> {
    await this.migrate({ shadow: opts.shadow, signal: opts.signal });
    const loc = this.compileCurrentLocation();
    if (!loc.exists) writeCurrent(loc, this.settings.blankMigrationContent.trim() + '\n', this.settings.blankMigrationContent);
    if (opts.once) return this.runCurrent({ shadow: opts.shadow, signal: opts.signal });

    let running = false;
    let again = false;
    let lastSnapshot = '';
    const snapshot = () => {
      // The inputs: every file current reads (its includes), as text. Cheap for a few small files.
      try {
        const cur = this.compileCurrent();
        return cur.text;
      } catch (e: any) {
        return 'error:' + e?.message;
      }
    };
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const snap = snapshot();
          if (snap === lastSnapshot) continue;
          lastSnapshot = snap;
          try {
            const r = await this.runCurrent({ shadow: opts.shadow, signal: opts.signal });
            opts.onRun?.(r);
          } catch (e: any) {
            lastSnapshot = ''; // retry the same text after a failure once something changes or on the next poll
            opts.onRun?.(e);
          }
        } while (again && !opts.signal?.aborted);
      } finally {
        running = false;
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const trigger = () => {
      if (timer) clearTimeout(timer);
      // Editors write a file in one or two syscalls; a few ms of quiet is enough (graphile-migrate waits 200 ms).
      timer = setTimeout(() => void run(), 8);
    };
    const watchers: fs.FSWatcher[] = [];
    const watchDir = (dir: string, recursive: boolean) => {
      try {
        watchers.push(fs.watch(dir, { recursive }, () => trigger()));
      } catch {
        /* missing folder: the poll still sees it appear */
      }
    };
    watchDir(this.settings.migrationsFolder, false);
    if (!loc.isFile) watchDir(loc.path, false);
    watchDir(path.join(this.settings.migrationsFolder, 'fixtures'), true);
    const poll = setInterval(() => trigger(), opts.pollMs ?? 1000);
    await run();
    await new Promise<void>((resolve) => {
      if (opts.signal?.aborted) return resolve();
      opts.signal?.addEventListener('abort', () => resolve(), { once: true });
      if (!opts.signal) {
        /* runs until the process ends */
      }
    });
    clearInterval(poll);
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
    while (running) await new Promise((r) => setTimeout(r, 5));
  }

  private compileCurrentLocation() {
    return readCurrent(this.settings.migrationsFolder).location;
  }

  // ---- commit / uncommit --------------------------------------------------------------------------------------

  /**
   * If a commit was interrupted after its file was written but before current.sql was blanked, current.sql still
   * holds exactly the last committed body: finish that commit by blanking current.sql (the file is complete, it was
   * renamed into place in one step). Called before migrate, commit and watch.
   */
  recoverInterruptedCommit(): boolean {
    const committedDir = path.join(this.settings.migrationsFolder, 'committed');
    // Temp files of a commit that never reached its rename.
    for (const f of fs.existsSync(committedDir) ? fs.readdirSync(committedDir) : []) {
      if (/^\..*\.tmp$/.test(f)) {
        const pid = Number(f.split('.').at(-2));
        if (!pid || pid === process.pid || !processAlive(pid)) fs.rmSync(path.join(committedDir, f), { force: true });
      }
    }
    let all: CommittedMigration[];
    let cur: CompiledCurrent;
    try {
      all = readCommitted(this.settings.migrationsFolder);
      cur = this.compileCurrent();
    } catch {
      return false;
    }
    const last = all[all.length - 1];
    if (!last) return false;
    const { body } = parseMigrationText(cur.location.path, cur.text, false);
    if (isBlankSql(body) || calculateHash(body, last.previousHash) !== last.hash) return false;
    writeCurrent(cur.location, this.settings.blankMigrationContent.trim() + '\n', this.settings.blankMigrationContent);
    this.emit({ type: 'info', message: `finished an interrupted commit of ${last.realFilename}: current migration blanked` });
    return true;
  }

  private async resetShadowAndMigrate(extra: CommittedMigration[] = []): Promise<void> {
    const loc = this.settings.shadow;
    if (loc.kind === 'pglite-memory') {
      // A fresh in-memory database is a reset shadow.
      const old = this.providers.get('shadow');
      this.providers.delete('shadow');
      await old?.close();
    } else {
      await this.dropAndCreate('shadow');
    }
    this.emit({ type: 'step', step: 'shadow-reset' });
    await this.db('shadow').withSession((s) => this.withLock(s, 'shadow', () => this.migrateSession(s, 'shadow', { extra })));
  }

  /** `commit`: validates current on a reset shadow, then writes the committed file, applies it, blanks current. */
  async commit(opts: { message?: string } = {}): Promise<CommitResult> {
    this.recoverInterruptedCommit();
    const folder = this.settings.migrationsFolder;
    const cur = this.compileCurrent();
    const all = readCommitted(folder);
    const last = all[all.length - 1];
    const number = last ? parseInt(last.filename, 10) + 1 : 1;
    const { headers, headerOrder, body } = parseMigrationText(cur.location.path, cur.text, false);
    const message = opts.message !== undefined ? opts.message : headers.Message ?? undefined;
    // eslint-disable-next-line no-control-regex
    if (message && /[\r\n\0\b\v\f\cA-\cZ]/u.test(message)) throw new EngineError('current', 'Invalid commit message: contains disallowed characters');
    if (message && message.length > 512) throw new EngineError('current', 'Invalid commit message: message is too long (max: 512 chars)');
    const slug = message ? sluggify(message) : null;
    const realFilename = String(number).padStart(6, '0') + (slug ? `-${slug}` : '') + '.sql';
    if (isBlankSql(body)) throw new EngineError('current', 'Current migration is blank.');
    const hash = calculateHash(body, last ? last.hash : null);
    const headerList: [string, string | null | undefined][] = [
      ['Previous', last ? last.hash : '-'],
      ['Hash', hash],
      ['Message', message ? message : undefined],
      ...headerOrder.filter((k) => !['Previous', 'Hash', 'Message'].includes(k)).map((k): [string, string | null] => [k, headers[k]]),
    ];
    const text = serializeMigration(body, headerList);
    const fullPath = path.join(folder, 'committed', realFilename);
    const parsed = parseMigrationText(fullPath, text);
    const migration: CommittedMigration = {
      realFilename,
      filename: String(number).padStart(6, '0') + '.sql',
      fullPath,
      hash,
      previousHash: last ? last.hash : null,
      message: message ?? null,
      allowInvalidHash: 'AllowInvalidHash' in headers,
      body: parsed.body,
      bodyOffset: parsed.bodyOffset,
    };
    this.emit({ type: 'step', step: 'current-read' });

    // 1. Shadow: reset, replay history, run the new migration. An error maps into current.sql (the file as written).
    this.unwritten.set(fullPath, text);
    try {
      await this.resetShadowAndMigrate();
      this.emit({ type: 'step', step: 'shadow-migrated' });
      await this.db('shadow').withSession((s) => this.withLock(s, 'shadow', () => this.migrateSession(s, 'shadow', { extra: [migration] })));
    } catch (e) {
      throw this.remapToCurrent(e, cur, migration);
    } finally {
      this.unwritten.delete(fullPath);
    }
    this.emit({ type: 'step', step: 'shadow-current-ran' });

    // 2. The file: written whole under a hidden temp name, then renamed into place (graphile-migrate ignores dot files).
    fs.mkdirSync(path.join(folder, 'committed'), { recursive: true });
    const tmp = path.join(folder, 'committed', `.${realFilename}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, text, { mode: 0o440 });
    const fd = fs.openSync(tmp, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    this.emit({ type: 'step', step: 'file-temp-written' });
    const downSource = cur.location.isFile ? path.join(folder, 'current.down.sql') : undefined;
    const downText = downSource ? readFileOrUndefined(downSource) : undefined;
    let downFile: string | undefined;
    if (downText !== undefined && !isBlankSql(downText)) {
      downFile = downPathFor(fullPath);
      writeFileAtomic(downFile, downText);
    }
    fs.renameSync(tmp, fullPath);
    this.emit({ type: 'step', step: 'file-renamed' });

    // 3. Main database, then blank current. If main refuses, undo the file (graphile-migrate does the same).
    try {
      await this.migrate({ skipRecovery: true });
    } catch (e) {
      fs.rmSync(fullPath, { force: true });
      if (downFile) fs.rmSync(downFile, { force: true });
      throw this.remapToCurrent(e, cur, migration);
    }
    this.emit({ type: 'step', step: 'main-migrated' });
    writeCurrent(cur.location, this.settings.blankMigrationContent.trim() + '\n', this.settings.blankMigrationContent);
    if (downFile && downSource) fs.rmSync(downSource, { force: true });
    this.emit({ type: 'step', step: 'current-blanked' });
    if (this.settings.engine.dumpSchemaOnCommit) await this.schemaDump();
    return { file: fullPath, hash, downFile };
  }

  /** An SQL error in the new migration's text points into current.sql (and its fixtures), where the author edits. */
  private remapToCurrent(e: unknown, cur: CompiledCurrent, m: CommittedMigration): unknown {
    if (!(e instanceof EngineError) || !e.location || e.location.file !== m.fullPath) return e;
    const { bodyOffset } = parseMigrationText(cur.location.path, cur.text, false);
    const offsetInBody = e.location.offset - m.bodyOffset;
    const at = cur.toSource(bodyOffset + offsetInBody);
    const text = readFileOrUndefined(at.file);
    if (text === undefined) return e;
    const loc = describeLocation(at.file, text, Math.min(at.offset, text.length));
    const reason = `${e.sqlstate}: ${String((e.cause as any)?.message ?? e.message)}`;
    return new EngineError('sql', `${loc.file}:${loc.line}:${loc.column}: ${reason}`, { sqlstate: e.sqlstate, location: loc, detail: e.detail, hint: e.hint, cause: e });
  }

  /** `uncommit`: the latest committed migration back into current (includes restored), its tracking row removed. */
  async uncommit(): Promise<{ file: string }> {
    const folder = this.settings.migrationsFolder;
    const all = readCommitted(folder);
    const last = all[all.length - 1];
    if (!last) throw new EngineError('refused', "There's no committed migration to uncommit");
    const cur = this.compileCurrent();
    if (!isBlankSql(cur.text)) throw new EngineError('refused', 'Cannot uncommit - current migration is not blank.');
    const contents = fs.readFileSync(last.fullPath, 'utf8');
    const { headers, headerOrder, body: committedBody } = parseMigrationText(last.fullPath, contents);
    const body = committedBody.replace(/^--! Included (?<filename>\S+)$[\s\S]*?^--! EndIncluded \k<filename>$/gm, (_m, filename) => `--!include ${filename}`);
    const other = headerOrder.filter((k) => !['Hash', 'Previous', 'AllowInvalidHash'].includes(k)).map((k): [string, string | null] => [k, headers[k]]);
    // The database first: if it cannot be reached nothing has changed; a row left behind for a file moved back
    // into current would make the next commit of the same number look applied already.
    await this.db('main').withSession((s) =>
      this.withLock(s, 'main', async () => {
        if (await this.schemaExists(s)) await s.query('delete from graphile_migrate.migrations where hash = $1', [last.hash]);
      }),
    );
    writeCurrent(cur.location, serializeMigration(body, other), this.settings.blankMigrationContent);
    if (last.downPath && cur.location.isFile) {
      writeFileAtomic(path.join(folder, 'current.down.sql'), fs.readFileSync(last.downPath, 'utf8'));
      fs.rmSync(last.downPath, { force: true });
    }
    fs.rmSync(last.fullPath, { force: true });
    if (this.settings.shadow.kind === 'pg') await this.resetShadowAndMigrate();
    return { file: last.fullPath };
  }

  // ---- rollback -----------------------------------------------------------------------------------------------

  /**
   * `rollback`: runs the down scripts of the latest applied migrations, newest first, each in a transaction with
   * its tracking row removed. `to` = the number of the last migration to keep (default: undo one).
   */
  async rollback(opts: { to?: number; signal?: AbortSignal } = {}): Promise<{ rolledBack: string[] }> {
    const committed = readCommitted(this.settings.migrationsFolder);
    const byFilename = new Map(committed.map((m) => [m.filename, m]));
    return this.db('main').withSession((s) =>
      this.withLock(s, 'main', async () => {
        if (!(await this.schemaExists(s))) return { rolledBack: [] };
        const rows = await this.appliedRows(s);
        const targets = (opts.to === undefined ? rows.slice(-1) : rows.filter((r) => parseInt(r.filename, 10) > opts.to!)).reverse();
        const plan: { row: (typeof rows)[0]; m: CommittedMigration; down: string }[] = [];
        const missing: string[] = [];
        for (const row of targets) {
          const m = byFilename.get(row.filename);
          const down = m ? downPathFor(m.fullPath) : undefined;
          if (!m || !down || !fs.existsSync(down)) missing.push(m ? path.basename(downPathFor(m.fullPath)) : `${row.filename} (no committed file)`);
          else plan.push({ row, m, down });
        }
        if (missing.length) {
          throw new EngineError('refused', `cannot roll back: no down script for ${missing.join(', ')} (write it beside the committed file, e.g. current.down.sql before committing)`);
        }
        const done: string[] = [];
        for (const { row, m, down } of plan) {
          if (opts.signal?.aborted) break;
          const text = fs.readFileSync(down, 'utf8');
          const sub = substitutePlaceholders(text, this.placeholders('main'));
          const runnable: RunnableText = { text: sub.text, label: path.basename(down), toSource: (o) => ({ file: down, offset: sub.toInput(o) }) };
          const undo = async () => {
            await this.execMapped(s, runnable);
            await s.query('delete from graphile_migrate.migrations where hash = $1', [row.hash]);
          };
          if (isNoTransaction(sub.text)) await undo();
          else await transaction(s, undo);
          done.push(m.realFilename);
        }
        return { rolledBack: done };
      }, opts.signal),
    );
  }

  // ---- reset --------------------------------------------------------------------------------------------------

  private async dropAndCreate(which: Which): Promise<void> {
    const loc = this.location(which);
    const old = this.providers.get(which);
    this.providers.delete(which);
    if (which === 'shadow' && loc.kind === 'pg') {
      // The shadow check's connections to the same database would block DROP DATABASE.
      const check = this.providers.get('check');
      this.providers.delete('check');
      this.checkShadowHistory = undefined;
      await check?.close();
    }
    if (loc.kind === 'pglite-memory') {
      await old?.close();
      return;
    }
    if (loc.kind === 'pglite') {
      const p = (old as PgliteProvider | undefined) ?? new PgliteProvider({ dataDir: loc.dataDir });
      await p.erase();
      return;
    }
    await old?.close();
    if (!this.settings.rootConnectionString) throw new EngineError('config', 'reset needs rootConnectionString or ROOT_DATABASE_URL');
    const name = new PgProvider(loc.url).databaseName;
    const root = new PgProvider(this.settings.rootConnectionString);
    const ident = (x: string) => '"' + x.replace(/"/g, '""') + '"';
    try {
      await root.withSession(async (s) => {
        await s.exec(`DROP DATABASE IF EXISTS ${ident(name)};`);
        try {
          await s.exec(`CREATE DATABASE ${ident(name)} OWNER ${ident(this.settings.databaseOwner)};`);
        } catch (e: any) {
          throw new EngineError('sql', `Failed to create database '${name}' with owner '${this.settings.databaseOwner}': ${e?.message ?? e}`);
        }
        await s.exec(`REVOKE ALL ON DATABASE ${ident(name)} FROM PUBLIC;`);
      });
    } finally {
      await root.close();
    }
  }

  /** `reset --erase`: drops and recreates the database (root connection), then migrates. */
  async reset(opts: { shadow?: boolean; erase: boolean }): Promise<MigrateResult> {
    if (!opts.erase) throw new EngineError('refused', 'reset drops the whole database: add --erase to confirm');
    const which: Which = opts.shadow ? 'shadow' : 'main';
    const actionsOn = async (specs: typeof this.settings.actions.beforeReset) => {
      if (!specs.length) return;
      await this.db(which).withSession((s) => executeActions(s, this.actionContext(s, which), specs));
    };
    if (this.location(which).kind === 'pg') await actionsOn(this.settings.actions.beforeReset);
    await this.dropAndCreate(which);
    await actionsOn(this.settings.actions.afterReset);
    return this.migrate({ shadow: opts.shadow });
  }

  // ---- schema dump --------------------------------------------------------------------------------------------

  /** `schema dump`: a deterministic schema.sql of the main database, for git. */
  async schemaDump(opts: { file?: string } = {}): Promise<{ file: string; text: string; via: string }> {
    const loc = this.settings.main;
    const { text, via } = await this.db('main').withSession((s) => dumpSchema(s, loc.kind === 'pg' ? loc.url : undefined));
    const file = path.resolve(this.settings.root, opts.file ?? this.settings.engine.schemaFile);
    writeFileAtomic(file, text);
    return { file, text, via };
  }

  // ---- targets ------------------------------------------------------------------------------------------------

  /** A new target's database may not exist yet: create it through the root connection (as reset does). */
  private async createIfMissing(): Promise<void> {
    const loc = this.settings.main;
    if (loc.kind !== 'pg') return;
    try {
      await this.db('main').withSession(async () => undefined);
      return;
    } catch (e) {
      if (!(e instanceof EngineError) || e.sqlstate !== '3D000' || !this.settings.rootConnectionString) throw e;
    }
    const name = this.db('main').databaseName;
    const root = new PgProvider(this.settings.rootConnectionString);
    const ident = (x: string) => '"' + x.replace(/"/g, '""') + '"';
    try {
      await root.withSession((s) => s.exec(`CREATE DATABASE ${ident(name)} OWNER ${ident(this.settings.databaseOwner)}`));
      this.emit({ type: 'info', message: `created database ${this.describe('main')}` });
    } finally {
      await root.close();
    }
  }

  /** `target init`: migrate a new database, persist the target's settings on it, run its seed files. */
  async targetInit(): Promise<{ migrated: MigrateResult; seeds: string[] }> {
    const name = this.settings.target;
    if (!name) throw new EngineError('config', 'target init needs a target (pgmig target init NAME)');
    const spec = this.settings.targets[name];
    await this.createIfMissing();
    const migrated = await this.migrate();
    const seeds: string[] = [];
    await this.db('main').withSession((s) => this.withLock(s, 'main', async () => {
      const db = this.db('main').databaseName;
      for (const [k, v] of Object.entries(spec.pgSettings)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_.]*$/.test(k)) throw new EngineError('config', `target '${name}': pgSettings key '${k}' is not a custom setting name (namespace.name)`);
        await s.exec(`alter database "${db.replace(/"/g, '""')}" set ${k} = '${v.replace(/'/g, "''")}'`);
      }
      for (const seed of spec.seeds) {
        const file = path.resolve(this.settings.root, seed);
        const text = readFileOrUndefined(file);
        if (text === undefined) throw new EngineError('config', `target '${name}': seed file ${file} not found`);
        const sub = substitutePlaceholders(text, this.placeholders('main'));
        const runnable: RunnableText = { text: sub.text, label: seed, toSource: (o) => ({ file, offset: sub.toInput(o) }) };
        await transaction(s, () => this.execMapped(s, runnable));
        seeds.push(seed);
      }
    }));
    return { migrated, seeds };
  }

  // ---- shadow check (editor) ----------------------------------------------------------------------------------

  /**
   * Runs committed history + current on a shadow and returns runtime errors as findings with exact positions. The
   * shadow is migrated once and reused: current runs statement by statement inside a transaction that is always
   * rolled back, so the shadow stays at the committed history. `currentText` overrides current.sql's text (an
   * unsaved editor buffer).
   */
  async shadowCheck(opts: { currentText?: string; fileSystem?: FileSystem; signal?: AbortSignal } = {}): Promise<ShadowFinding[]> {
    const committed = readCommitted(this.settings.migrationsFolder);
    const history = committed.map((m) => m.hash).join(',');
    let provider = this.providers.get('check');
    if (!provider || this.checkShadowHistory === undefined || !history.startsWith(this.checkShadowHistory)) {
      // First use, or history rewritten (uncommit, rebase): start again from an empty shadow.
      await provider?.close();
      provider = this.settings.shadow.kind === 'pg' ? undefined : new PgliteProvider({ pgSettings: this.settings.pgSettings });
      if (!provider) {
        await this.dropAndCreate('shadow');
        provider = this.db('shadow');
        this.providers.delete('shadow');
      }
      this.providers.set('check', provider);
      this.checkShadowHistory = '';
    }
    const p = provider;
    // Unsaved editor buffers: a whole overlay file system (current files and fixtures), or just current.sql's text.
    const fsys = opts.currentText !== undefined ? overlayCurrent(this.settings.migrationsFolder, opts.currentText, opts.fileSystem) : opts.fileSystem;
    const cur = readCurrent(this.settings.migrationsFolder, fsys);
    const sub = substitutePlaceholders(cur.text, placeholdersFor(this.settings.placeholders, p.databaseName, this.settings.databaseOwner));
    return p.withSession(async (s) => {
      await this.ensureSchema(s);
      const [last] = await s.query<{ filename: string }>('select filename from graphile_migrate.migrations order by filename desc limit 1');
      for (const m of committed.filter((c) => !last || c.filename > last.filename)) {
        if (opts.signal?.aborted) throw new EngineError('cancelled', 'cancelled');
        await this.runCommitted(s, 'shadow', m);
      }
      this.checkShadowHistory = history;
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

export function sluggify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/--+/g, '-')
    .replace(/(^-+|-+$)/g, '')
    .substring(0, 60);
}

function overlayCurrent(migrationsFolder: string, text: string, base?: FileSystem): FileSystem {
  const o = new OverlayFileSystem(base);
  o.overlay.set(path.join(migrationsFolder, 'current.sql'), text);
  return o;
}

/** Runs `fn` for each item with at most `limit` at once; results in input order (errors captured, not thrown). */
export async function forEachBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<({ ok: true; value: R } | { ok: false; error: unknown })[]> {
  const results: ({ ok: true; value: R } | { ok: false; error: unknown })[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await fn(items[i]) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
