/**
 * @file Writing and reading `ml_predictions`: one row per (log source, log id, model name, model
 * version); the log source is the log table (see `logSourceOf`), as ids of two tables collide.
 * A record scored by a level model and an anomaly model at once becomes two rows, each holding
 * its own task's fields (the other task's null): see docs/db.md for why. Writes are idempotent
 * (ON CONFLICT DO NOTHING). Also the on-demand path `scoreWithStore`: stored predictions are
 * returned as they are, only missing ones are scored and stored.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { UsageError } from '../errors.js';
import { isLevel, type LogRecord, type ModelTask, type Prediction, type Scorer } from '../types.js';
import { dbFailure, withTransaction, type Queryable } from './connection.js';

/** One model of a scorer, and which Prediction fields its rows hold ('both': a one-model scorer, all fields). */
export interface ModelSlot {
  name: string;
  version: string;
  task: ModelTask | 'both';
}

/** A prediction row as stored. */
export interface PredictionRow {
  /** The log table, as `logSourceOf` names it. */
  logSource: string;
  logId: string;
  modelName: string;
  modelVersion: string;
  predictedLevel: string | null;
  levelConfidence: number | null;
  anomalyScore: number | null;
  isAnomaly: boolean | null;
  templateId: string | null;
  batchLatencyUs: number | null;
}

/**
 * How rows get into ml_predictions: one INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO
 * NOTHING, or COPY (straight in under a savepoint; through a staging table when a row exists).
 */
export type WriteMethod = 'insert' | 'copy';
export const WRITE_METHODS: readonly WriteMethod[] = ['insert', 'copy'];

/**
 * The slots of a scorer, from `scorer.models` ("name@version", in the order level, anomaly).
 * Pass `tasks` when the scorer's models are not one level model then one anomaly model.
 * @example modelSlots({ models: ['level@1', 'anomaly@2'] }) // [{level}, {anomaly}]
 */
export function modelSlots(scorer: Pick<Scorer, 'models'>, tasks?: readonly ModelTask[]): ModelSlot[] {
  const models = scorer.models;
  if (models.length === 0) throw new UsageError('no model to score with', 'give at least one model');
  return models.map((ref, i) => {
    const at = ref.lastIndexOf('@');
    if (at <= 0 || at === ref.length - 1) throw new UsageError(`model "${ref}" is not name@version`);
    const task: ModelSlot['task'] = tasks?.[i] ?? (models.length === 1 ? 'both' : i === 0 ? 'level' : 'anomaly');
    return { name: ref.slice(0, at), version: ref.slice(at + 1), task };
  });
}

/** The id a record is stored under: its row id, else `source:line`. */
export function logIdOf(r: LogRecord): string {
  return r.id ?? `${r.source}:${r.line}`;
}

/** The rows for one scored record (one per slot). */
export function rowsFor(logSource: string, logId: string, p: Prediction & { templateId?: string | null }, slots: readonly ModelSlot[], batchLatencyUs: number | null): PredictionRow[] {
  return slots.map((s) => {
    const level = s.task !== 'anomaly';
    const anomaly = s.task !== 'level';
    return {
      logSource,
      logId,
      modelName: s.name,
      modelVersion: s.version,
      predictedLevel: level ? p.predictedLevel : null,
      levelConfidence: level ? p.levelProbability : null,
      anomalyScore: anomaly ? p.anomalyScore : null,
      isAnomaly: anomaly ? p.isAnomaly : null,
      templateId: p.templateId ?? null,
      batchLatencyUs,
    };
  });
}

const COLUMNS = 'log_source, log_id, model_name, model_version, predicted_level, level_confidence, anomaly_score, is_anomaly, template_id, batch_latency_us';

