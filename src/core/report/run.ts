/**
 * @file The one core call behind `logml report`: build the report (from predictions files or from
 * PostgreSQL), write it in the chosen format to the given stream, write the HTML page, record
 * the figures, then throw GateBreachedError (exit 3) if a gate was breached. Never exits.
 */
import { UsageError } from '../errors.js';
import type { Writable } from 'node:stream';
import { writeFileAtomic } from '../io/atomic-write.js';
import { createSink } from '../io/sink.js';
import type { DriftThresholds } from './drift.js';
import { gateBreach, type GateSpec } from './gates.js';
import { renderHtml } from './html.js';
import { loadLabelsCsv } from './labels.js';
import { renderJson, renderMarkdown, renderTable } from './render.js';
import { ndjsonReport } from './report.js';
import type { DbReportOptions } from './sql.js';
import type { RecordedMetrics, ReportResult } from './types.js';

export type ReportFormat = 'table' | 'json' | 'markdown';

export interface ReportOptions {
  /** Predictions files (NDJSON); exclusive with `db`. */
  predictions?: string[];
  baselinePredictions?: string[];
  /** The database path. */
  db?: Omit<DbReportOptions, 'labels' | 'modelFiles' | 'thresholds' | 'gates'>;
  labels?: string;
  modelFiles?: string[];
  thresholds: DriftThresholds;
  gates: GateSpec;
  format: ReportFormat;
  html?: string;
}

export function renderReport(r: ReportResult, format: ReportFormat): string {
  return format === 'json' ? renderJson(r) : format === 'markdown' ? renderMarkdown(r) : renderTable(r);
}

/** The stderr line confirming one row written by --record (the table's own rounding: 3 decimals). */
export function recordedLine(m: RecordedMetrics): string {
  const f = (x: number | null) => (x === null ? '-' : String(Math.round(x * 1000) / 1000));
  return `logml: recorded ml_model_metrics id ${m.id} for ${m.model}: accuracy ${f(m.accuracy)}, f1 ${f(m.f1)}, fpr ${f(m.fpr)}, coverage ${f(m.coverage)}, drift ${f(m.drift)}, n ${m.sampleSize ?? '-'}`;
}

/**
 * Build, write, and gate. Returns the result when no gate was breached. What `--record` wrote is
 * confirmed on `stderr`, one line per row.
 */
export async function runReport(opts: ReportOptions, stdout: Writable, stderr?: Writable): Promise<ReportResult> {
  if (opts.predictions?.length && opts.db) throw new UsageError('give either --predictions or --db, not both', 'files: logml report --predictions preds.ndjson; database: logml report --db URL --since 1d');
  const labels = opts.labels ? { ...loadLabelsCsv(opts.labels), file: opts.labels } : undefined;
  let result: ReportResult;
  if (opts.db) {
    const { dbReport } = await import('./sql.js');
    result = await dbReport({ ...opts.db, labels, modelFiles: opts.modelFiles ?? [], thresholds: opts.thresholds, gates: opts.gates });
  } else {
    if (!opts.predictions?.length) throw new UsageError('nothing to report on', 'give --predictions preds.ndjson (logml predict output), or --db to read ml_predictions');
    result = await ndjsonReport({ predictions: opts.predictions, labels, modelFiles: opts.modelFiles, baseline: opts.baselinePredictions, thresholds: opts.thresholds, gates: opts.gates });
  }
  // through the EPIPE-aware sink: `logml report ... | head` ends quietly
  const sink = createSink(stdout);
  await sink.write(renderReport(result, opts.format));
  await sink.end();
  if (opts.html) await writeFileAtomic(opts.html, renderHtml(result));
  for (const m of result.recorded ?? []) stderr?.write(`${recordedLine(m)}\n`);
  const breach = gateBreach(result.gates);
  if (breach) throw breach;
  return result;
}
