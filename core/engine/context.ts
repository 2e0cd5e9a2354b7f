// What every engine command shares: the settings, the database providers (started lazily, kept until close()), the
// event callback, and the helpers around a session (tracking schema, placeholders, actions, error mapping, lock).
// The commands (commands/*.ts) are functions of this context; MigrationEngine (engine.ts) is the facade callers use.
import fs from 'node:fs';
import { PgProvider, isConnectionLoss } from '../db/pg';
import { PgliteProvider } from '../db/pglite';
import { extensionsInFolder } from '../db/pgliteExtensions';
import { withMigrationLock } from '../db/lock';
import type { DbProvider, DbSession } from '../db/types';
import type { ActionContext } from './actions';
import { readCurrent, type CompiledCurrent } from './current';
import { EngineError } from './errors';
import { makeRootDatabaseConnectionString, type DbLocation, type EngineSettings } from './settings';
import { nulByteError, placeholdersFor, sqlError, type RunnableText } from './sourceText';
import { hasTransactionControl, replayStatements } from './statementReplay';
import type { EngineEvent } from './types';

export type Which = 'main' | 'shadow';

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

export function readFileOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export class EngineContext {
  readonly providers = new Map<Which | 'check', DbProvider>();
  /** The shadow used by shadowCheck: migrated to the committed history and kept between checks. */
  checkShadowHistory: string | undefined;
  /** Texts of files being committed that are not on disk yet (error positions map into them). */
  readonly unwritten = new Map<string, string>();
  readonly readFile = (file: string): string | undefined => this.unwritten.get(file) ?? readFileOrUndefined(file);

  constructor(
    readonly settings: EngineSettings,
    readonly emit: (e: EngineEvent) => void = () => undefined,
    readonly options: {
      /** Long-running hosts (the language server): release the embedded database after this long idle. */
      embeddedIdleCloseMs?: number;
      /** Wait this long for another process to release the embedded database (default 10 s). */
      embeddedLockWaitMs?: number;
      /**
       * This engine only reads the tracking tables (`pgmig status`): the embedded database starts without the
       * contrib extensions the project's SQL creates (loading one costs ~30 ms of every start); SQL that creates
       * one would still restart it with them.
       */
      readsOnly?: boolean;
    } = {},
  ) {}

  // ---- databases -------------------------------------------------------------------------------------------

  makeProvider(loc: DbLocation): DbProvider {
    const pgSettings = this.settings.pgSettings;
    if (loc.kind === 'pg') return new PgProvider(loc.url, { pgSettings });
    if (loc.kind === 'pglite') {
      return new PgliteProvider({ dataDir: loc.dataDir, pgSettings, idleCloseMs: this.options.embeddedIdleCloseMs, lockWaitMs: this.options.embeddedLockWaitMs ?? 10_000, onLockWait: (message) => this.emit({ type: 'info', message }), extensions: this.options.readsOnly ? undefined : this.embeddedExtensions });
    }
    return new PgliteProvider({ pgSettings, extensions: this.options.readsOnly ? undefined : this.embeddedExtensions });
  }

  /** The extensions the project's SQL creates: the embedded database loads the ones PGlite provides. */
  readonly embeddedExtensions = (): string[] => extensionsInFolder(this.settings.migrationsFolder);

  db(which: Which): DbProvider {
    let p = this.providers.get(which);
    if (!p) {
      const stray = this.settings.strayConnections;
      if (which === 'main' && this.settings.main.kind === 'pglite' && !this.settings.target && stray?.length) {
        throw new EngineError(
          'config',
          `${stray.join(' and ')} ${stray.length > 1 ? 'are' : 'is'} set, but not DATABASE_URL (nor connectionString in .gmrc): graphile-migrate stops here, and pgmig does not fall back to the embedded database. Set DATABASE_URL, or unset ${stray.join(' and ')} to use the embedded database${this.settings.mainUrlHint ? `. ${this.settings.mainUrlHint}` : ''}`,
        );
      }
      if (which === 'main' && !this.settings.target && this.settings.mainUnknown) throw new EngineError('config', this.settings.mainUnknown);
      p = this.makeProvider(which === 'main' ? this.settings.main : this.settings.shadow);
      this.providers.set(which, p);
    }
    return p;
  }

  location(which: Which): DbLocation {
    return which === 'main' ? this.settings.main : this.settings.shadow;
  }

  /** Human name of a database, never with a password. */
  describe(which: Which): string {
    const source = which === 'main' && !this.settings.target && this.settings.mainSource ? ` (${this.settings.mainSource})` : '';
    return (this.settings.target ? `[${this.settings.target}] ` : '') + this.db(which).label + source;
  }

  async close(): Promise<void> {
    const all = [...this.providers.values()];
    this.providers.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  placeholders(which: Which): Record<string, string> {
    return placeholdersFor(this.settings.placeholders, this.db(which).databaseName, this.settings.databaseOwner);
  }

  async ensureSchema(s: DbSession): Promise<void> {
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

  async schemaExists(s: DbSession): Promise<boolean> {
    const rows = await s.query<{ ok: boolean }>(`select to_regclass('graphile_migrate.migrations') is not null as ok`);
    return rows[0].ok;
  }

  async appliedRows(s: DbSession): Promise<{ filename: string; hash: string; previous_hash: string | null; date: Date }[]> {
    return s.query(`select filename, hash, previous_hash, date from graphile_migrate.migrations order by filename`);
  }

  /** What graphile-migrate's actions see of a database: its name, URL, placeholders, a root connection to it. */
  actionContext(s: DbSession, which: Which, provider: DbProvider = this.db(which)): ActionContext {
    const loc = this.location(which);
    const databaseName = provider.databaseName;
    // Computed on first use: most runs have no actions, and the URL parser costs a few ms to load.
    let root: { url?: string } | undefined;
    const rootUrlOf = () =>
      (root ??= { url: loc.kind === 'pg' && this.settings.rootConnectionString ? makeRootDatabaseConnectionString(this.settings.rootConnectionString, databaseName) : undefined }).url;
    return {
      settings: this.settings,
      shadow: which === 'shadow',
      url: loc.kind === 'pg' ? loc.url : undefined,
      get rootUrl() {
        return rootUrlOf();
      },
      databaseName,
      placeholders: placeholdersFor(this.settings.placeholders, databaseName, this.settings.databaseOwner),
      runRootSql: async (sql: string) => {
        // The embedded database has a single user, who is the superuser.
        if (loc.kind !== 'pg') return s.exec(sql);
        const rootUrl = rootUrlOf();
        if (!rootUrl) throw new EngineError('config', 'Cannot execute SQL as root since rootConnectionString / ROOT_DATABASE_URL is not specified');
        // As graphile-migrate: a connection of its own, as root, to the same database, with the same pgSettings.
        const root = new PgProvider(rootUrl, { pgSettings: this.settings.pgSettings });
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
  async execMapped(s: DbSession, r: RunnableText): Promise<void> {
    const nul = nulByteError(r, this.readFile);
    if (nul) throw nul;
    try {
      await s.exec(r.text);
    } catch (e) {
      // A lost connection is not the script's fault: the provider reports it as such.
      if (isConnectionLoss(e)) throw e;
      const err = sqlError(e, r, this.readFile);
      if (err instanceof EngineError && !err.location) this.unlocated.set(err, r);
      throw err;
    }
  }

  /** SQL errors of execMapped that PostgreSQL gave without a position, with the text that raised them. */
  private readonly unlocated = new WeakMap<EngineError, RunnableText>();

  /**
   * Runs `fn` (which runs texts through execMapped on `s`, in a transaction or not) and, when it fails with an SQL
   * error PostgreSQL gave without a position, replays that text statement by statement in a transaction that is
   * rolled back, to name the statement that failed as file:line:column. Replayed only when the session is idle
   * again: `fn` must have ended its own transaction (transaction() does).
   */
  async located<T>(s: DbSession, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const r = e instanceof EngineError ? this.unlocated.get(e) : undefined;
      if (!r || !(e instanceof EngineError) || hasTransactionControl(r.text)) throw e;
      let failures;
      try {
        // A no-transaction script that failed was rolled back whole (one implicit transaction): the session is idle.
        failures = await replayStatements(s, r.text, { firstOnly: true, signal });
      } catch (replayError) {
        if (isConnectionLoss(replayError)) throw replayError;
        throw e;
      }
      const f = failures[0];
      // A replay that fails elsewhere or not at all (a timeout, a lock) says nothing about the original error.
      if (!f || f.error?.code !== e.sqlstate) throw e;
      throw sqlError(e.cause, r, this.readFile, f.offset);
    }
  }

  withLock<T>(s: DbSession, which: Which, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withMigrationLock(s, fn, {
      timeoutMs: this.settings.engine.lockTimeoutMs,
      signal,
      onWait: () => this.emit({ type: 'waiting-for-lock', database: this.describe(which) }),
    });
  }

  compileCurrent(): CompiledCurrent {
    return readCurrent(this.settings.migrationsFolder);
  }

  compileCurrentLocation() {
    return readCurrent(this.settings.migrationsFolder).location;
  }
}
