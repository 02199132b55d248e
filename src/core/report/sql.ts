/**
 * @file `logml report --db`: every aggregate runs in PostgreSQL (GROUP BY, width_bucket,
 * percentile_cont), so no prediction rows are pulled into Node: coverage per day and per model,
 * logs per hour, predicted levels, templates, score bins, latency percentiles, the labeled
 * confusion counts. The log table's names are always quoted; every value is a parameter.
 * Reads only, except `--record`, which goes through recordMetrics.
 */
import type pg from 'pg';
import { UsageError } from '../errors.js';
import { createPool, dbFailure, ping, type Queryable } from '../db/connection.js';
import { quoteIdent, quoteTable } from '../db/ident.js';
import { rangeConditions, type LogRange, type LogTableSpec } from '../db/log-source.js';
import { requireSchema } from '../db/migrate.js';
import { parseModelRef, recordMetrics } from '../db/registry.js';
import type { ReferenceProfile } from '../model/bundle.js';
import { normalizeLevel } from '../parse/level.js';
import { computeDrift, DEFAULT_DRIFT_THRESHOLDS, type DriftThresholds, type Reference } from './drift.js';
import { evaluateGates, type GateSpec } from './gates.js';
import type { LabelSet } from './labels.js';
import { accuracyOf, coverageOf, distributionsOf, LabelJoin, profileReference, volumeOf } from './report.js';
import type { Snapshot } from './snapshot.js';
import { SCORE_BINS } from './stats.js';
import type { ReportResult } from './types.js';

export interface DbReportOptions {
  db?: string | undefined;
  table: LogTableSpec;
  range: LogRange;
  /** A baseline window of the same table: the drift reference. */
  baseline?: LogRange | undefined;
  /** `name@version` or `name@alias`; none: the models found in the window. */
  models: string[];
  /** A table with log_id and level and/or is_anomaly columns. */
  labelsTable?: string | undefined;
  record: boolean;
  labels?: (LabelSet & { file: string }) | undefined;
  modelFiles: string[];
  thresholds?: DriftThresholds;
  gates?: GateSpec;
}

export interface ModelInWindow {
  name: string;
  version: string;
  rows: number;
  levelRows: number;
  scoreRows: number;
}

const ref = (m: { name: string; version: string }) => `${m.name}@${m.version}`;

/** The window's FROM and WHERE, with parameters appended to `params`. */
function windowSql(spec: LogTableSpec, range: LogRange, params: unknown[]): { from: string; where: string; id: string; time: string | null } {
  const conds = rangeConditions(spec, range, params, 'l');
  return {
    from: `${quoteTable(spec.table)} l`,
    where: `WHERE ${conds.length ? conds.join(' AND ') : 'TRUE'}`,
    id: `l.${quoteIdent(spec.idColumn)}::text`,
    time: spec.timeColumn ? `l.${quoteIdent(spec.timeColumn)}::timestamptz AT TIME ZONE 'UTC'` : null,
  };
}

