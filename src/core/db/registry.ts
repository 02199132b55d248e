/**
 * @file The model registry in PostgreSQL: `ml_models` holds each name@version's ONNX bytes with
 * their sha256, `ml_model_aliases` maps name@alias (e.g. production) to a version, and
 * `ml_model_metrics` rows record evaluations. Bytes are checked against their sha256 whenever
 * they are loaded. Knows nothing of ONNX itself: the model layer parses the bytes.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { FailureError, InputError, UsageError } from '../errors.js';
import { dbFailure, withTransaction, type Queryable } from './connection.js';

export interface ModelRef {
  name: string;
  /** Exactly one of version / alias. */
  version?: string;
  alias?: string;
}

export interface ResolvedModel {
  name: string;
  version: string;
  sha256: string;
  bytes: Uint8Array;
}

export interface RegisterInput {
  name: string;
  version: string;
  bytes: Uint8Array;
  metadata?: Record<string, unknown>;
  /** Point these aliases at the new version. */
  aliases?: readonly string[];
}

export interface RegisterResult {
  name: string;
  version: string;
  sha256: string;
  /** false: the same bytes were already registered under name@version (a no-op). */
  created: boolean;
  aliases: string[];
}

export interface ModelSummary {
  name: string;
  version: string;
  sha256: string;
  sizeBytes: number;
  createdAt: string;
  aliases: string[];
  /** The model's task from its metadata (level, anomaly), or null. */
  task: string | null;
  /** When `models archive` archived this version (hidden from `models list`, not promotable), or null. */
  archivedAt: string | null;
  /** The most recent ml_model_metrics row of this version (register --eval, report --record), or null. */
  latestMetrics: { accuracy: number | null; f1: number | null; fpr: number | null; coverage: number | null; sampleSize: number | null; measuredAt: string } | null;
}

export interface ModelDetails extends Omit<ModelSummary, 'task' | 'latestMetrics' | 'archivedAt'> {
  metadata: Record<string, unknown>;
  metrics: MetricsRow[];
}

export interface MetricsInput {
  modelName: string;
  modelVersion: string;
  accuracy?: number | null;
  predictionsCount?: number | null;
  f1?: number | null;
  fpr?: number | null;
  coverage?: number | null;
  drift?: number | null;
  sampleSize?: number | null;
  details?: Record<string, unknown> | null;
}

export interface MetricsRow extends Required<Omit<MetricsInput, 'details'>> {
  id: number;
  measuredAt: string;
  details: Record<string, unknown> | null;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkName(what: string, value: string): void {
  if (!NAME_RE.test(value)) {
    throw new UsageError(`invalid model ${what} "${value}"`, `use letters, digits, ".", "_" or "-" (at most 128), e.g. level or 1.2.0`);
  }
}

/**
 * Parse `name@version` or `name@alias`. A part that names an existing alias wins at resolution
 * time; here both are kept as `tag`.
 * @example parseModelRef('level@production') // { name: 'level', tag: 'production' }
 */
export function parseModelRef(ref: string): { name: string; tag: string } {
  const at = ref.lastIndexOf('@');
  if (at <= 0 || at === ref.length - 1) {
    throw new UsageError(`invalid model reference "${ref}"`, 'expected name@version or name@alias, e.g. level@production or level@1.0.0');
  }
  const name = ref.slice(0, at);
  const tag = ref.slice(at + 1);
  checkName('name', name);
  checkName('version or alias', tag);
  return { name, tag };
}

/**
 * Store a model's bytes under name@version. Same bytes again: a no-op (aliases still move).
 * Different bytes under an existing name@version: refused.
 * @example await registerModel(pool, { name: 'level', version: '1.0.0', bytes, aliases: ['production'] })
 */
export async function registerModel(pool: pg.Pool, input: RegisterInput): Promise<RegisterResult> {
  checkName('name', input.name);
  checkName('version', input.version);
  for (const a of input.aliases ?? []) checkName('alias', a);
  const sha = sha256Hex(input.bytes);
  try {
    return await withTransaction(pool, async (c) => {
      const ins = await c.query(
        `INSERT INTO ml_models (name, version, sha256, onnx, metadata) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name, version) DO NOTHING`,
        [input.name, input.version, sha, Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength), JSON.stringify(input.metadata ?? {})],
      );
      const created = ins.rowCount === 1;
      if (!created) {
        const { rows } = await c.query<{ sha256: string }>('SELECT sha256 FROM ml_models WHERE name = $1 AND version = $2', [input.name, input.version]);
        const existing = rows[0]?.sha256;
        if (existing !== sha) {
          throw new InputError(
            `${input.name}@${input.version} is already registered with different bytes (sha256 ${existing?.slice(0, 12)}..., this file ${sha.slice(0, 12)}...)`,
            `a registered version never changes, and a model's version is stored in its file: retrain with "logml train ... --name ${input.name} --model-version <new version>", then register that file`,
          );
        }
      }
      for (const alias of input.aliases ?? []) await setAlias(c, input.name, alias, input.version);
      return { name: input.name, version: input.version, sha256: sha, created, aliases: [...(input.aliases ?? [])] };
    });
  } catch (err) {
    throw dbFailure(err, `registering ${input.name}@${input.version}`);
  }
}

