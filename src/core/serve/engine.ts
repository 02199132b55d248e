/**
 * @file The scoring engine of `logml serve`: the models are loaded once (files or registry
 * references, as `predict` does) onto one scoring thread and stay warm; each request is scored
 * as one `logml predict` run, through the same pipeline (record stream, template stage,
 * scoreRecords, the same writers), so a request's lines get byte for byte the output `predict`
 * gives for them. Each request has its own novelty counts (a scoped view of the scorer) and its
 * own template miner; the model-output cache is shared. With a database, the on-demand path of
 * `predict --db --store` (scoreLogRows / scoreWithStore) for ids and ranges of the log table.
 * Knows nothing of HTTP.
 */
import { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import { InputError } from '../errors.js';
import type { SkipCounts } from '../io/line-splitter.js';
import type { ModelMetadata } from '../model/bundle.js';
import type { InputFormat } from '../parse/index.js';
import type { TemplateStage } from '../pipeline/predict.js';
import type { CacheStats, Level, LogRecord, ModelTask, Scorer } from '../types.js';
import type { LogRange, LogTableSpec } from '../db/log-source.js';
import type { MetricsRow } from '../db/registry.js';
import type { ResponseFormat } from './input.js';

export interface EngineOptions {
  /** Use PostgreSQL (the --db URL, or undefined for DATABASE_URL / PG*); null: no database. */
  db: { url: string | undefined } | null;
  /** --model values (files or, with a database, name@alias / name@version); empty: the shipped models. */
  models: readonly string[];
  anomalyThreshold?: number | undefined;
  table: LogTableSpec;
  templates: boolean;
  params: boolean;
  maxLineBytes: number;
  /** Records per model call (a request of at most this many lines is one call). */
  batchSize: number;
  /** Connections in the pool (with a database). */
  poolMax: number;
}

/** A loaded model as `/v1/status` shows it. */
export interface EngineModel {
  ref: string;
  task: ModelTask;
  sha256: string;
  origin: string;
  meta: ModelMetadata;
}

export interface RequestOptions {
  format: ResponseFormat;
  inputFormat: InputFormat | 'auto';
  onlyAnomalies: boolean;
  minLevel: Level | null;
}

export interface EngineResult {
  /** The response body: what `logml predict --format <format>` writes for these records. */
  body: string;
  records: number;
  written: number;
  /** Of `records`, how many were read back from ml_predictions. */
  fromStore: number;
  skipped: SkipCounts | null;
}

export interface Engine {
  readonly models: readonly EngineModel[];
  /** `name@version` of the scorer's models, in the order level, anomaly (the `model` field). */
  readonly modelRefs: readonly string[];
  readonly database: { logSource: string } | null;
  cacheStats(): CacheStats;
  /** Score log text as `logml predict` reads it from a pipe. */
  predictText(text: Buffer, opts: RequestOptions): Promise<EngineResult>;
  /** The on-demand path for these log-table ids: stored predictions returned, missing ones scored and stored. */
  predictIds(ids: readonly string[], opts: RequestOptions): Promise<EngineResult & { missing: string[] }>;
  /** A range of the log table (at most `maxRows` rows, else an InputError); `store`: through ml_predictions. */
  predictRange(range: LogRange, store: boolean, maxRows: number, opts: RequestOptions): Promise<EngineResult>;
  /** The latest ml_model_metrics rows of each loaded model (newest first, at most `limit` each); null without a database. */
  storedMetrics(limit: number): Promise<Map<string, MetricsRow[]> | null>;
  close(): Promise<void>;
}

/** A range of the log table with more rows than a request may hold (the server answers 413). */
export class RangeTooLargeError extends InputError {}

/** A Writable that keeps what is written, for a response sent whole (with its length). */
function collector(): { stream: Writable; text: () => string } {
  const parts: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    highWaterMark: 1 << 24,
    write(chunk: string | Buffer, _enc, cb) {
      parts.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      cb();
    },
  });
  return { stream, text: () => parts.join('') };
}

/** Counts what a scoped scorer scored, so store hits = records - scored. */
function counting(scorer: Scorer): Scorer & { scored: number } {
  const s = {
    models: scorer.models,
    scored: 0,
    score(messages: readonly string[], keys?: readonly string[]) {
      s.scored += messages.length;
      return scorer.score(messages, keys);
    },
    observe: (messages: readonly string[], keys?: readonly string[]) => scorer.observe(messages, keys),
    close: () => scorer.close(),
  };
  return s;
}

/** Errors that name standard input name the request body here. */
function bodyError(err: unknown): unknown {
  if (err instanceof InputError) return new InputError(err.message.replace(/^standard input/, 'request body').replace(/standard input/g, 'the request body'), err.hint);
  return err;
}

/**
 * Load the models (and, with a database, check the schema and the log table) and return the
 * engine. Startup errors are the typed errors of the commands (UsageError, InputError,
 * FailureError): the server does not start.
 */
