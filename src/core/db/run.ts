/**
 * @file The core of the database commands (`db migrate`, `register`, `models ...`, `backfill`):
 * one function per command taking a typed options object and an `io`, called by the thin
 * command files and by tests. Owns the Pool's lifetime for one command run; prints data to
 * `io.stdout` and progress/summary lines to `io.stderr`. Never exits, never parses argv.
 */
import { existsSync, readFileSync } from 'node:fs';
import { defaultModelPaths } from '../model/defaults.js';
import type pg from 'pg';
import { InputError, UsageError } from '../errors.js';
import type { Writable } from 'node:stream';
import type { LogRecord, ModelTask, Scorer } from '../types.js';
import type { PredictSummary, ScoreRecordsOptions } from '../pipeline/predict.js';
import { backfill, type BackfillProgress, type BackfillResult } from './backfill.js';
import { createPool, dbFailure, ping, redact } from './connection.js';
import { createProgress, RATE_AFTER_MS } from '../io/progress.js';
import { migrate, requireSchema } from './migrate.js';
import type { LogRange, LogTableSpec } from './log-source.js';
import type { WriteMethod } from './predictions.js';
import { archiveModel, listModels, promoteModel, recordMetrics, registerModel, resolveModelRef, showModel, type MetricsInput } from './registry.js';

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Defaults to Date.now (tests inject a clock). */
  now?: () => number;
}

export interface DbOptions {
  /** --db URL (else DATABASE_URL, else PG*). */
  db?: string | undefined;
}

export type OutputFormat = 'table' | 'ndjson';

