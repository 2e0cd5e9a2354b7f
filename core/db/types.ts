// The one database interface the engine speaks: a provider of sessions. Real PostgreSQL (pg) hands out pooled
// connections; PGlite is ONE session, so its provider hands the same session to one caller at a time (a mutex) —
// code that holds a session must never ask for a second one on the same provider (it would wait forever on PGlite).

export type DbKind = 'pg' | 'pglite';

export interface DbSession {
  readonly kind: DbKind;
  /** Parameterised query (extended protocol); returns rows. */
  query<R = Record<string, any>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** A script of any number of statements (simple protocol). Error positions are 1-based offsets into `sql`. */
  exec(sql: string): Promise<void>;
}

export interface DbProvider {
  readonly kind: DbKind;
  /** For messages: no password. */
  readonly label: string;
  readonly databaseName: string;
  /** Runs `fn` with a session (pgSettings applied). The session is released when `fn` settles. */
  withSession<T>(fn: (s: DbSession) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Whether the database exists yet without creating it (the embedded one: its data folder); absent: unknown. */
  exists?(): boolean;
  /** Told of SQL about to run that is in no file yet (an unsaved buffer): the embedded database loads its extensions. */
  prepareFor?(sql: string): void;
  /** Ends pools / closes the embedded database. */
  close(): Promise<void>;
}

/** For reads: `fn`'s rows, or `none` without creating the database when it does not exist yet (the embedded one). */
export async function readIfExists<T>(db: DbProvider, none: T, fn: (s: DbSession) => Promise<T>): Promise<T> {
  return db.exists?.() === false ? none : db.withSession(fn);
}

/** Runs `fn` inside BEGIN/COMMIT; rolls back when it throws. */
export async function transaction<T>(s: DbSession, fn: () => Promise<T>): Promise<T> {
  await s.exec('begin');
  try {
    const result = await fn();
    await s.exec('commit');
    return result;
  } catch (e) {
    try {
      await s.exec('rollback');
    } catch {
      /* the connection may be gone; the server rolls back on its own */
    }
    throw e;
  }
}

/** Applies graphile-migrate's pgSettings (session level, like its withClient). */
export async function applyPgSettings(s: DbSession, pgSettings: Record<string, string | number> | undefined): Promise<void> {
  if (!pgSettings) return;
  const entries = Object.entries(pgSettings);
  if (!entries.length) return;
  const params: unknown[] = [];
  const calls = entries.map(([k, v]) => {
    params.push(k, String(v));
    return `pg_catalog.set_config($${params.length - 1}::text, $${params.length}::text, false)`;
  });
  await s.query(`select ${calls.join(', ')}`, params);
}