async function insertRows(db: Queryable, rows: readonly PredictionRow[]): Promise<number> {
  const res = await db.query(
    `INSERT INTO ml_predictions (${COLUMNS})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::real[], $7::real[], $8::boolean[], $9::text[], $10::integer[])
     ON CONFLICT DO NOTHING`,
    [
      rows.map((r) => r.logSource),
      rows.map((r) => r.logId),
      rows.map((r) => r.modelName),
      rows.map((r) => r.modelVersion),
      rows.map((r) => r.predictedLevel),
      rows.map((r) => r.levelConfidence),
      rows.map((r) => r.anomalyScore),
      rows.map((r) => r.isAnomaly),
      rows.map((r) => r.templateId),
      rows.map((r) => r.batchLatencyUs),
    ],
  );
  return res.rowCount ?? 0;
}

/** COPY text-format field: \N for null; backslash, tab, newline, CR escaped. */
function copyField(v: string | number | boolean | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Serialise rows as COPY text, in slices of ~1 MB. */
function* copyText(rows: readonly PredictionRow[]): Generator<string> {
  let buf = '';
  for (const r of rows) {
    buf += `${copyField(r.logSource)}\t${copyField(r.logId)}\t${copyField(r.modelName)}\t${copyField(r.modelVersion)}\t${copyField(r.predictedLevel)}\t${copyField(r.levelConfidence)}\t${copyField(r.anomalyScore)}\t${copyField(r.isAnomaly)}\t${copyField(r.templateId)}\t${copyField(r.batchLatencyUs)}\n`;
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

async function copyInto(client: pg.PoolClient | pg.Client, table: string, rows: readonly PredictionRow[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${COLUMNS}) FROM STDIN`));
  await pipeline(copyText(rows), stream as unknown as Writable);
}

/**
 * COPY straight into ml_predictions under a savepoint (the fast path: rows are new, as the
 * backfill's anti-join just checked); on a unique violation (a concurrent writer got there
 * first) roll back to the savepoint and go through a session temp table with
 * INSERT ... SELECT ... ON CONFLICT DO NOTHING. Needs an open transaction.
 * Measured (bench/db.bench.ts): ON CONFLICT's speculative insertion costs ~3x a plain COPY.
 */
async function copyRows(client: pg.PoolClient | pg.Client, rows: readonly PredictionRow[]): Promise<number> {
  await client.query('SAVEPOINT logml_copy');
  try {
    await copyInto(client, 'ml_predictions', rows);
    await client.query('RELEASE SAVEPOINT logml_copy');
    return rows.length;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await client.query('ROLLBACK TO SAVEPOINT logml_copy');
  }
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS logml_stage_predictions (LIKE ml_predictions INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
  );
  await copyInto(client, 'logml_stage_predictions', rows);
  const res = await client.query(`INSERT INTO ml_predictions (${COLUMNS}) SELECT ${COLUMNS} FROM logml_stage_predictions ON CONFLICT DO NOTHING`);
  await client.query('TRUNCATE logml_stage_predictions');
  return res.rowCount ?? 0;
}

/**
 * Write prediction rows, idempotently; returns how many were new. 'copy' needs a client inside a
 * transaction (savepoint; the staging table is emptied at commit).
 * @example await withTransaction(pool, (c) => writePredictions(c, rows, 'copy'));
 */
export async function writePredictions(client: pg.PoolClient | pg.Client, rows: readonly PredictionRow[], method: WriteMethod = 'insert'): Promise<number> {
  if (rows.length === 0) return 0;
  return method === 'copy' ? copyRows(client, rows) : insertRows(client, rows);
}

interface StoredRow {
  log_id: string;
  model_name: string;
  model_version: string;
  predicted_level: string | null;
  level_confidence: number | null;
  anomaly_score: number | null;
  is_anomaly: boolean | null;
}

function slotKey(logId: string, name: string, version: string): string {
  return `${name}\u0000${version}\u0000${logId}`;
}

/** Merge one record's per-slot sources (stored row or fresh prediction) into one Prediction. */
function merge(parts: Array<{ slot: ModelSlot; stored?: StoredRow | undefined; fresh?: Prediction | undefined }>): Prediction {
  const out: Prediction = { predictedLevel: null, levelProbability: null, anomalyScore: null, isAnomaly: null };
  for (const { slot, stored, fresh } of parts) {
    const level = slot.task !== 'anomaly';
    const anomaly = slot.task !== 'level';
    if (stored) {
      if (level) {
        out.predictedLevel = isLevel(stored.predicted_level) ? stored.predicted_level : null;
        out.levelProbability = stored.level_confidence;
      }
      if (anomaly) {
        out.anomalyScore = stored.anomaly_score;
        out.isAnomaly = stored.is_anomaly;
      }
    } else if (fresh) {
      if (level) {
        out.predictedLevel = fresh.predictedLevel;
        out.levelProbability = fresh.levelProbability;
      }
      if (anomaly) {
        out.anomalyScore = fresh.anomalyScore;
        out.isAnomaly = fresh.isAnomaly;
      }
    }
  }
  return out;
}

export interface ScoreWithStoreOptions {
  /** The log table the records come from, as `logSourceOf` names it. */
  logSource: string;
  /** Tasks of scorer.models when they are not "level, anomaly" (see modelSlots). */
  tasks?: readonly ModelTask[];
  writeMethod?: WriteMethod;
  /** Template id of each record (same order), stored with the new rows. */
  templateIds?: ReadonlyArray<string | null> | null;
}

/**
 * On-demand scoring through the store: predictions already in ml_predictions for these records
 * and the scorer's model versions are returned as stored (not re-scored); the missing ones are
 * scored with `scorer`, stored (ON CONFLICT DO NOTHING) and returned. Result i belongs to records[i].
 * Records without a row id are stored under `source:line`.
 * @example const predictions = await scoreWithStore(pool, scorer, batch, { logSource: 'logs' });
 */
export async function scoreWithStore(pool: pg.Pool, scorer: Scorer, records: readonly LogRecord[], opts: ScoreWithStoreOptions): Promise<Prediction[]> {
  if (records.length === 0) return [];
  const slots = modelSlots(scorer, opts.tasks);
  const ids = records.map(logIdOf);
  const stored = new Map<string, StoredRow>();
  try {
    const { rows } = await pool.query<StoredRow>(
      `SELECT log_id, model_name, model_version, predicted_level, level_confidence, anomaly_score, is_anomaly
       FROM ml_predictions WHERE log_source = $4 AND log_id = ANY($1::text[]) AND model_name = ANY($2::text[]) AND model_version = ANY($3::text[])`,
      [[...new Set(ids)], slots.map((s) => s.name), slots.map((s) => s.version), opts.logSource],
    );
    for (const r of rows) stored.set(slotKey(r.log_id, r.model_name, r.model_version), r);
  } catch (err) {
    throw dbFailure(err, 'reading stored predictions', 'run "logml db migrate" if the tables do not exist');
  }
  const missingIdx: number[] = [];
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (slots.some((s) => !stored.has(slotKey(id, s.name, s.version))) && !seen.has(id)) {
      seen.add(id);
      missingIdx.push(i);
    }
  });
  const fresh = new Map<string, Prediction>();
  if (missingIdx.length > 0) {
    const t0 = process.hrtime.bigint();
    const predictions = await scorer.score(missingIdx.map((i) => records[i]!.message));
    const batchLatencyUs = Math.round(Number(process.hrtime.bigint() - t0) / 1000 / missingIdx.length);
    const rows: PredictionRow[] = [];
    missingIdx.forEach((i, k) => {
      const id = ids[i]!;
      const p = predictions[k]!;
      fresh.set(id, p);
      const missingSlots = slots.filter((s) => !stored.has(slotKey(id, s.name, s.version)));
      rows.push(...rowsFor(opts.logSource, id, { ...p, templateId: opts.templateIds?.[i] ?? null }, missingSlots, batchLatencyUs));
    });
    try {
      await withTransaction(pool, (c) => writePredictions(c, rows, opts.writeMethod ?? 'insert'));
    } catch (err) {
      throw dbFailure(err, 'storing predictions');
    }
  }
  return ids.map((id) => merge(slots.map((slot) => ({ slot, stored: stored.get(slotKey(id, slot.name, slot.version)), fresh: fresh.get(id) }))));
}
