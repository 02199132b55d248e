/**
 * @file `logml serve` from start to stop: check that the address and the token go together,
 * load the engine once (models warm on their scoring thread; the database checked), listen,
 * print the bound address as one line, and on the stop signal shut down gracefully (stop
 * accepting, let requests in flight finish, close the scoring thread and the pool).
 * The command gives the signal and where lines go; nothing here exits the process.
 */
import { FailureError, UsageError } from '../errors.js';
import { isLoopbackHost } from './auth.js';
import type { EngineOptions } from './engine.js';
import type { ServerOptions } from './server.js';

export { isLoopbackHost } from './auth.js';

export interface ServeOptions extends Omit<ServerOptions, 'log' | 'now'>, Pick<EngineOptions, 'db' | 'models' | 'anomalyThreshold' | 'table' | 'templates' | 'params' | 'maxLineBytes'> {
  shutdownTimeoutMs: number;
}

export interface ServeIO {
  /** A line for stderr. */
  log: (line: string) => void;
  /** Aborted by the first SIGTERM / SIGINT. */
  signal: AbortSignal;
  /** Which signal it was, for the log line. */
  received: () => string | null;
}

/** Tokens shorter than this are refused: a bearer token is the only lock on the door. */
export const MIN_TOKEN_CHARS = 16;

/** Refuse a server reachable from other machines without a token, and tokens too short to count. */
export function checkAccess(host: string, token: string | null): void {
  if (token !== null && token.length < MIN_TOKEN_CHARS) {
    throw new UsageError(`the bearer token is ${token.length} characters; at least ${MIN_TOKEN_CHARS} are needed`, 'make one with `openssl rand -hex 32` and pass it in LOGML_TOKEN');
  }
  if (!isLoopbackHost(host) && token === null) {
    throw new UsageError(
      `--host ${host} is reachable from other machines: a bearer token is required`,
      'set LOGML_TOKEN (or --token, which other users can see in ps) to a secret of 16+ characters, e.g. `openssl rand -hex 32`; or keep the default --host 127.0.0.1',
    );
  }
}

/**
 * Run the server until `io.signal` aborts. Resolves after a graceful shutdown; throws a
 * FailureError when requests were still running at the shutdown deadline (their connections cut).
 */
export async function runServe(opts: ServeOptions, io: ServeIO): Promise<void> {
  checkAccess(opts.host, opts.token);
  const [{ openEngine }, { startServer }] = await Promise.all([import('./engine.js'), import('./server.js')]);
  const engine = await openEngine({
    db: opts.db,
    models: opts.models,
    anomalyThreshold: opts.anomalyThreshold,
    table: opts.table,
    templates: opts.templates,
    params: opts.params,
    maxLineBytes: opts.maxLineBytes,
    batchSize: opts.maxLines,
    poolMax: opts.maxConcurrent + 1,
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(engine, { ...opts, log: io.log });
  } catch (err) {
    await engine.close();
    throw err;
  }
  if (!io.signal.aborted) {
    io.log(`logml serve: listening on ${server.url} (models ${engine.modelRefs.join(', ')}${engine.database ? `; log table ${engine.database.logSource}` : ''}${opts.token ? '; bearer token required' : ''})`);
    await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  const busy = server.inFlight();
  io.log(`logml serve: ${io.received() ?? 'stop'}: no new connections; ${busy === 0 ? 'no requests in flight' : `finishing ${busy} request${busy === 1 ? '' : 's'} in flight`}`);
  const drained = await server.shutdown(opts.shutdownTimeoutMs);
  await engine.close();
  if (!drained) throw new FailureError(`requests still running after --shutdown-timeout ${opts.shutdownTimeoutMs / 1000}s were cut`, 'give them longer with --shutdown-timeout, or send smaller requests');
  io.log('logml serve: stopped');
}
