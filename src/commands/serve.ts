/**
 * @file `logml serve`: wiring only. Declares the options, turns them into ServeOptions, and runs
 * the core server (src/core/serve, imported lazily so `logml --help` never loads it) until the
 * first SIGTERM / SIGINT, which shuts it down gracefully (exit 0); a second one kills as usual.
 */
import { createRequire } from 'node:module';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../core/errors.js';
import { parseSince } from './backfill.js';
import { addTableOptions, dbOption, tableSpec, type TableFlags } from './db.js';
import { collect, note, positiveInt, stopSignal, unitInterval } from './shared.js';

interface ServeFlags extends TableFlags {
  host: string;
  port: number;
  token?: string;
  model?: string[];
  anomalyThreshold?: number;
  templates: boolean;
  params?: boolean;
  db?: string;
  maxBodyBytes: number;
  maxLines: number;
  maxConcurrent: number;
  maxQueue: number;
  maxLineBytes: number;
  requestTimeout: number;
  shutdownTimeout: number;
  accessLog?: boolean;
}

function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be a whole number from 0 to 65535 (0: a free port), got "${value}"`);
  return n;
}


function queueArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new InvalidArgumentError(`--max-queue must be a whole number from 0 to 100000, got "${value}"`);
  return n;
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .summary('an HTTP server: predictions, model status, Prometheus metrics')
    .description('Serve predictions over HTTP (node:http) with the models loaded once and kept warm: POST /v1/predict, GET /v1/status, GET /metrics, GET /healthz; with --db also the on-demand path of `predict --db --store`.')
    .option('--host <host>', 'address to bind; anything but loopback needs a bearer token', '127.0.0.1')
    .option('-p, --port <n>', 'port to listen on; 0 picks a free one (the bound address is printed on stderr)', portArg, 8080)
    .addOption(new Option('--token <token>', 'bearer token required on every route but /healthz (prefer the environment variable: argv is visible in ps)').env('LOGML_TOKEN'))
    .option('-m, --model <path>', 'model file (.onnx), or with --db a registry reference name@alias|name@version; repeat for a level and an anomaly model (default: the shipped models)', collect)
    .option('--anomaly-threshold <score>', 'flag records whose anomaly_score is at least this, 0..1 (default: the anomaly model\'s threshold)', unitInterval('--anomaly-threshold'))
    .option('--no-templates', 'do not mine templates (no template_id / template fields)')
    .option('--params', 'add each record\'s template parameter values (`params`)')
    .addOption(dbOption())
    .option('--max-body-bytes <n>', 'largest request body, also after gzip decoding (413 beyond)', positiveInt('--max-body-bytes'), 10 * 1024 * 1024)
    .option('--max-lines <n>', 'most lines (or ids, or rows of a range) per request (413 beyond)', positiveInt('--max-lines', 1_000_000), 10_000)
    .option('--max-concurrent <n>', 'prediction requests handled at once', positiveInt('--max-concurrent', 1024), 4)
    .option('--max-queue <n>', 'prediction requests waiting for a turn (0: none wait); more are answered 503 with Retry-After', queueArg, 64)
    .option('--max-line-bytes <n>', 'longer lines are skipped and counted (Logml-Skipped-Lines)', positiveInt('--max-line-bytes'), 1024 * 1024)
    .option('--request-timeout <s>', 'seconds a client has to send a whole request', positiveInt('--request-timeout', 3600), 60)
    .option('--shutdown-timeout <s>', 'on SIGTERM/SIGINT: seconds requests in flight get to finish', positiveInt('--shutdown-timeout', 3600), 30)
    .option('--access-log', 'one line per request on stderr (method, path, status, ms, records)');
  addTableOptions(cmd).addHelpText(
    'after',
    `
Endpoints (JSON errors: {"error": {"code", "message", "hint"}}):
  POST /v1/predict        log lines in (NDJSON / plain text, or a JSON array of lines or records),
                          predictions out: the fields and bytes of \`logml predict\`; NDJSON, or JSON
                          / CSV per ?format= or Accept; ?only_anomalies=1 ?min_level=WARN ?input_format=
  POST /v1/predict?store=1   (--db) log-table ids in; stored predictions returned, missing ones scored and stored
  GET  /v1/predictions?from=&to=&since=&until=   (--db) the same for a range of the log table
  GET  /v1/status         loaded models (name@version, sha256) and their measured figures
  GET  /metrics           Prometheus text format
  GET  /healthz           200 while serving, 503 while shutting down (no token needed)

Examples:
  $ logml serve --port 0                                  prints "listening on http://127.0.0.1:PORT"
  $ curl -s --data-binary @app.log localhost:8080/v1/predict
  $ curl -s -H 'Content-Type: application/json' -d '["disk full on /var", "GET /health 200"]' localhost:8080/v1/predict
  $ LOGML_TOKEN=$(openssl rand -hex 32) logml serve --host 0.0.0.0 --db postgres://logml@db/app -m level-default@production

SIGTERM or SIGINT: no new connections, requests in flight finish, exit 0 (exit 1 if some were
still running after --shutdown-timeout).`,
  );
  cmd.action(async (flags: ServeFlags) => {
    if (flags.params && !flags.templates) throw new UsageError('--params goes with templates, not with --no-templates', 'parameters are read from each record\'s template: drop --no-templates');
    const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
    const stop = stopSignal();
    const { runServe } = await import('../core/serve/index.js');
    try {
      await runServe(
        {
          host: flags.host,
          port: flags.port,
          token: flags.token ? flags.token : null, // an empty LOGML_TOKEN is no token
          db: flags.db !== undefined ? { url: flags.db === '' ? undefined : flags.db } : null,
          models: flags.model ?? [],
          anomalyThreshold: flags.anomalyThreshold,
          table: tableSpec(flags),
          templates: flags.templates,
          params: Boolean(flags.params),
          maxLineBytes: flags.maxLineBytes,
          maxBodyBytes: flags.maxBodyBytes,
          maxLines: flags.maxLines,
          maxConcurrent: flags.maxConcurrent,
          maxQueue: flags.maxQueue,
          requestTimeoutMs: flags.requestTimeout * 1000,
          shutdownTimeoutMs: flags.shutdownTimeout * 1000,
          parseTime: (v) => parseSince(v),
          logmlVersion: version,
          accessLog: Boolean(flags.accessLog),
        },
        { log: note, signal: stop.signal, received: stop.received },
      );
    } finally {
      stop.release();
    }
  });
}