async function setAlias(c: Queryable, name: string, alias: string, version: string): Promise<void> {
  await c.query(
    `INSERT INTO ml_model_aliases (name, alias, version, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`,
    [name, alias, version],
  );
}

/**
 * Point name@alias at an existing version.
 * @example await promoteModel(pool, 'level@1.1.0', 'production')
 */
export async function promoteModel(pool: pg.Pool, ref: string, alias: string): Promise<{ name: string; alias: string; version: string; previous: string | null }> {
  const { name, tag } = parseModelRef(ref);
  checkName('alias', alias);
  try {
    return await withTransaction(pool, async (c) => {
      const version = await resolveVersion(c, name, tag);
      const archived = await c.query('SELECT 1 FROM ml_models WHERE name = $1 AND version = $2 AND archived_at IS NOT NULL', [name, version]);
      if (archived.rows.length) throw new UsageError(`${name}@${version} is archived: an alias cannot point at it`, `restore it first: logml models archive ${name}@${version} --restore`);
      const prev = await c.query<{ version: string }>('SELECT version FROM ml_model_aliases WHERE name = $1 AND alias = $2 FOR UPDATE', [name, alias]);
      await setAlias(c, name, alias, version);
      return { name, alias, version, previous: prev.rows[0]?.version ?? null };
    });
  } catch (err) {
    throw dbFailure(err, `promoting ${ref} to ${alias}`);
  }
}

/**
 * Archive a version (as MLflow's "Archived" stage): hidden from `models list` (unless --all) and
 * never promoted, but still loadable by its version (predictions stored under it stay
 * explainable). Refused while an alias points at it. `restore` undoes it.
 * @example await archiveModel(pool, 'level@1.0.0') // { name: 'level', version: '1.0.0', archived: true }
 */
export async function archiveModel(pool: pg.Pool, ref: string, opts: { restore?: boolean } = {}): Promise<{ name: string; version: string; archived: boolean; changed: boolean }> {
  const { name, tag } = parseModelRef(ref);
  try {
    return await withTransaction(pool, async (c) => {
      const version = await resolveVersion(c, name, tag);
      if (!opts.restore) {
        const al = await c.query<{ alias: string }>('SELECT alias FROM ml_model_aliases WHERE name = $1 AND version = $2 ORDER BY alias', [name, version]);
        if (al.rows.length) {
          const aliases = al.rows.map((r) => r.alias);
          throw new UsageError(`${name}@${version} is what ${aliases.join(', ')} point${aliases.length === 1 ? 's' : ''} at: it cannot be archived`, `promote another version first: logml models promote ${name}@<version> --alias ${aliases[0]}`);
        }
      }
      const res = await c.query(
        opts.restore ? 'UPDATE ml_models SET archived_at = NULL WHERE name = $1 AND version = $2 AND archived_at IS NOT NULL' : 'UPDATE ml_models SET archived_at = now() WHERE name = $1 AND version = $2 AND archived_at IS NULL',
        [name, version],
      );
      return { name, version, archived: !opts.restore, changed: (res.rowCount ?? 0) > 0 };
    });
  } catch (err) {
    throw dbFailure(err, `${opts.restore ? 'restoring' : 'archiving'} ${ref}`);
  }
}