async function withPool<T>(opts: DbOptions, max: number, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = createPool({ db: opts.db, max });
  try {
    await ping(pool, { db: opts.db });
    return await fn(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- db migrate

/** `logml db migrate`: bring the schema up to date; prints one line. */
export async function runMigrate(opts: DbOptions, io: CommandIO): Promise<void> {
  await withPool(opts, 1, async (pool) => {
    const r = await migrate(pool);
    io.stdout.write(r.applied.length ? `logml schema migrated to version ${r.version} (applied ${r.applied.join(', ')})\n` : `logml schema already at version ${r.version}\n`);
  });
}

// ---------------------------------------------------------------- model loading

export { defaultModelPaths } from '../model/defaults.js';

/** A --model value names the registry when it is name@tag and no such file exists. */
function isRegistryRef(ref: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ref) && !existsSync(ref);
}

/** A model to load: its bytes and where they came from (a path, or `registry:name@version`). */
export interface ResolvedSource {
  bytes: Uint8Array;
  origin: string;
  task: ModelTask;
}

/**
 * The models named by `--model` values: files, or registry references (name@alias,
 * name@version, sha256-checked); the shipped models when none is given. At most one per task.
 */
export async function resolveModelSources(pool: pg.Pool | null, refs: readonly string[]): Promise<ResolvedSource[]> {
  const { readBundle, readModelFile } = await import('../model/bundle.js');
  const sources: ResolvedSource[] = [];
  for (const ref of refs.length ? refs : defaultModelPaths()) {
    let source: { bytes: Uint8Array; origin: string };
    if (isRegistryRef(ref)) {
      if (!pool) throw new UsageError(`model ${ref} is a registry reference but no database is configured`, 'give --db or DATABASE_URL');
      const m = await resolveModelRef(pool, ref); // refuses bytes that do not match their sha256
      source = { bytes: m.bytes, origin: `registry:${m.name}@${m.version}` };
    } else {
      source = { bytes: readModelFile(ref), origin: ref };
    }
    sources.push({ ...source, task: readBundle(source.bytes, source.origin).meta.task });
  }
  if (new Set(sources.map((s) => s.task)).size !== sources.length) throw new UsageError('two --model values have the same task', 'give at most one level model and one anomaly model');
  return sources;
}

/**
 * Load a scorer from `--model` values (see resolveModelSources). Returns the scorer and the
 * task of each of its models.
 */
export async function loadScorer(pool: pg.Pool | null, refs: readonly string[]): Promise<{ scorer: Scorer; tasks: ModelTask[] }> {
  const sources = await resolveModelSources(pool, refs);
  const { createThreadedScorer } = await import('../model/threaded-scorer.js');
  // scoring runs on its own thread: this one reads logs and writes predictions meanwhile
  const scorer = await createThreadedScorer(sources.map(({ bytes, origin }) => ({ bytes, origin })));
  const order: ModelTask[] = (['level', 'anomaly'] as const).filter((t) => sources.some((s) => s.task === t));
  return { scorer, tasks: order };
}

// ---------------------------------------------------------------- register / models

export interface RegisterOptions extends DbOptions {
  file: string;
  name?: string | undefined;
  version?: string | undefined;
  aliases: string[];
  /** Labeled CSV to evaluate the model on; its figures become an ml_model_metrics row. */
  evalCsv?: string | undefined;
}

/** Evaluate a model's bytes on a labeled CSV (src/core/train's evaluateModel) as an ml_model_metrics row. */
async function evaluateForRegistry(bytes: Uint8Array, origin: string, csv: string): Promise<Omit<MetricsInput, 'modelName' | 'modelVersion'>> {
  const { loadModel } = await import('../model/index.js');
  const { evaluateModel, loadCsvDataset } = await import('../train/index.js');
  const model = await loadModel({ bytes, origin });
  try {
    const data = loadCsvDataset(csv);
    const ev = await evaluateModel(model, data.records);
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    if (ev.task === 'level') {
      return { accuracy: r3(ev.report.accuracy), f1: r3(ev.report.macroF1), predictionsCount: ev.n, sampleSize: ev.n, coverage: r3(ev.n / (ev.n + ev.unlabeled)), details: { source: csv, task: ev.task, unlabeled: ev.unlabeled, report: ev.report } };
    }
    return { accuracy: r3(ev.report.accuracy), f1: r3(ev.report.f1), fpr: r3(ev.report.fpr), predictionsCount: ev.n, sampleSize: ev.n, coverage: r3(ev.n / (ev.n + ev.unlabeled)), details: { source: csv, task: ev.task, threshold: ev.threshold, unlabeled: ev.unlabeled, report: ev.report } };
  } finally {
    await model.session.release();
  }
}

/** `logml register MODEL.onnx`: store the bytes (sha256), move aliases; prints one line. */
export async function runRegister(opts: RegisterOptions, io: CommandIO): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(opts.file);
  } catch (err) {
    throw new InputError(`cannot read model file ${opts.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'give the path of a .onnx file');
  }
  let meta: Record<string, unknown> = {};
  let name = opts.name;
  let version = opts.version;
  try {
    const { readBundle } = await import('../model/bundle.js');
    const bundle = readBundle(bytes, opts.file);
    meta = bundle.meta as unknown as Record<string, unknown>;
    for (const [flag, what, given, own] of [['--name', 'name', opts.name, bundle.meta.name], ['--model-version', 'version', opts.version, bundle.meta.version]] as const) {
      if (given !== undefined && given !== own) {
        throw new UsageError(
          `${flag} ${given} differs from the model's own ${what} ${own}`,
          `predictions are stored under the model's own name@version: leave ${flag} out, or retrain with "logml train ... ${flag} ${given}"`,
        );
      }
    }
    name = bundle.meta.name;
    version = bundle.meta.version;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (name === undefined || version === undefined) throw err;
  }
  // evaluate before touching the database: a model that cannot be evaluated is not registered
  const figures = opts.evalCsv ? await evaluateForRegistry(bytes, opts.file, opts.evalCsv) : null;
  await withPool(opts, 2, async (pool) => {
    await requireSchema(pool);
    const r = await registerModel(pool, { name: name!, version: version!, bytes, metadata: meta, aliases: opts.aliases });
    const aliases = r.aliases.length ? `, alias ${r.aliases.join(', ')}` : '';
    io.stdout.write(`${r.created ? 'registered' : 'already registered (same bytes)'} ${r.name}@${r.version} sha256 ${r.sha256}${aliases}\n`);
    if (figures) {
      await recordMetrics(pool, { modelName: r.name, modelVersion: r.version, ...figures });
      io.stdout.write(`metrics on ${opts.evalCsv}: accuracy ${figures.accuracy ?? '-'}, f1 ${figures.f1 ?? '-'}${figures.fpr !== undefined ? `, fpr ${figures.fpr}` : ''}, n ${figures.sampleSize}\n`);
    }
  });
}

