// Structured engine errors: adapters (CLI, language server) format them; core never prints. Every message is one
// line that is safe to show (connection strings in messages are redacted before they get here).

export type EngineErrorCode =
  | 'config' // .gmrc / pgmig.json / environment problem
  | 'connect' // cannot reach or log into the database
  | 'sql' // the database rejected a migration or current.sql
  | 'hash-mismatch' // a committed file was edited after it was committed
  | 'history' // committed files and the database's history disagree
  | 'current' // current.sql problem (blank, bad include, bad header)
  | 'lock' // another process holds the migration lock
  | 'refused' // an operation refused for safety (reset without --erase, missing down script)
  | 'cancelled'
  | 'io';

/** Where an SQL error happened, mapped through includes and placeholders back to a real file. */
export interface SqlErrorLocation {
  file: string;
  /** String offset in `file`. */
  offset: number;
  /** 1-based line and column in `file`. */
  line: number;
  column: number;
  /** The line's text and a caret line under the column, for terminals. */
  excerpt: string;
}

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  /** SQLSTATE for database errors. */
  readonly sqlstate?: string;
  readonly location?: SqlErrorLocation;
  readonly detail?: string;
  readonly hint?: string;
  constructor(
    code: EngineErrorCode,
    message: string,
    extra: { sqlstate?: string; location?: SqlErrorLocation; detail?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause !== undefined ? { cause: extra.cause } : undefined);
    this.name = 'EngineError';
    this.code = code;
    this.sqlstate = extra.sqlstate;
    this.location = extra.location;
    this.detail = extra.detail;
    this.hint = extra.hint;
  }
}

/** The fields PostgreSQL (pg and PGlite) attach to a server error. */
export interface PgErrorFields {
  code?: string;
  message: string;
  position?: string | number;
  detail?: string;
  hint?: string;
  severity?: string;
}

export function isPgServerError(e: unknown): e is PgErrorFields & Error {
  return typeof e === 'object' && e !== null && typeof (e as any).code === 'string' && /^[0-9A-Z]{5}$/.test((e as any).code);
}