/** Models with predictions for logs in the window, with how many rows carry a level or a score. */
export async function modelsInWindow(db: Queryable, spec: LogTableSpec, range: LogRange, only?: Array<{ name: string; version: string }>): Promise<ModelInWindow[]> {
  const params: unknown[] = [];
  const w = windowSql(spec, range, params);
  let filter = '';
  if (only) filter = `AND (p.model_name, p.model_version) IN (SELECT * FROM unnest($${params.push(only.map((m) => m.name))}::text[], $${params.push(only.map((m) => m.version))}::text[]))`;
  const { rows } = await db.query<{ name: string; version: string; rows: string; level_rows: string; score_rows: string }>(
    `SELECT p.model_name AS name, p.model_version AS version, count(*) AS rows, count(p.predicted_level) AS level_rows, count(p.anomaly_score) AS score_rows
     FROM ${w.from} JOIN ml_predictions p ON p.log_id = ${w.id} ${filter} ${w.where}
     GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  return rows.map((r) => ({ name: r.name, version: r.version, rows: Number(r.rows), levelRows: Number(r.level_rows), scoreRows: Number(r.score_rows) }));
}

/** Resolve name@alias through ml_model_aliases; anything else is a version. */
async function resolveRefs(db: Queryable, refs: readonly string[]): Promise<Array<{ name: string; version: string }>> {
  const out: Array<{ name: string; version: string }> = [];
  for (const r of refs) {
    const { name, tag } = parseModelRef(r);
    const { rows } = await db.query<{ version: string }>('SELECT version FROM ml_model_aliases WHERE name = $1 AND alias = $2', [name, tag]);
    out.push({ name, version: rows[0]?.version ?? tag });
  }
  return out;
}

interface Slots {
  level: { name: string; version: string } | null;
  anomaly: { name: string; version: string } | null;
}

function pickSlots(found: ModelInWindow[], given: boolean): Slots {
  const pick = (task: 'level' | 'anomaly') => {
    const c = found.filter((m) => (task === 'level' ? m.levelRows > 0 : m.scoreRows > 0));
    if (c.length > 1) throw new UsageError(`several ${task} models have predictions in the window: ${c.map(ref).join(', ')}`, `pick one with --model name@version${given ? '' : ' (repeat --model for a level and an anomaly model)'}`);
    return c[0] ? { name: c[0].name, version: c[0].version } : null;
  };
  return { level: pick('level'), anomaly: pick('anomaly') };
}

/** Distributions of one window in SQL: levels, templates, score bins, per day, per hour. */
async function windowSnapshot(db: Queryable, spec: LogTableSpec, range: LogRange, models: Array<{ name: string; version: string }>, slots: Slots): Promise<Snapshot & { perModel: number[] }> {
  // coverage: a log is covered when it has a row from every selected model
  const params: unknown[] = [];
  const w = windowSql(spec, range, params);
  const names = `$${params.push(models.map((m) => m.name))}::text[]`;
  const versions = `$${params.push(models.map((m) => m.version))}::text[]`;
  const flags = models.map((m, i) => `bool_or(p.model_name = $${params.push(m.name)} AND p.model_version = $${params.push(m.version)}) AS m${i}`);
  const day = w.time ? `to_char(${w.time}, 'YYYY-MM-DD')` : `'unknown'`;
  const { rows: dayRows } = await db.query<Record<string, string>>(
    `SELECT x.day, count(*) AS total, count(*) FILTER (WHERE coalesce(x.k, 0) < ${models.length}) AS missing
            ${models.map((_, i) => `, count(*) FILTER (WHERE x.m${i}) AS c${i}`).join('')}
     FROM (SELECT ${day} AS day, pp.* FROM ${w.from}
           LEFT JOIN (SELECT p.log_id, count(*) AS k ${flags.map((f) => `, ${f}`).join('')}
                      FROM ml_predictions p WHERE (p.model_name, p.model_version) IN (SELECT * FROM unnest(${names}, ${versions}))
                      GROUP BY p.log_id) pp ON pp.log_id = ${w.id}
           ${w.where}) x
     GROUP BY x.day ORDER BY x.day`,
    params,
  );
  const perDay = dayRows.map((r) => ({ day: r.day!, total: Number(r.total), missing: Number(r.missing) }));
  const total = perDay.reduce((s, d) => s + d.total, 0);
  const perModel = models.map((_, i) => dayRows.reduce((s, r) => s + Number(r[`c${i}`]), 0));

  let perHour: Array<{ hour: string; count: number }> = [];
  if (w.time) {
    const hp: unknown[] = [];
    const hw = windowSql(spec, range, hp);
    const { rows } = await db.query<{ hour: string; count: string }>(
      `SELECT to_char(date_trunc('hour', ${hw.time}), 'YYYY-MM-DD"T"HH24":00:00Z"') AS hour, count(*) AS count FROM ${hw.from} ${hw.where} GROUP BY 1 ORDER BY 1`,
      hp,
    );
    perHour = rows.filter((r) => r.hour !== null).map((r) => ({ hour: r.hour, count: Number(r.count) }));
  }

  const joinModel = (m: { name: string; version: string }, p: unknown[]) => {
    const ww = windowSql(spec, range, p);
    return { sql: `FROM ${ww.from} JOIN ml_predictions p ON p.log_id = ${ww.id} AND p.model_name = $${p.push(m.name)} AND p.model_version = $${p.push(m.version)} ${ww.where}` };
  };
  const levels: Record<string, number> = {};
  let templates: Record<string, number> | null = null;
  const templateModel = slots.level ?? slots.anomaly;
  if (slots.level) {
    const p: unknown[] = [];
    const { rows } = await db.query<{ level: string; n: string }>(`SELECT p.predicted_level AS level, count(*) AS n ${joinModel(slots.level, p).sql} AND p.predicted_level IS NOT NULL GROUP BY 1 ORDER BY 1`, p);
    for (const r of rows) levels[r.level] = Number(r.n);
  }
  if (templateModel) {
    const p: unknown[] = [];
    const j = joinModel(templateModel, p).sql;
    const { rows } = await db.query<{ t: string; n: string }>(`SELECT p.template_id AS t, count(*) AS n ${j} AND p.template_id IS NOT NULL GROUP BY 1`, p);
    if (rows.length > 0) templates = Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
  }
  const scoreBins = new Array<number>(SCORE_BINS).fill(0);
  let scoreN = 0;
  let flagged = 0;
  if (slots.anomaly) {
    const p: unknown[] = [];
    const j = joinModel(slots.anomaly, p).sql;
    const { rows } = await db.query<{ b: number; n: string; f: string }>(
      `SELECT width_bucket(p.anomaly_score, 0, 1, ${SCORE_BINS}) AS b, count(*) AS n, count(*) FILTER (WHERE p.is_anomaly) AS f ${j} AND p.anomaly_score IS NOT NULL GROUP BY 1`,
      p,
    );
    for (const r of rows) {
      scoreBins[Math.min(SCORE_BINS - 1, Math.max(0, r.b - 1))]! += Number(r.n);
      scoreN += Number(r.n);
      flagged += Number(r.f);
    }
  }
  const covered = total - perDay.reduce((s, d) => s + d.missing, 0);
  return { total, covered, perDay, perHour, levels, templates, templateText: {}, scoreBins, scoreN, flagged, models: models.map(ref), perModel };
}

/** Latency percentiles (µs) in SQL over one model's rows in the window. */
async function latency(db: Queryable, spec: LogTableSpec, range: LogRange, m: { name: string; version: string }): Promise<ReportResult['latency']> {
  const p: unknown[] = [];
  const w = windowSql(spec, range, p);
  const { rows } = await db.query<{ n: string; q: number[] | null }>(
    `SELECT count(p.latency_us) AS n, percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY p.latency_us) AS q
     FROM ${w.from} JOIN ml_predictions p ON p.log_id = ${w.id} AND p.model_name = $${p.push(m.name)} AND p.model_version = $${p.push(m.version)} ${w.where}`,
    p,
  );
  const n = Number(rows[0]?.n ?? 0);
  const q = rows[0]?.q;
  return n > 0 && q ? { n, p50Us: q[0]!, p95Us: q[1]!, p99Us: q[2]! } : null;
}

/** Labels joined to predictions: a CSV (by log_id, as a parameter array) or a labels table, counted in SQL. */
async function labelJoin(db: Queryable, opts: DbReportOptions, slots: Slots): Promise<{ join: LabelJoin; file: string } | null> {
  if (opts.labels) {
    if (opts.labels.key !== 'log_id') throw new UsageError(`${opts.labels.file} joins on ${opts.labels.key}; database predictions join on log_id`, 'give a labels CSV with a log_id column');
    const join = new LabelJoin(opts.labels);
    const ids = [...opts.labels.labels.keys()];
    const byId = new Map<string, { level: string | null; anomaly: boolean | null }>();
    for (const [slot, m] of [['level', slots.level], ['anomaly', slots.anomaly]] as const) {
      if (!m) continue;
      const { rows } = await db.query<{ id: string; level: string | null; anomaly: boolean | null }>(
        'SELECT log_id AS id, predicted_level AS level, is_anomaly AS anomaly FROM ml_predictions WHERE log_id = ANY($1::text[]) AND model_name = $2 AND model_version = $3',
        [ids, m.name, m.version],
      );
      for (const r of rows) {
        const e = byId.get(r.id) ?? { level: null, anomaly: null };
        if (slot === 'level') e.level = r.level;
        else e.anomaly = r.anomaly;
        byId.set(r.id, e);
      }
    }
    for (const [id, e] of byId) join.add(id, e.level, e.anomaly);
    return { join, file: opts.labels.file };
  }
  if (!opts.labelsTable) return null;
  const t = quoteTable(opts.labelsTable);
  const { fields } = await db.query(`SELECT * FROM ${t} LIMIT 0`);
  const cols = new Set(fields.map((f) => f.name));
  if (!cols.has('log_id') || (!cols.has('level') && !cols.has('is_anomaly'))) {
    throw new UsageError(`labels table ${opts.labelsTable} needs log_id and level and/or is_anomaly columns; it has: ${[...cols].join(', ')}`);
  }
  // the confusion counts are grouped in SQL; only (actual, predicted, count) rows come back
  const set: LabelSet = { key: 'log_id', labels: new Map(), hasLevel: cols.has('level'), hasAnomaly: cols.has('is_anomaly'), rows: 0, unknownLevels: 0 };
  const join = new LabelJoin(set);
  const { rows: cnt } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`);
  set.rows = Number(cnt[0]!.n);
  let matched = 0;
  if (slots.level && set.hasLevel) {
    const { rows } = await db.query<{ a: string; p: string; n: string }>(
      `SELECT t.level::text AS a, p.predicted_level AS p, count(*) AS n FROM ${t} t JOIN ml_predictions p ON p.log_id = t.log_id::text AND p.model_name = $1 AND p.model_version = $2
       WHERE t.level IS NOT NULL AND p.predicted_level IS NOT NULL GROUP BY 1, 2`,
      [slots.level.name, slots.level.version],
    );
    for (const r of rows) {
      const a = normalizeLevel(r.a);
      if (!a) continue;
      for (let i = 0; i < Number(r.n); i++) join.levelActual.push(a), join.levelPredicted.push(r.p);
    }
    matched = Math.max(matched, join.levelActual.length);
  }
  if (slots.anomaly && set.hasAnomaly) {
    const { rows } = await db.query<{ a: boolean; p: boolean; n: string }>(
      `SELECT t.is_anomaly::text::boolean AS a, p.is_anomaly AS p, count(*) AS n FROM ${t} t JOIN ml_predictions p ON p.log_id = t.log_id::text AND p.model_name = $1 AND p.model_version = $2
       WHERE t.is_anomaly IS NOT NULL AND p.is_anomaly IS NOT NULL GROUP BY 1, 2`,
      [slots.anomaly.name, slots.anomaly.version],
    );
    for (const r of rows) for (let i = 0; i < Number(r.n); i++) join.anomalyActual.push(r.a), join.anomalyPredicted.push(r.p);
    matched = Math.max(matched, join.anomalyActual.length);
  }
  join.matchedCount = matched;
  return { join, file: `table ${opts.labelsTable}` };
}