/** The version a tag names: an alias first, else a version. */
async function resolveVersion(c: Queryable, name: string, tag: string): Promise<string> {
  const { rows } = await c.query<{ version: string }>(
    `SELECT version FROM ml_model_aliases WHERE name = $1 AND alias = $2
     UNION ALL SELECT version FROM ml_models WHERE name = $1 AND version = $2
     LIMIT 1`,
    [name, tag],
  );
  const v = rows[0]?.version;
  if (v === undefined) {
    const known = await c.query<{ v: string }>(
      `SELECT version AS v FROM ml_models WHERE name = $1 UNION ALL SELECT alias FROM ml_model_aliases WHERE name = $1 ORDER BY 1`,
      [name],
    );
    const list = known.rows.map((r) => r.v);
    throw new InputError(
      `no model ${name}@${tag} in the registry`,
      list.length ? `known versions and aliases of ${name}: ${list.join(', ')}` : `no model named ${name}; see "logml models list"`,
    );
  }
  return v;
}

/**
 * Load a model's bytes from the registry by `name@version` or `name@alias`, checking them
 * against their sha256; a mismatch is refused.
 * @example const { bytes, sha256 } = await resolveModelRef(pool, 'level@production');
 */
export async function resolveModelRef(pool: Queryable, ref: string): Promise<ResolvedModel> {
  const { name, tag } = parseModelRef(ref);
  let row: { version: string; sha256: string; onnx: Buffer } | undefined;
  try {
    const version = await resolveVersion(pool, name, tag);
    const { rows } = await pool.query<{ version: string; sha256: string; onnx: Buffer }>(
      'SELECT version, sha256, onnx FROM ml_models WHERE name = $1 AND version = $2',
      [name, version],
    );
    row = rows[0];
  } catch (err) {
    throw dbFailure(err, `loading ${ref} from the registry`);
  }
  if (!row) throw new InputError(`no model ${ref} in the registry`, 'see "logml models list"');
  const bytes = new Uint8Array(row.onnx.buffer, row.onnx.byteOffset, row.onnx.byteLength);
  const actual = sha256Hex(bytes);
  if (actual !== row.sha256) {
    throw new FailureError(
      `${name}@${row.version} in the registry does not match its sha256 (recorded ${row.sha256.slice(0, 12)}..., stored bytes hash to ${actual.slice(0, 12)}...): refusing to load it`,
      'the stored model was altered or corrupted; register the original file again under a new version',
    );
  }
  return { name, version: row.version, sha256: row.sha256, bytes };
}

/**
 * Registered models, newest first within a name, with their aliases, task and latest measured
 * metrics; archived versions only with `all`.
 */
export async function listModels(pool: Queryable, opts: { all?: boolean } = {}): Promise<ModelSummary[]> {
  try {
    const { rows } = await pool.query<{
      name: string; version: string; sha256: string; size: number; created_at: Date; aliases: string[]; task: string | null;
      accuracy: number | null; f1: number | null; fpr: number | null; coverage: number | null; sample_size: number | null; measured_at: Date | null; archived_at: Date | null;
    }>(
      `SELECT m.name, m.version, m.sha256, octet_length(m.onnx) AS size, m.created_at, m.metadata->>'task' AS task, m.archived_at,
              coalesce((SELECT array_agg(a.alias ORDER BY a.alias) FROM ml_model_aliases a WHERE a.name = m.name AND a.version = m.version), '{}') AS aliases,
              x.accuracy::float8 AS accuracy, x.f1::float8 AS f1, x.fpr::float8 AS fpr, x.coverage::float8 AS coverage, x.sample_size, x.measured_at
       FROM ml_models m
       LEFT JOIN LATERAL (SELECT * FROM ml_model_metrics x WHERE x.model_name = m.name AND x.model_version = m.version ORDER BY x.measured_at DESC, x.id DESC LIMIT 1) x ON true
       WHERE $1 OR m.archived_at IS NULL
       ORDER BY m.name, m.created_at DESC, m.version DESC`,
      [opts.all === true],
    );
    return rows.map((r) => ({
      name: r.name,
      version: r.version,
      sha256: r.sha256,
      sizeBytes: Number(r.size),
      createdAt: r.created_at.toISOString(),
      aliases: r.aliases,
      task: r.task,
      archivedAt: r.archived_at ? r.archived_at.toISOString() : null,
      latestMetrics: r.measured_at ? { accuracy: r.accuracy, f1: r.f1, fpr: r.fpr, coverage: r.coverage, sampleSize: r.sample_size, measuredAt: r.measured_at.toISOString() } : null,
    }));
  } catch (err) {
    throw dbFailure(err, 'listing models');
  }
}

