// What every engine command shares: the settings, the database providers (started lazily, kept until close()), the
// event callback, and the helpers around a session (tracking schema, placeholders, actions, error mapping, lock).
// The commands (commands/*.ts) are functions of this context; MigrationEngine (engine.ts) is the facade callers use.
import fs from 'node:fs';
import { PgProvider, isConnectionLoss } from '../db/pg';
import { PgliteProvider } from '../db/pglite';
import { extensionsInFolder } from '../db/pgliteExtensions';
import { withMigrationLock } from '../db/lock';
import type { DbProvider, DbSession } from '../db/types';
import { readCurrent, type CompiledCurrent } from './current';
import { EngineError } from './errors';
import { makeRootDatabaseConnectionString, type DbLocation, type EngineSettings } from './settings';
import { placeholdersFor, sqlError, type RunnableText } from './sourceText';
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
    } = {},
  ) {}

  // ---- databases -------------------------------------------------------------------------------------------

  makeProvider(loc: DbLocation): DbProvider {
    const pgSettings = this.settings.pgSettings;
    if (loc.kind === 'pg') return new PgProvider(loc.url, { pgSettings });
    if (loc.kind === 'pglite') {
      return new PgliteProvider({ dataDir: loc.dataDir, pgSettings, idleCloseMs: this.options.embeddedIdleCloseMs, lockWaitMs: this.options.embeddedLockWaitMs ?? 10_000, onLockWait: (message) => this.emit({ type: 'info', message }), extensions: this.embeddedExtensions });
    }
    return new PgliteProvider({ pgSettings, extensions: this.embeddedExtensions });
  }

  /** The extensions the project's SQL creates: the embedded database loads the ones PGlite provides. */
  readonly embeddedExtensions = (): string[] => extensionsInFolder(this.settings.migrationsFolder);

  db(which: Which): DbProvider {
    let p = this.providers.get(which);
    if (!p) {
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
    return (this.settings.target ? `[${this.settings.target}] ` : '') + this.db(which).label;
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

  actionContext(s: DbSession, which: Which) {
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
  async execMapped(s: DbSession, r: RunnableText): Promise<void> {
    try {
      await s.exec(r.text);
    } catch (e) {
      // A lost connection is not the script's fault: the provider reports it as such.
      if (isConnectionLoss(e)) throw e;
      throw sqlError(e, r, this.readFile);
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