/** The training profiles stored with the models in the registry, when they are registered. */
async function registryProfiles(db: Queryable, models: Array<{ name: string; version: string }>): Promise<Reference | null> {
  const profiles: Array<{ model: string; profile: ReferenceProfile }> = [];
  for (const m of models) {
    const { rows } = await db.query<{ p: ReferenceProfile | null }>(`SELECT metadata->'referenceProfile' AS p FROM ml_models WHERE name = $1 AND version = $2`, [m.name, m.version]);
    if (rows[0]?.p) profiles.push({ model: ref(m), profile: rows[0].p });
  }
  return profiles.length ? { kind: 'profile', description: `training profile (from the registry) of ${profiles.map((p) => `${p.model} (n=${p.profile.n})`).join(', ')}`, profiles } : null;
}

/** Report over ml_predictions joined to the log table's window. */
export async function dbReport(opts: DbReportOptions): Promise<ReportResult> {
  const pool = createPool({ db: opts.db, max: 2, applicationName: 'logml report' });
  try {
    await ping(pool, { db: opts.db });
    await requireSchema(pool);
    return await buildDbReport(pool, opts);
  } catch (err) {
    throw dbFailure(err, 'building the report');
  } finally {
    await pool.end();
  }
}

async function buildDbReport(pool: pg.Pool, opts: DbReportOptions): Promise<ReportResult> {
  const given = opts.models.length > 0;
  const wanted = given ? await resolveRefs(pool, opts.models) : undefined;
  const found = await modelsInWindow(pool, opts.table, opts.range, wanted);
  const models = wanted ?? found.map((m) => ({ name: m.name, version: m.version }));
  const notes: string[] = [];
  if (models.length === 0) notes.push('no predictions for any log in the window; coverage is 0');
  const slots = pickSlots(found, given);
  const current = models.length ? await windowSnapshot(pool, opts.table, opts.range, models, slots) : await windowSnapshot(pool, opts.table, opts.range, [{ name: '', version: '' }], slots);
  let reference: Reference | null = null;
  if (opts.baseline) {
    const base = await windowSnapshot(pool, opts.table, opts.baseline, models.length ? models : [{ name: '', version: '' }], slots);
    reference = { kind: 'baseline', description: `baseline window ${describe(opts.baseline)} (n=${base.total})`, snapshot: base };
  } else if (opts.modelFiles.length) reference = profileReference(opts.modelFiles);
  else reference = await registryProfiles(pool, [slots.level, slots.anomaly].filter((m): m is { name: string; version: string } => m !== null));
  if (!reference) notes.push('drift: no reference (give --baseline-since/--baseline-until, --model-file, or register the models)');
  const labeled = await labelJoin(pool, opts, slots);
  const lat = models.length ? await latency(pool, opts.table, opts.range, slots.level ?? slots.anomaly ?? models[0]!) : null;
  if (!lat) notes.push('latency: no stored latencies (latency_us) for the window');
  const result: ReportResult = {
    source: { kind: 'db', table: opts.table.table, window: Object.fromEntries(Object.entries(opts.range).filter(([, v]) => v !== undefined)) as Record<string, string> },
    models: models.map(ref),
    coverage: { ...coverageOf(current), perModel: models.map((m, i) => ({ model: ref(m), covered: current.perModel[i]!, share: current.total ? current.perModel[i]! / current.total : 0 })) },
    accuracy: labeled ? accuracyOf(labeled.join, labeled.file) : null,
    drift: reference ? computeDrift(current, reference, opts.thresholds ?? DEFAULT_DRIFT_THRESHOLDS) : null,
    latency: lat,
    volume: volumeOf(current.perHour, current.total),
    distributions: distributionsOf(current),
    gates: [],
    notes,
  };
  result.gates = evaluateGates(result, opts.gates ?? {});
  if (opts.record) await record(pool, result, slots);
  return result;
}

