// Real PostgreSQL through `pg`: a small pool per connection string, kept for the provider's life, so that a
// long-running process (watch, the language server) pays the connection cost once.
import type pg from 'pg';
import { connectionError, describeConnection, parseConnectionString } from './connection';
import { applyPgSettings, type DbProvider, type DbSession } from './types';
import { EngineError } from '../engine/errors';

export interface PgProviderOptions {
  pgSettings?: Record<string, string | number>;
  /** Connection timeout for a new connection. */
  connectTimeoutMs?: number;
  max?: number;
}

class PgSession implements DbSession {
  readonly kind = 'pg' as const;
  constructor(readonly client: pg.PoolClient) {}
  async query<R>(sql: string, params?: unknown[]): Promise<R[]> {
    const r = await this.client.query(sql, params as any[]);
    return r.rows as R[];
  }
  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
}

export class PgProvider implements DbProvider {
  readonly kind = 'pg' as const;
  readonly label: string;
  readonly databaseName: string;
  private pool: pg.Pool | undefined;

  constructor(readonly connectionString: string, private readonly opts: PgProviderOptions = {}) {
    this.label = describeConnection(connectionString);
    const db = parseConnectionString(connectionString).database;
    if (!db) throw new EngineError('config', `connection string ${this.label} names no database`);
    this.databaseName = db;
  }

  private getPool(): pg.Pool {
    if (!this.pool) {
      this.pool = new (loadPg().Pool)({
        connectionString: this.connectionString,
        application_name: 'pgmig',
        max: this.opts.max ?? 4,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 10_000,
        allowExitOnIdle: true,
      });
      // An idle client losing its connection must not crash the process; the next use reconnects.
      this.pool.on('error', () => undefined);
    }
    return this.pool;
  }

  async withSession<T>(fn: (s: DbSession) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.getPool().connect();
    } catch (e) {
      throw connectionError(this.connectionString, e);
    }
    // Errors emitted by a checked-out client (server crash, killed backend) surface as the failing query's error.
    const onError = () => undefined;
    client.on('error', onError);
    let broken = false;
    try {
      const session = new PgSession(client);
      try {
        await applyPgSettings(session, this.opts.pgSettings);
      } catch (e) {
        broken = true;
        throw e;
      }
      return await fn(session);
    } catch (e) {
      if (isConnectionLoss(e)) {
        broken = true;
        throw new EngineError('connect', `lost the connection to ${this.label}: ${String((e as any)?.message ?? e).split('\n')[0]}; the interrupted transaction was rolled back by the server`, { cause: e });
      }
      throw e;
    } finally {
      client.off('error', onError);
      client.release(broken || undefined);
    }
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    if (p) await p.end().catch(() => undefined);
  }
}

let pgModule: typeof pg | undefined;
/** Loaded on first connection: loading `pg` costs ~50 ms (it probes the runtime), which the language server's
 * start and the CLI's analysis commands should not pay. */
function loadPg(): typeof pg {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  pgModule ??= require('pg') as typeof pg;
  return pgModule;
}

export function isConnectionLoss(e: unknown): boolean {
  const err = e as any;
  if (!err) return false;
  if (['ECONNRESET', 'EPIPE', 'ECONNREFUSED', '57P01', '57P02', '57P03'].includes(err.code)) return true;
  return /Connection terminated|Client has encountered a connection error|connection is closed/i.test(String(err.message));
}
