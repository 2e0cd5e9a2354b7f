// Connection strings: parsing, describing without the password, and turning connection failures into one clear
// line. Passwords never leave this module in a message.
import { parse } from 'pg-connection-string';
import { EngineError, isPgServerError } from '../engine/errors';

export interface ConnectionInfo {
  user?: string;
  host?: string;
  port?: string;
  database?: string;
}

export function parseConnectionString(url: string): ConnectionInfo {
  const p = parse(url);
  return {
    user: p.user ?? undefined,
    host: p.host ?? undefined,
    port: p.port ?? undefined,
    database: p.database ?? undefined,
  };
}

/** `postgres://user@host:port/db` with no password, for messages. */
export function describeConnection(url: string): string {
  try {
    const p = parseConnectionString(url);
    const host = p.host ? (p.host.startsWith('/') ? `[socket ${p.host}]` : p.host) : 'localhost';
    return `postgres://${p.user ? p.user + '@' : ''}${host}${p.port ? ':' + p.port : ''}/${p.database ?? ''}`;
  } catch {
    return redactSecrets(url, [url]);
  }
}

/** Removes every password-like part of `text`: the passwords of the given URLs, and any `user:pass@` form. */
export function redactSecrets(text: string, urls: (string | undefined)[] = []): string {
  let out = text;
  for (const url of urls) {
    if (!url) continue;
    let password: string | undefined;
    try {
      password = parse(url).password ?? undefined;
    } catch {
      /* unparsable: the generic pattern below still applies */
    }
    if (password) {
      out = out.split(password).join('***');
      const enc = encodeURIComponent(password);
      if (enc !== password) out = out.split(enc).join('***');
    }
  }
  out = out.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
  out = out.replace(/\bpassword=\S+/gi, 'password=***');
  return out;
}

/** One line for a failure to connect: what was tried (no password) and why. */
export function connectionError(url: string, e: unknown): EngineError {
  const where = describeConnection(url);
  const err = e as any;
  const code: string | undefined = err?.code;
  let why: string;
  if (code === 'ECONNREFUSED') why = 'connection refused (is the server running?)';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') why = `host ${JSON.stringify(err.hostname ?? parseConnectionString(url).host)} not found`;
  else if (code === 'ETIMEDOUT' || /timeout/i.test(String(err?.message))) why = 'connection timed out';
  else if (code === 'ECONNRESET') why = 'connection reset by the server';
  else if (code === 'ENOENT') why = 'no server socket at that path (is the server running?)';
  else if (code === '28P01') why = `password authentication failed for user ${JSON.stringify(parseConnectionString(url).user ?? '')}`;
  else if (code === '28000') why = 'no access allowed (pg_hba.conf rejected the connection)';
  else if (code === '3D000') why = `database ${JSON.stringify(parseConnectionString(url).database ?? '')} does not exist`;
  else if (code === '57P03') why = 'the database system is starting up or shutting down';
  else why = String(err?.message ?? e).split('\n')[0];
  const message = redactSecrets(`cannot connect to ${where}: ${why}`, [url]);
  return new EngineError('connect', message, { sqlstate: isPgServerError(e) ? e.code : undefined });
}