export interface ModelsListOptions extends DbOptions {
  format: OutputFormat;
  /** Archived versions too. */
  all?: boolean;
}

function kb(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`;
}

/** `logml models list`: a table on a terminal, NDJSON otherwise. */
export async function runModelsList(opts: ModelsListOptions, io: CommandIO): Promise<void> {
  await withPool(opts, 1, async (pool) => {
    await requireSchema(pool);
    const models = await listModels(pool, { all: opts.all === true });
    if (opts.format === 'ndjson') {
      for (const m of models) io.stdout.write(`${JSON.stringify(m)}\n`);
      return;
    }
    const { default: Table } = await import('cli-table3');
    const t = new Table({ head: ['model', 'task', 'aliases', 'accuracy', 'f1', 'fpr', 'n', 'measured', 'sha256', 'size', 'registered'], style: { head: [], border: [] } });
    const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '-' : String(Math.round(x * 1000) / 1000));
    const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
    for (const m of models) {
      const x = m.latestMetrics;
      t.push([`${m.name}@${m.version}${m.archivedAt ? ' (archived)' : ''}`, m.task ?? '-', m.aliases.join(', '), f3(x?.accuracy), f3(x?.f1), f3(x?.fpr), x?.sampleSize === null || x === null ? '-' : String(x.sampleSize), x ? when(x.measuredAt) : '-', m.sha256.slice(0, 12), kb(m.sizeBytes), when(m.createdAt)]);
    }
    io.stdout.write(models.length ? `${t.toString()}\n` : 'no models registered (see "logml register --help")\n');
  });
}

export interface ModelsArchiveOptions extends DbOptions {
  ref: string;
  restore: boolean;
}

/** `logml models archive name@version [--restore]`; prints one line. */
export async function runModelsArchive(opts: ModelsArchiveOptions, io: CommandIO): Promise<void> {
  await withPool(opts, 1, async (pool) => {
    await requireSchema(pool);
    const r = await archiveModel(pool, opts.ref, { restore: opts.restore });
    io.stdout.write(`${r.name}@${r.version} ${r.changed ? '' : 'was already '}${r.archived ? 'archived (hidden from "models list"; still loadable by its version)' : 'restored'}\n`);
  });
}

export interface ModelsDownloadOptions extends DbOptions {
  ref: string;
  out: string;
}

/** `logml models download name@version -o FILE`: the registered bytes (sha256 checked), written atomically. */
export async function runModelsDownload(opts: ModelsDownloadOptions, io: CommandIO): Promise<void> {
  await withPool(opts, 1, async (pool) => {
    await requireSchema(pool);
    const m = await resolveModelRef(pool, opts.ref); // refuses bytes that do not match their sha256
    const { writeFileAtomic } = await import('../io/atomic-write.js');
    await writeFileAtomic(opts.out, m.bytes);
    io.stdout.write(`wrote ${opts.out} (${m.name}@${m.version}, sha256 ${m.sha256}, ${kb(m.bytes.length)})\n`);
  });
}

export interface ModelsShowOptions extends DbOptions {
  ref: string;
  format: OutputFormat;
}

/** `logml models show name@version`: metadata, aliases and metrics history. */
export async function runModelsShow(opts: ModelsShowOptions, io: CommandIO): Promise<void> {
  await withPool(opts, 1, async (pool) => {
    await requireSchema(pool);
    const m = await showModel(pool, opts.ref);
    if (opts.format === 'ndjson') {
      io.stdout.write(`${JSON.stringify(m)}\n`);
      return;
    }
    const meta = m.metadata as { task?: string; labels?: string[]; trainingData?: { records?: number; description?: string } };
    const lines = [
      `${m.name}@${m.version}`,
      `  sha256      ${m.sha256}`,
      `  size        ${kb(m.sizeBytes)}`,
      `  registered  ${m.createdAt}`,
      `  aliases     ${m.aliases.join(', ') || '-'}`,
      `  task        ${meta.task ?? '-'}`,
      ...(meta.labels ? [`  labels      ${meta.labels.join(', ')}`] : []),
      ...(meta.trainingData ? [`  trained on  ${meta.trainingData.records ?? '?'} records${meta.trainingData.description ? ` (${meta.trainingData.description})` : ''}`] : []),
      `  metrics     ${m.metrics.length ? '' : '-'}`,
      ...m.metrics.map(
        (x) =>
          `    ${x.measuredAt.slice(0, 19).replace('T', ' ')}  accuracy ${x.accuracy ?? '-'}  f1 ${x.f1 ?? '-'}  fpr ${x.fpr ?? '-'}  coverage ${x.coverage ?? '-'}  drift ${x.drift ?? '-'}  n ${x.sampleSize ?? '-'}`,
      ),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
  });
}

export interface ModelsPromoteOptions extends DbOptions {
  ref: string;
  alias: string;
}

/** `logml models promote name@version --alias production`. */
export async function runModelsPromote(opts: ModelsPromoteOptions, io: CommandIO): Promise<void> {
  await withPool(opts, 1, async (pool) => {
    await requireSchema(pool);
    const r = await promoteModel(pool, opts.ref, opts.alias);
    io.stdout.write(`${r.name}@${r.alias} -> ${r.version}${r.previous && r.previous !== r.version ? ` (was ${r.previous})` : ''}\n`);
  });
}

// ---------------------------------------------------------------- backfill

export interface BackfillCommandOptions extends DbOptions {
  models: string[];
  table: LogTableSpec;
  range: LogRange;
  workers: number;
  chunkSize: number;
  write: WriteMethod;
  retries: number;
  /** Mine templates into template_id, the miner's state kept in ml_templates (default true). */
  templates?: boolean;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The one-line summary (cron mail friendly). */
export function summaryLine(r: BackfillResult): string {
  return `backfill ${r.models.join(' + ')}: scored ${fmt(r.scored)}, skipped ${fmt(r.skipped)} (already scored), ${fmt(r.rate)} logs/s, ${duration(r.durationMs)}${r.retries ? `, ${r.retries} reconnects` : ''}`;
}

/** The progress line; rate and ETA only once RATE_AFTER_MS have passed (a first chunk's are noise). */
export function progressLine(p: BackfillProgress): string {
  const pct = `${Math.floor(p.fraction * 100)}%`.padStart(4);
  const settled = p.elapsedMs >= RATE_AFTER_MS && p.chunksDone > 0;
  const eta = !settled || p.etaS === null ? '' : `  ETA ${duration(p.etaS * 1000)}`;
  return `backfill ${pct}  scored ${fmt(p.scored)}${p.total !== null ? ` of ≤${fmt(p.total)}` : ''}${settled ? `  ${fmt(p.rate)} logs/s` : ''}${eta}`;
}

/**
 * `logml backfill`: score every log lacking a prediction from the chosen model versions.
 * On a terminal, a progress line on stderr; always one summary line on stderr at the end.
 */
export async function runBackfill(opts: BackfillCommandOptions, io: CommandIO, signal?: AbortSignal): Promise<BackfillResult> {
  const progress = createProgress(io.stderr);
  return withPool(opts, opts.workers + 2, async (pool) => {
    await requireSchema(pool);
    const { scorer, tasks } = await loadScorer(pool, opts.models);
    try {
      const templates = opts.templates === false ? null : await (await import('./template-store.js')).backfillTemplates(pool);
      const result = await backfill(pool, scorer, {
        table: opts.table,
        range: opts.range,
        workers: opts.workers,
        chunkSize: opts.chunkSize,
        writeMethod: opts.write,
        retries: opts.retries,
        tasks,
        templates,
        ...(signal ? { signal } : {}),
        onProgress: progress.active ? (p) => progress.update(progressLine(p), p.fraction >= 1) : undefined,
      });
      progress.done();
      io.stderr.write(`${summaryLine(result)}\n`);
      return result;
    } catch (err) {
      progress.done();
      if (err instanceof Error) err.message = redact(err.message);
      throw err;
    } finally {
      await scorer.close();
    }
  });
}

// ---------------------------------------------------------------- predict --db

export interface PredictDbOptions extends DbOptions, ScoreRecordsOptions {
  models: string[];
  table: LogTableSpec;
  range: LogRange;
  /** On-demand path: return stored predictions, score and store the missing ones. */
  store: boolean;
  batchSize: number;
}

/**
 * `logml predict --db`: score a range of the log table (read by keyset pages: memory stays flat),
 * written like predictions of files. With `store`, predictions already in ml_predictions for the
 * model versions are returned as stored and only missing ones are scored, then stored.
 */
export async function runPredictDb(opts: PredictDbOptions, stdout: NodeJS.WritableStream): Promise<PredictSummary> {
  return withPool(opts, 2, async (pool) => {
    if (opts.store) await requireSchema(pool);
    const { logSourceOf } = await import('./log-source.js');
    const logSource = opts.store ? await logSourceOf(pool, opts.table).catch((err: unknown) => Promise.reject(dbFailure(err, 'finding the log table'))) : '';
    const { scorer, tasks } = await loadScorer(pool, opts.models);
    try {
      return await scoreLogRows(pool, scorer, readLogRows(pool, opts), { ...opts, logSource, tasks }, stdout as Writable);
    } finally {
      await scorer.close();
    }
  });
}

/** The rows of `opts.range`, in keyset pages of opts.batchSize. */
async function* readLogRows(pool: pg.Pool, opts: Pick<PredictDbOptions, 'table' | 'range' | 'batchSize'>): AsyncIterable<LogRecord[]> {
  const { readLogRange } = await import('./log-source.js');
  yield* readLogRange(pool, opts.table, opts.range, { batchSize: opts.batchSize });
}

export interface ScoreLogRowsOptions extends ScoreRecordsOptions {
  /** On-demand path: stored predictions returned, missing ones scored and stored under `logSource`. */
  store: boolean;
  logSource: string;
  tasks: readonly ModelTask[];
}

/**
 * The back half of `predict --db` (and of `logml serve`'s database endpoints): rows of the log
 * table scored with `scorer` and written like predictions of files; with `store`, through
 * ml_predictions (scoreWithStore).
 */
export async function scoreLogRows(pool: pg.Pool, scorer: Scorer, batches: AsyncIterable<LogRecord[]>, opts: ScoreLogRowsOptions, stdout: Writable): Promise<PredictSummary> {
  const { scoreWithStore } = await import('./predictions.js');
  const { scoreRecords } = await import('../pipeline/predict.js');
  const score = opts.store
    ? (records: LogRecord[], templates: ReadonlyArray<{ id: string }> | null) => scoreWithStore(pool, scorer, records, { logSource: opts.logSource, tasks: opts.tasks, templateIds: templates?.map((t) => t.id) ?? null })
    : (records: LogRecord[], templates: ReadonlyArray<{ id: string }> | null) => scorer.score(records.map((r) => r.message), templates?.map((t) => t.id));
  return scoreRecords(batches, score, scorer.models, opts, stdout);
}
