/**
 * @file The body of `GET /v1/status`: the loaded models (name@version, task, sha256, where they
 * came from) with the figures measured for them, as they were recorded: the held-out and
 * training figures stored in the model file (each with its sample size n; a bundle holds no
 * timestamp, so their `measuredAt` is null), and with a database the latest ml_model_metrics
 * rows (each with its sample size and time). Nothing is computed or filled in here.
 */
import type { MetricsRow } from '../db/registry.js';
import type { EngineModel } from './engine.js';

export interface StatusInput {
  logmlVersion: string;
  startedAtMs: number;
  nowMs: number;
  models: readonly EngineModel[];
  /** null: no database; else the rows per model ref, or the error met reading them. */
  database: { logSource: string; metrics: Map<string, MetricsRow[]> | null; error: string | null } | null;
  limits: Record<string, number>;
  auth: 'bearer' | 'none';
  inFlight: number;
  draining: boolean;
}

function storedRow(r: MetricsRow) {
  return {
    id: r.id,
    accuracy: r.accuracy,
    f1: r.f1,
    fpr: r.fpr,
    coverage: r.coverage,
    drift: r.drift,
    sampleSize: r.sampleSize,
    predictionsCount: r.predictionsCount,
    measuredAt: r.measuredAt,
    source: (r.details as { source?: unknown } | null)?.source ?? null,
  };
}

export function buildStatus(s: StatusInput): Record<string, unknown> {
  return {
    status: s.draining ? 'draining' : 'ok',
    logml: s.logmlVersion,
    startedAt: new Date(s.startedAtMs).toISOString(),
    uptimeS: Math.round((s.nowMs - s.startedAtMs) / 1000),
    models: s.models.map((m) => ({
      model: m.ref,
      name: m.meta.name,
      version: m.meta.version,
      task: m.task,
      sha256: m.sha256,
      origin: m.origin,
      labels: m.meta.labels,
      threshold: m.meta.threshold ?? null,
      trainingData: { records: m.meta.trainingData.records, fingerprint: m.meta.trainingData.fingerprint, description: m.meta.trainingData.description },
      // as stored in the model file by `logml train` (heldOut: data kept out of training)
      fileMetrics: Object.fromEntries(
        (['heldOut', 'training'] as const).filter((k) => m.meta.metrics[k]).map((k) => [k, { ...m.meta.metrics[k], measuredAt: null }]),
      ),
      // ml_model_metrics rows (register --eval, report --record), newest first
      measured: s.database === null || s.database.metrics === null ? null : (s.database.metrics.get(m.ref) ?? []).map(storedRow),
    })),
    database: s.database === null ? null : { logSource: s.database.logSource, reachable: s.database.error === null, error: s.database.error },
    limits: s.limits,
    auth: s.auth,
    inFlight: s.inFlight,
  };
}
