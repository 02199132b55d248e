/**
 * @file The PostgreSQL connection: which server (--db, else DATABASE_URL, else libpq's PG*
 * variables, which pg reads itself), the Pool, `withTransaction`, and `redact()`, which every
 * error path uses so that a password never reaches an error message, a log line or output.
 * Owns all pg imports of the connection layer; never logs query parameters.
 */
import pg from 'pg';
import { FailureError, LogmlError, UsageError } from '../errors.js';

/** Anything that runs a query: a Pool, a PoolClient or a Client (unit tests pass a fake). */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface ConnectionOptions {
  /** `--db URL`; wins over DATABASE_URL. */
  db?: string | undefined;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Pool size (one per worker, plus one). */
  max?: number;
  /** application_name seen in pg_stat_activity. */
  applicationName?: string;
}

/** Where the connection settings came from, for messages (never the URL itself). */
export type ConnectionSource = '--db' | 'DATABASE_URL' | 'PG* variables';

export interface ResolvedConnection {
  source: ConnectionSource;
  /** undefined: pg reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE itself. */
  connectionString: string | undefined;
}

/**
 * Pick the connection settings: `--db`, else `DATABASE_URL`, else the standard PG* variables.
 * @example resolveConnection({ db: undefined, env: { DATABASE_URL: 'postgres://u@h/db' } })
 *   // { source: 'DATABASE_URL', connectionString: 'postgres://u@h/db' }
 */
export function resolveConnection(opts: ConnectionOptions = {}): ResolvedConnection {
  const env = opts.env ?? process.env;
  if (opts.db !== undefined && opts.db !== '') return { source: '--db', connectionString: opts.db };
  if (env.DATABASE_URL) return { source: 'DATABASE_URL', connectionString: env.DATABASE_URL };
  return { source: 'PG* variables', connectionString: undefined };
}

const secrets = new Set<string>();

/** Remember a secret so that `redact()` removes it from any text, wherever it appears. */
function rememberSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 1) {
    secrets.add(secret);
    try {
      const enc = encodeURIComponent(secret);
      if (enc !== secret) secrets.add(enc);
    } catch {
      /* not encodable: the raw form is enough */
    }
  }
}

function passwordOf(connectionString: string): string | undefined {
  try {
    const u = new URL(connectionString);
    return u.password ? decodeURIComponent(u.password) : undefined;
  } catch {
    const m = /:\/\/[^:/@\s]*:([^@\s]*)@/.exec(connectionString);
    return m?.[1];
  }
}

/**
 * Remove passwords from a text: `user:secret@` in URLs, `password=...` key/value pairs, and every
 * password this process has connected with (--db, DATABASE_URL, PGPASSWORD), in raw and
 * URL-encoded form.
 * @example redact('connect postgres://bob:hunter2@db/x failed') // 'connect postgres://bob:***@db/x failed'
 */
export function redact(text: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]*)@/gi, '$1***@');
  out = out.replace(/\b(password|passwd|pwd)(\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s&;,]+)/gi, '$1$2***');
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 3) out = out.split(s).join('***');
  }
  return out;
}

/** pg error codes and Node socket errors that mean "the connection went away", worth a retry. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED'].includes(code)) return true;
  // 57P01 admin_shutdown (pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now, class 08 connection exceptions
  if (code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08')) return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection is closed|Client has encountered a connection error|terminating connection/i.test(msg);
}

/**
 * Turn any database error into a FailureError whose message is redacted and names what was being done.
 * @example throw dbFailure(err, 'reading logs')  // "reading logs failed: relation "logs" does not exist"
 */
export function dbFailure(err: unknown, doing: string, hint?: string): LogmlError {
  if (err instanceof LogmlError) return err;
  const e = err as { message?: unknown; code?: unknown } | null;
  const raw = typeof e?.message === 'string' && e.message ? e.message : String(err);
  const code = typeof e?.code === 'string' ? ` (${e.code})` : '';
  const defaultHint = isConnectionError(err)
    ? 'check that the server is up and reachable, and --db / DATABASE_URL / PG* variables'
    : e?.code === '28P01' || e?.code === '28000'
      ? 'check the user and password in --db / DATABASE_URL (or PGUSER / PGPASSWORD), and that pg_hba.conf lets this user in from this host'
      : e?.code === '3D000'
        ? 'check the database name at the end of the URL (or PGDATABASE); create it first if needed'
        : undefined;
  // `cause` is dropped on purpose: pg errors can carry the connection parameters
  return new FailureError(`${doing} failed: ${redact(raw.split('\n')[0] ?? raw)}${code}`, hint ?? defaultHint);
}

/**
 * Open a Pool. Connection errors and idle-client errors are redacted; no password is kept
 * anywhere but in pg's own config.
 * @example const pool = createPool({ db: opts.db, max: opts.workers + 1 });
 */
export function createPool(opts: ConnectionOptions = {}): pg.Pool {
  const env = opts.env ?? process.env;
  const resolved = resolveConnection(opts);
  if (resolved.connectionString) rememberSecret(passwordOf(resolved.connectionString));
  rememberSecret(env.PGPASSWORD);
  const config: pg.PoolConfig = {
    max: opts.max ?? 4,
    application_name: opts.applicationName ?? 'logml',
    connectionTimeoutMillis: 15_000,
  };
  if (resolved.connectionString) {
    try {
      // validate early, so a malformed URL is a usage error (redacted), not a crash inside pg
      if (/^[a-z]+:\/\//i.test(resolved.connectionString)) new URL(resolved.connectionString);
    } catch {
      throw new UsageError(`${resolved.source} is not a valid connection URL: ${redact(resolved.connectionString)}`, 'expected postgres://user:password@host:5432/database');
    }
    config.connectionString = resolved.connectionString;
  }
  const pool = new pg.Pool(config);
  // an idle client losing its connection must not crash the process; the next query reports it
  pool.on('error', () => {});
  // every client, from the moment it connects: a server that ends the session while the client
  // is between checkout and its first query (or inside a COPY or cursor) emits 'error' on the
  // client, which would otherwise crash the process; the query in flight still rejects with it
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

const guarded = new WeakSet<pg.PoolClient>();

/**
 * Check a client out of the pool with an 'error' listener attached: pg-pool removes its own
 * while a client is checked out, so a connection killed between two queries (say, while a chunk
 * is being scored) would otherwise be an uncaught exception. The next query on it rejects instead.
 */
export async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on('error', () => {});
  }
  return client;
}

/**
 * Run `fn` in a transaction on one client: BEGIN, COMMIT, ROLLBACK on throw, release in finally.
 * A client whose connection broke is destroyed rather than returned to the pool.
 * @example await withTransaction(pool, (c) => c.query('INSERT ...'));
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await connect(pool);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (isConnectionError(err)) broken = err as Error;
    else await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken ?? false);
  }
}

/** Check that the server answers; a clear error (redacted) naming where the settings came from. */
export async function ping(pool: pg.Pool, opts: ConnectionOptions = {}): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    const { source } = resolveConnection(opts);
    throw dbFailure(err, `connecting to PostgreSQL (settings from ${source})`);
  }
}
