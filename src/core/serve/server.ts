/**
 * @file The HTTP side of `logml serve`, on node:http: routing, the bearer token, the limits
 * (body bytes, lines per request, prediction requests at once and waiting: 413 / 503 beyond),
 * JSON errors, metrics, and a graceful shutdown (stop accepting, let the requests in flight
 * finish, then close). Scoring is the engine's (engine.ts); this file never touches the terminal
 * (lines for stderr go through `log`) and never exits the process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailureError, LogmlError } from '../errors.js';
import { totalSkipped } from '../io/line-splitter.js';
import { INPUT_FORMATS, type InputFormat } from '../parse/index.js';
import { isLevel, type Level } from '../types.js';
import type { LogRange } from '../db/log-source.js';
import { bearerCheck } from './auth.js';
import { RangeTooLargeError, type Engine, type EngineResult, type RequestOptions } from './engine.js';
import { CONTENT_TYPES, HttpError, parseIdsBody, parsePredictBody, readBody, responseFormat } from './input.js';
import { ServeMetrics } from './metrics.js';
import { buildStatus } from './status.js';

export interface ServerOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  /** Required as `Authorization: Bearer <token>` on every route but /healthz; null: no token. */
  token: string | null;
  maxBodyBytes: number;
  maxLines: number;
  /** Prediction requests scored at once; more wait in a queue of maxQueue, beyond which 503. */
  maxConcurrent: number;
  maxQueue: number;
  /** A request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** Reads since/until (ISO or 30m / 2h / 7d ago); throws on a bad value. */
  parseTime: (value: string) => string;
  logmlVersion: string;
  /** One line per request on `log` (method, path, status, ms, records). */
  accessLog: boolean;
  /** Where lines for stderr go. */
  log: (line: string) => void;
  now?: () => number;
}

export interface RunningServer {
  /** http://host:port */
  readonly url: string;
  readonly address: AddressInfo;
  /**
   * Stop accepting connections, answer new requests on open connections with 503, let the ones
   * in flight finish, close. Resolves true when everything finished within `timeoutMs`, false
   * when the connections left had to be cut.
   */
  shutdown(timeoutMs: number): Promise<boolean>;
  /** Requests being handled now. */
  inFlight(): number;
}

const ROUTES: Record<string, readonly string[]> = {
  '/healthz': ['GET', 'HEAD'],
  '/metrics': ['GET'],
  '/v1/status': ['GET'],
  '/v1/predict': ['POST'],
  '/v1/predictions': ['GET'],
};

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } }, err.headers);
}