function describe(r: LogRange): string {
  return Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(' ') || '(all)';
}

/** One ml_model_metrics row per selected model, with the figures that belong to it. */
async function record(db: Queryable, r: ReportResult, slots: Slots): Promise<void> {
  const details = { ...r, volume: { ...r.volume, perHour: undefined }, distributions: undefined };
  for (const m of r.coverage.perModel ?? []) {
    const [name, version] = [m.model.slice(0, m.model.lastIndexOf('@')), m.model.slice(m.model.lastIndexOf('@') + 1)];
    const isLevel = slots.level !== null && ref(slots.level) === m.model;
    const isAnomaly = slots.anomaly !== null && ref(slots.anomaly) === m.model;
    const lv = isLevel ? r.accuracy?.level ?? null : null;
    const an = isAnomaly ? r.accuracy?.anomaly ?? null : null;
    await recordMetrics(db, {
      modelName: name,
      modelVersion: version,
      accuracy: lv ? lv.accuracy : an ? an.accuracy : null,
      f1: lv ? lv.macroF1 : an ? an.f1 : null,
      fpr: an ? an.fpr : null,
      coverage: m.share,
      drift: isLevel ? (r.drift?.level?.psi ?? null) : isAnomaly ? (r.drift?.score?.ks ?? null) : null,
      sampleSize: lv ? lv.n : an ? an.n : r.coverage.n,
      predictionsCount: m.covered,
      details: { generatedBy: 'logml report', ...details },
    });
  }
}
