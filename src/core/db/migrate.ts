/**
 * @file Schema migrations: numbered, append-only steps recorded in `logml_schema_version`, run in
 * one transaction under a transaction-level advisory lock, so re-running is a no-op and two
 * concurrent `logml db migrate` are safe (the second waits, then finds nothing to do).
 * Never touches the user's log table.
 */
import type pg from 'pg';
import { FailureError } from '../errors.js';
import { dbFailure, withTransaction } from './connection.js';

/** Advisory lock key for migrations ('logml' + 'migr' as two int4). */
const MIGRATION_LOCK: readonly [number, number] = [0x6c6f676d, 0x6d696772];

interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** The schema, in order. Never edit a released step: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'predictions, metrics, model registry',
    sql: `
CREATE TABLE IF NOT EXISTS ml_predictions (
  log_id            TEXT NOT NULL,
  model_name        TEXT NOT NULL,
  model_version     TEXT NOT NULL,
  predicted_level   TEXT,
  level_confidence  REAL,
  anomaly_score     REAL,
  is_anomaly        BOOLEAN,
  template_id       TEXT,
  latency_us        INTEGER,
  predicted_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (log_id, model_name, model_version)
);
-- no (model_name, model_version, ...) index on purpose: without fresh statistics the planner
-- prefers it to the primary key for the backfill's per-log probe and scans a whole model's rows
-- per log (measured: 348 s for one 5000-log chunk at 100k predictions). Dashboards filter by time.
CREATE INDEX IF NOT EXISTS ml_predictions_predicted_at_idx ON ml_predictions (predicted_at);

CREATE TABLE IF NOT EXISTS ml_model_metrics (
  id                SERIAL PRIMARY KEY,
  model_name        TEXT NOT NULL,
  model_version     TEXT NOT NULL,
  accuracy          DECIMAL(5,3),
  predictions_count INTEGER,
  measured_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  f1                DECIMAL(5,3),
  fpr               DECIMAL(5,3),
  coverage          DECIMAL(5,3),
  drift             DOUBLE PRECISION,
  sample_size       INTEGER,
  details           JSONB
);
CREATE INDEX IF NOT EXISTS ml_model_metrics_model_idx ON ml_model_metrics (model_name, model_version, measured_at);

CREATE TABLE IF NOT EXISTS ml_models (
  name        TEXT NOT NULL,
  version     TEXT NOT NULL,
  sha256      TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  onnx        BYTEA NOT NULL,
  metadata    JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

CREATE TABLE IF NOT EXISTS ml_model_aliases (
  name        TEXT NOT NULL,
  alias       TEXT NOT NULL,
  version     TEXT NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (name, alias),
  FOREIGN KEY (name, version) REFERENCES ml_models (name, version)
);
`,
  },
  {
    version: 2,
    description: 'backfill run log',
    sql: `
CREATE TABLE IF NOT EXISTS ml_backfill_runs (
  id           BIGSERIAL PRIMARY KEY,
  job_key      TEXT NOT NULL,
  models       TEXT[] NOT NULL,
  log_table    TEXT NOT NULL,
  started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at  TIMESTAMPTZ,
  scored       BIGINT NOT NULL DEFAULT 0,
  status       TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed'))
);
`,
  },
  {
    version: 3,
    description: 'template miner state (ml_templates, ml_template_meta)',
    sql: `
CREATE TABLE IF NOT EXISTS ml_templates (
  template_id       TEXT PRIMARY KEY,
  template          TEXT NOT NULL,
  tokens            JSONB NOT NULL,
  wildcards         INTEGER NOT NULL DEFAULT 0,
  count             BIGINT NOT NULL DEFAULT 0,
  created_tick      BIGINT NOT NULL DEFAULT 0,
  last_seen_tick    BIGINT NOT NULL DEFAULT 0,
  variant_of        TEXT,
  variant_position  INTEGER,
  first_seen        TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ml_template_meta (
  id               BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  tick             BIGINT NOT NULL DEFAULT 0,
  aliases          JSONB NOT NULL DEFAULT '{}'::jsonb,
  parameter_words  JSONB NOT NULL DEFAULT '[]'::jsonb,
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 4,
    description: 'ml_predictions keyed by log source (log_source, log_id, model_name, model_version)',
    // Ids of two log tables collide, so a prediction names its table. Rows written before this
    // step did not say which table they scored: they are given the table of the first backfill
    // run (ml_backfill_runs), else "logs" (the default table), as PostgreSQL names it. The
    // constant default fills existing rows without rewriting the table; it is dropped after, so
    // every writer must name the source.
    sql: `
DO $$
DECLARE
  src text;
BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'ml_predictions' AND column_name = 'log_source' AND table_schema = current_schema()) THEN
    RETURN;
  END IF;
  BEGIN
    SELECT to_regclass(log_table)::text INTO src FROM ml_backfill_runs ORDER BY id LIMIT 1;
  EXCEPTION WHEN others THEN
    src := NULL;
  END;
  src := coalesce(src, to_regclass('logs')::text, 'logs');
  EXECUTE format('ALTER TABLE ml_predictions ADD COLUMN log_source TEXT NOT NULL DEFAULT %L', src);
  ALTER TABLE ml_predictions ALTER COLUMN log_source DROP DEFAULT;
  ALTER TABLE ml_predictions DROP CONSTRAINT ml_predictions_pkey;
  ALTER TABLE ml_predictions ADD PRIMARY KEY (log_source, log_id, model_name, model_version);