/** One model's metadata, aliases and metrics history (latest first). */
export async function showModel(pool: Queryable, ref: string): Promise<ModelDetails> {
  const { name, tag } = parseModelRef(ref);
  try {
    const version = await resolveVersion(pool, name, tag);
    const { rows } = await pool.query<{ sha256: string; size: number; created_at: Date; metadata: Record<string, unknown> }>(
      'SELECT sha256, octet_length(onnx) AS size, created_at, metadata FROM ml_models WHERE name = $1 AND version = $2',
      [name, version],
    );
    const m = rows[0];
    if (!m) throw new InputError(`no model ${ref} in the registry`, 'see "logml models list"');
    const al = await pool.query<{ alias: string }>('SELECT alias FROM ml_model_aliases WHERE name = $1 AND version = $2 ORDER BY alias', [name, version]);
    return {
      name,
      version,
      sha256: m.sha256,
      sizeBytes: Number(m.size),
      createdAt: m.created_at.toISOString(),
      aliases: al.rows.map((r) => r.alias),
      metadata: m.metadata,
      metrics: await listMetrics(pool, name, version),
    };
  } catch (err) {
    throw dbFailure(err, `showing ${ref}`);
  }
}

/**
 * Append an `ml_model_metrics` row (figures from an evaluation on a labeled sample, never invented).
 * Rates are fractions in [0, 1], stored as DECIMAL(5,3).
 */
export async function recordMetrics(pool: Queryable, m: MetricsInput): Promise<number> {
  try {
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO ml_model_metrics (model_name, model_version, accuracy, predictions_count, f1, fpr, coverage, drift, sample_size, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [m.modelName, m.modelVersion, m.accuracy ?? null, m.predictionsCount ?? null, m.f1 ?? null, m.fpr ?? null, m.coverage ?? null, m.drift ?? null, m.sampleSize ?? null, m.details ? JSON.stringify(m.details) : null],
    );
    return rows[0]!.id;
  } catch (err) {
    throw dbFailure(err, `recording metrics for ${m.modelName}@${m.modelVersion}`);
  }
}

/** The ml_model_metrics rows of one model version, newest first (at most `limit`). */
export async function listMetrics(pool: Queryable, name: string, version: string, limit?: number): Promise<MetricsRow[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT id, model_name, model_version, accuracy::float8 AS accuracy, predictions_count, f1::float8 AS f1, fpr::float8 AS fpr,
            coverage::float8 AS coverage, drift, sample_size, measured_at, details
     FROM ml_model_metrics WHERE model_name = $1 AND model_version = $2 ORDER BY measured_at DESC, id DESC${limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(limit))}` : ''}`,
    [name, version],
  );
  return rows.map((r) => ({
    id: r.id as number,
    modelName: r.model_name as string,
    modelVersion: r.model_version as string,
    accuracy: r.accuracy as number | null,
    predictionsCount: r.predictions_count as number | null,
    f1: r.f1 as number | null,
    fpr: r.fpr as number | null,
    coverage: r.coverage as number | null,
    drift: r.drift as number | null,
    sampleSize: r.sample_size as number | null,
    measuredAt: (r.measured_at as Date).toISOString(),
    details: r.details as Record<string, unknown> | null,
  }));
}
