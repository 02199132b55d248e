/**
 * @file The report's result type: every figure computed from data, each with its sample size.
 * Shared by the builders (NDJSON, PostgreSQL), the gates and the renderers.
 */
import type { BinaryReport, ClassificationReport } from '../metrics/index.js';
import type { DriftReport } from './drift.js';
import type { GateResult } from './gates.js';
import type { DayCount } from './snapshot.js';

export interface ReportResult {
  /** Where the predictions came from. */
  source: { kind: 'ndjson'; files: string[] } | { kind: 'db'; table: string; window: Record<string, string> };
  models: string[];
  coverage: {
    /** Logs in the window. */
    n: number;
    covered: number;
    missing: number;
    share: number;
    ci95: [number, number];
    perDay: DayCount[];
    /** Per model, for database reports (each model's own share). */
    perModel?: Array<{ model: string; covered: number; share: number }>;
  };
  accuracy: {
    labels: { file: string; rows: number; key: string; matched: number; unmatched: number; unknownLevels: number };
    level: ClassificationReport | null;
    anomaly: BinaryReport | null;
  } | null;
  drift: DriftReport | null;
  /**
   * Scoring time per log, as the mean of the batch each log was scored in (a batch is one ONNX
   * run: a single log's own latency does not exist): percentiles over the `batches`, `n` logs.
   */
  batchLatency: { n: number; batches: number; p50Us: number; p95Us: number; p99Us: number } | null;
  volume: { n: number; hours: number; meanPerHour: number; peakPerHour: number; peakHour: string | null; perHour: Array<{ hour: string; count: number }> };
  /** The current window's distributions, for charts: predicted-level counts, anomaly scores in 20 bins over [0, 1]. */
  distributions: { levels: Record<string, number>; scoreHistogram: number[]; scoreN: number };
  gates: GateResult[];
  notes: string[];
  /** The ml_model_metrics rows `--record` wrote (absent without --record). */
  recorded?: RecordedMetrics[];
}

export interface RecordedMetrics {
  id: number;
  model: string;
  accuracy: number | null;
  f1: number | null;
  fpr: number | null;
  coverage: number | null;
  drift: number | null;
  sampleSize: number | null;
}