export async function openEngine(opts: EngineOptions): Promise<Engine> {
  const [{ readBundle }, { resolveModelSources }, { createThreadedScorer }, pipeline, templatesMod] = await Promise.all([
    import('../model/bundle.js'),
    import('../db/run.js'),
    import('../model/threaded-scorer.js'),
    import('../pipeline/predict.js'),
    import('../pipeline/templates.js'),
  ]);
  let pool: pg.Pool | null = null;
  let logSource = '';
  if (opts.db) {
    const [{ createPool, ping }, { requireSchema }, { logSourceOf }] = await Promise.all([import('../db/connection.js'), import('../db/migrate.js'), import('../db/log-source.js')]);
    pool = createPool({ db: opts.db.url, max: opts.poolMax, applicationName: 'logml serve' });
    try {
      await ping(pool, { db: opts.db.url });
      await requireSchema(pool);
      logSource = await logSourceOf(pool, opts.table);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }
  let scorer: Scorer;
  const models: EngineModel[] = [];
  try {
    const sources = await resolveModelSources(pool, opts.models);
    for (const s of sources) {
      const b = readBundle(s.bytes, s.origin);
      models.push({ ref: `${b.meta.name}@${b.meta.version}`, task: b.meta.task, sha256: b.sha256, origin: s.origin, meta: b.meta });
    }
    models.sort((a, b) => (a.task === b.task ? 0 : a.task === 'level' ? -1 : 1));
    scorer = await createThreadedScorer(
      sources.map(({ bytes, origin }) => ({ bytes, origin })),
      opts.anomalyThreshold !== undefined ? { anomalyThreshold: opts.anomalyThreshold } : {},
    );
  } catch (err) {
    await pool?.end().catch(() => undefined);
    throw err;
  }
  const tasks = models.map((m) => m.task);

  /** A fresh template stage (a request is one run: its own miner, as `predict` without --template-state). */
  const newTemplateStage = async (): Promise<TemplateStage | null> => {
    if (!opts.templates) return null;
    const { miner } = await templatesMod.openMiner(null, templatesMod.PREDICT_MINER_LIMITS);
    return templatesMod.templateStage(miner, { params: opts.params });
  };

  /** Run `fn` with a scoped scorer (fresh novelty counts), released after. */
  async function withScope<T>(fn: (s: Scorer & { scored: number }) => Promise<T>): Promise<T> {
    const scoped = counting(scorer.scoped ? scorer.scoped() : scorer);
    try {
      return await fn(scoped);
    } finally {
      if (scorer.scoped) await scoped.close();
    }
  }

  async function fromRows(batches: AsyncIterable<LogRecord[]>, store: boolean, o: RequestOptions): Promise<EngineResult> {
    const { scoreLogRows } = await import('../db/run.js');
    const templates = await newTemplateStage();
    return withScope(async (scoped) => {
      const out = collector();
      const summary = await scoreLogRows(pool!, scoped, batches, { store, logSource, tasks, follow: false, output: o.format, onlyAnomalies: o.onlyAnomalies, minLevel: o.minLevel, templates }, out.stream);
      return { body: out.text(), records: summary.records, written: summary.written, fromStore: store ? summary.records - scoped.scored : 0, skipped: null };
    });
  }

  return {
    models,
    modelRefs: scorer.models,
    database: pool ? { logSource } : null,
    cacheStats: () => scorer.cacheStats?.() ?? { lookups: 0, hits: 0 },

    async predictText(text, o) {
      const templates = await newTemplateStage();
      return withScope(async (scoped) => {
        const out = collector();
        try {
          const summary = await pipeline.runPredict(
            { inputs: ['-'], inputFormat: o.inputFormat, follow: false, output: o.format, onlyAnomalies: o.onlyAnomalies, minLevel: o.minLevel, batchSize: opts.batchSize, maxLineBytes: opts.maxLineBytes, templates },
            scoped,
            { stdout: out.stream, stdin: Readable.from([text]) },
          );
          return { body: out.text(), records: summary.records, written: summary.written, fromStore: 0, skipped: summary.skipped };
        } catch (err) {
          throw bodyError(err);
        }
      });
    },

    async predictIds(ids, o) {
      const { readLogIds } = await import('../db/log-source.js');
      const { records, missing } = await readLogIds(pool!, opts.table, ids);
      async function* one() {
        if (records.length) yield records;
      }
      return { ...(await fromRows(one(), true, o)), missing };
    },

    async predictRange(range, store, maxRows, o) {
      const { countLogRange, readLogRange } = await import('../db/log-source.js');
      const n = await countLogRange(pool!, opts.table, range, maxRows);
      if (n > maxRows) throw new RangeTooLargeError(`the range holds more than ${maxRows} rows`, `narrow it (from/to ids, since/until times) to at most ${maxRows} rows per request, or start the server with a larger --max-lines`);
      // rows inserted after the count are left for the next request: at most maxRows are read
      async function* capped() {
        let left = maxRows;
        for await (const batch of readLogRange(pool!, opts.table, range, { batchSize: Math.min(maxRows, 1000) })) {
          yield batch.length > left ? batch.slice(0, left) : batch;
          left -= batch.length;
          if (left <= 0) return;
        }
      }
      return fromRows(capped(), store, o);
    },

    async storedMetrics(limit) {
      if (!pool) return null;
      const { listMetrics } = await import('../db/registry.js');
      const { dbFailure } = await import('../db/connection.js');
      const out = new Map<string, MetricsRow[]>();
      try {
        for (const m of models) out.set(m.ref, await listMetrics(pool, m.meta.name, m.meta.version, limit));
      } catch (err) {
        throw dbFailure(err, 'reading ml_model_metrics');
      }
      return out;
    },

    async close() {
      await scorer.close();
      await pool?.end().catch(() => undefined);
    },
  };
}