END $$;
`,
  },
  {
    version: 5,
    description: 'ml_predictions.latency_us renamed batch_latency_us (it is a batch mean, not a per-log latency)',
    // Models score a batch in one ONNX run: no single log's latency exists. The column always
    // held the batch's scoring time divided by its size; its name now says so.
    sql: `
ALTER TABLE ml_predictions RENAME COLUMN latency_us TO batch_latency_us;
COMMENT ON COLUMN ml_predictions.batch_latency_us IS 'scoring time of the batch this log was scored in, divided by the batch size (microseconds); the same for every log of a batch';
`,
  },
  {
    version: 6,
    description: 'archived model versions (ml_models.archived_at)',
    sql: `ALTER TABLE ml_models ADD COLUMN IF NOT EXISTS archived_at TIMESTAMPTZ;`,
  },
  {
    version: 7,
    description: 'labels for training and evaluation (ml_labels)',
    // One row per labeled log of one log table (log_source as ml_predictions names it). A level
    // here corrects the log's own level column; is_anomaly is the anomaly label; sample names a
    // labeled sample (e.g. "golden-2026-11") that retrain --eval-sample holds out of training.
    sql: `
CREATE TABLE IF NOT EXISTS ml_labels (
  log_source  TEXT NOT NULL,
  log_id      TEXT NOT NULL,
  is_anomaly  BOOLEAN,
  level       TEXT CHECK (level IS NULL OR level IN ('TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL')),
  category    TEXT,
  sample      TEXT,
  labeled_by  TEXT,
  labeled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (log_source, log_id),
  CHECK (is_anomaly IS NOT NULL OR level IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS ml_labels_sample_idx ON ml_labels (sample) WHERE sample IS NOT NULL;
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export interface MigrateResult {
  /** Versions applied by this call (empty when already up to date). */
  applied: number[];
  /** Schema version after the call. */
  version: number;
}

/**
 * Bring the schema up to date. Idempotent; safe to run concurrently.
 * @example const { applied, version } = await migrate(pool);
 */
export async function migrate(pool: pg.Pool): Promise<MigrateResult> {
  try {
    return await withTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS logml_schema_version (
        version     INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM logml_schema_version');
      const current = rows[0]?.v ?? 0;
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO logml_schema_version (version, description) VALUES ($1, $2)', [m.version, m.description]);
        applied.push(m.version);
      }
      return { applied, version: Math.max(current, SCHEMA_VERSION) };
    });
  } catch (err) {
    throw dbFailure(err, 'migrating the logml schema');
  }
}

/** The schema version recorded in the database (0: never migrated). */
export async function schemaVersion(pool: pg.Pool): Promise<number> {
  try {
    const { rows } = await pool.query<{ t: string | null }>(`SELECT to_regclass('logml_schema_version')::text AS t`);
    if (!rows[0]?.t) return 0;
    const r = await pool.query<{ v: number | null }>('SELECT max(version) AS v FROM logml_schema_version');
    return r.rows[0]?.v ?? 0;
  } catch (err) {
    throw dbFailure(err, 'reading the logml schema version');
  }
}

/** Refuse to run against a database that `logml db migrate` has not brought up to date. */
export async function requireSchema(pool: pg.Pool): Promise<void> {
  const v = await schemaVersion(pool);
  if (v < SCHEMA_VERSION) {
    throw new FailureError(
      v === 0 ? 'the logml tables do not exist in this database' : `the logml schema is at version ${v}, this logml needs ${SCHEMA_VERSION}`,
      'run "logml db migrate" (same --db / DATABASE_URL) first',
    );
  }
}