/** Map what a handler threw to the HTTP error the client gets. */
function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof RangeTooLargeError) return new HttpError(413, 'range_too_large', err.message, err.hint);
  if (err instanceof FailureError) return new HttpError(500, 'failure', err.message, err.hint);
  if (err instanceof LogmlError) return new HttpError(400, 'bad_input', err.message, err.hint);
  return new HttpError(500, 'internal', `unexpected error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, 'run the server with --debug and report it if it persists');
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  if (['', '1', 'true', 'yes'].includes(v.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(v.toLowerCase())) return false;
  throw new HttpError(400, 'bad_query', `${name}=${v}: expected 1 or 0`, `e.g. ?${name}=1`);
}

function requestOptions(q: URLSearchParams, req: IncomingMessage, defaultJson = false): RequestOptions {
  const minLevelRaw = q.get('min_level');
  let minLevel: Level | null = null;
  if (minLevelRaw !== null) {
    const up = minLevelRaw.trim().toUpperCase();
    const alias: Record<string, Level> = { WARNING: 'WARN', ERR: 'ERROR', CRITICAL: 'FATAL', VERBOSE: 'TRACE' };
    const level = isLevel(up) ? up : alias[up];
    if (!level) throw new HttpError(400, 'bad_query', `unknown level "${minLevelRaw}"; expected one of: TRACE, DEBUG, INFO, WARN, ERROR, FATAL`, 'e.g. ?min_level=WARN');
    minLevel = level;
  }
  const inputFormat = q.get('input_format') ?? 'auto';
  if (inputFormat !== 'auto' && !(INPUT_FORMATS as readonly string[]).includes(inputFormat)) {
    throw new HttpError(400, 'bad_query', `unknown input_format "${inputFormat}"; expected one of: auto, ${INPUT_FORMATS.join(', ')}`, 'or leave it out: the format is detected');
  }
  return {
    format: responseFormat(q.get('format'), req.headers.accept, defaultJson ? 'application/json' : req.headers['content-type']),
    inputFormat: inputFormat as InputFormat | 'auto',
    onlyAnomalies: flag(q, 'only_anomalies'),
    minLevel,
  };
}

/**
 * Start listening; resolves once bound (the port is known), rejects when it cannot bind.
 * @example const server = await startServer(engine, { host: '127.0.0.1', port: 0, ... }); // server.url
 */
export async function startServer(engine: Engine, opts: ServerOptions): Promise<RunningServer> {
  const now = opts.now ?? Date.now;
  const startedAtMs = now();
  const metrics = new ServeMetrics(
    engine.models.map((m) => ({ name: m.meta.name, version: m.meta.version, task: m.task, sha256: m.sha256 })),
    () => engine.cacheStats(),
    startedAtMs,
  );
  const authorized = bearerCheck(opts.token);
  let draining = false;
  let handling = 0;
  let onIdle: (() => void) | null = null;

  // prediction requests: at most maxConcurrent at once; a freed slot passes straight to the next waiter
  let active = 0;
  const waiting: Array<() => void> = [];
  async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (active >= opts.maxConcurrent) {
      if (waiting.length >= opts.maxQueue) {
        throw new HttpError(503, 'busy', `server busy: ${active} requests being scored and ${waiting.length} waiting`, 'retry after a moment, or start the server with a larger --max-queue', { 'Retry-After': '1' });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  }

  const limits = { maxBodyBytes: opts.maxBodyBytes, maxLines: opts.maxLines, maxConcurrent: opts.maxConcurrent, maxQueue: opts.maxQueue, requestTimeoutMs: opts.requestTimeoutMs };

  function sendResult(res: ServerResponse, format: RequestOptions['format'], r: EngineResult, extra: Record<string, string> = {}): void {
    if (draining) res.setHeader('Connection', 'close'); // the shutdown began while it was scored
    const headers: Record<string, string | number> = {
      'Content-Type': CONTENT_TYPES[format],
      'Content-Length': Buffer.byteLength(r.body),
      'Logml-Records': r.records,
      'Logml-Written': r.written,
      'Logml-Models': engine.modelRefs.join(', '),
      ...extra,
    };
    if (r.skipped) {
      // as predict's stderr notes: lines left out (too long, unparsable), lines kept with bad bytes replaced
      headers['Logml-Skipped-Lines'] = totalSkipped(r.skipped);
      headers['Logml-Repaired-Lines'] = r.skipped.invalidUtf8 + r.skipped.nulBytes;
    }
    if (engine.database) headers['Logml-From-Store'] = r.fromStore;
    res.writeHead(200, headers);
    res.end(r.body);
  }

  async function predict(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<number> {
    const store = flag(q, 'store');
    if (store && !engine.database) throw new HttpError(400, 'no_database', 'store=1 needs the server started with --db', 'start it as `logml serve --db URL` (after `logml db migrate`), or leave store out');
    const o = requestOptions(q, req);
    return withSlot(async () => {
      const body = await readBody(req, opts.maxBodyBytes);
      if (store) {
        const ids = parseIdsBody(body, req.headers['content-type'], opts.maxLines);
        const r = await engine.predictIds(ids, o);
        metrics.observeRecords(r.records, r.fromStore);
        sendResult(res, o.format, r, { 'Logml-Not-Found': String(r.missing.length) });
        return r.records;
      }
      const { text } = parsePredictBody(body, req.headers['content-type'], opts.maxLines);
      const r = await engine.predictText(text, o);
      metrics.observeRecords(r.records);
      sendResult(res, o.format, r);
      return r.records;
    });
  }

  async function predictions(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<number> {
    if (!engine.database) throw new HttpError(404, 'no_database', 'GET /v1/predictions needs the server started with --db', 'start it as `logml serve --db URL` (after `logml db migrate`)');
    const range: LogRange = {};
    for (const [key, field] of [['from', 'fromId'], ['to', 'toId']] as const) {
      const v = q.get(key);
      if (v !== null) {
        if (v.trim() === '') throw new HttpError(400, 'bad_query', `${key} cannot be empty`, `e.g. ?${key}=1000`);
        range[field] = v.trim();
      }
    }
    for (const key of ['since', 'until'] as const) {
      const v = q.get(key);
      if (v === null) continue;
      try {
        range[key] = opts.parseTime(v);
      } catch (err) {
        throw new HttpError(400, 'bad_query', `${key}=${v}: ${(err as Error).message}`, `e.g. ?${key}=2h or ?${key}=2024-05-01T00:00:00Z`);
      }
    }
    const store = q.get('store') === null ? true : flag(q, 'store');
    const o = requestOptions(q, req);
    return withSlot(async () => {
      const r = await engine.predictRange(range, store, opts.maxLines, o);
      metrics.observeRecords(r.records, r.fromStore);
      sendResult(res, o.format, r);
      return r.records;
    });
  }

  async function status(res: ServerResponse): Promise<void> {
    let database = null;
    if (engine.database) {
      let rows = null;
      let error: string | null = null;
      try {
        rows = await engine.storedMetrics(5);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      database = { logSource: engine.database.logSource, metrics: rows, error };
    }
    sendJson(res, 200, buildStatus({ logmlVersion: opts.logmlVersion, startedAtMs, nowMs: now(), models: engine.models, database, limits, auth: opts.token ? 'bearer' : 'none', inFlight: active + waiting.length, draining }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = process.hrtime.bigint();
    let route = 'other';
    let records = 0;
    handling++;
    res.once('close', () => {
      handling--;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const statusCode = res.writableFinished ? res.statusCode : 499; // 499: the client went away first
      metrics.observeRequest(route, req.method ?? '-', statusCode, seconds);
      if (opts.accessLog) opts.log(`logml serve: ${req.method} ${req.url} ${statusCode} ${(seconds * 1000).toFixed(1)} ms${records ? ` ${records} records` : ''}`);
      if (handling === 0 && onIdle) onIdle();
    });
    try {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://logml');
      } catch {
        throw new HttpError(400, 'bad_url', 'malformed request URL');
      }
      const methods = ROUTES[url.pathname];
      if (!methods) throw new HttpError(404, 'not_found', `no route ${url.pathname}`, `routes: ${Object.keys(ROUTES).join(', ')}`);
      route = url.pathname;
      if (!methods.includes(req.method ?? '')) throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`, `use ${methods.join(' or ')}`, { Allow: methods.join(', ') });
      if (draining) res.setHeader('Connection', 'close');
      if (route === '/healthz') {
        sendJson(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ok' });
        return;
      }
      if (!authorized(req.headers.authorization)) {
        throw new HttpError(401, 'unauthorized', req.headers.authorization ? 'wrong bearer token' : 'missing bearer token', 'send "Authorization: Bearer <token>" with the token the server was started with (--token or LOGML_TOKEN)', { 'WWW-Authenticate': 'Bearer realm="logml"' });
      }
      if (draining && (route === '/v1/predict' || route === '/v1/predictions')) {
        throw new HttpError(503, 'shutting_down', 'the server is shutting down', 'retry on another instance or after the restart', { 'Retry-After': '1' });
      }
      if (route === '/metrics') {
        const body = metrics.render(now());
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      } else if (route === '/v1/status') await status(res);
      else {
        metrics.inFlight++;
        try {
          records = route === '/v1/predict' ? await predict(req, res, url.searchParams) : await predictions(req, res, url.searchParams);
        } finally {
          metrics.inFlight--;
        }
      }
    } catch (err) {
      const e = toHttpError(err);
      if (e.status >= 500 && e.code !== 'busy' && e.code !== 'shutting_down') opts.log(`logml serve: ${req.method} ${req.url}: ${e.message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // a refused body is not read to its end: close the connection after the answer
      if (e.status === 413 || e.status === 415) res.setHeader('Connection', 'close');
      sendError(res, e);
    }
  }

  const server: Server = createServer({ requestTimeout: opts.requestTimeoutMs, headersTimeout: Math.min(opts.requestTimeoutMs, 30_000), keepAliveTimeout: 5_000 }, (req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const what: Record<string, string> = { EADDRINUSE: 'the port is already in use', EACCES: 'permission denied (ports below 1024 need privileges)', EADDRNOTAVAIL: 'the host is not an address of this machine', ENOTFOUND: 'the host name does not resolve' };
      reject(new FailureError(`cannot listen on ${opts.host}:${opts.port}: ${what[err.code ?? ''] ?? err.message}`, 'choose another --port (0 picks a free one) or --host'));
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostPart}:${address.port}`,
    address,
    inFlight: () => handling,
    async shutdown(timeoutMs: number): Promise<boolean> {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idle = handling === 0 ? Promise.resolve() : new Promise<void>((resolve) => (onIdle = resolve));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const drained = await Promise.race([idle.then(() => true as const), deadline]);
      clearTimeout(timer);
      // answered connections that are still open (keep-alive) close now; cut the rest on a timeout
      server.closeIdleConnections();
      if (!drained) server.closeAllConnections();
      await closed;
      return drained;
    },
  };
}
