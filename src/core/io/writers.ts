/**
 * @file Output formats for scored records: ndjson (one JSON object per line), csv (RFC 4180),
 * json (one array), table (one fixed-width text table that fits the terminal, its rows printed
 * batch by batch so a stream never waits for its end).
 * The fields and their names are the contract documented in the README's "Output fields".
 */
import type { LogRecord, Prediction, PredictionColumns } from '../types.js';
import { ByteSink } from './byte-sink.js';
import { createCsvWriter, createNdjsonWriter } from './fast-writers.js';
import type { TextSink } from './sink.js';
import { outputWidth, TextTable, type TextColumn } from './text-table.js';

export const OUTPUT_FORMATS = ['ndjson', 'table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ScoredRecord {
  record: LogRecord;
  prediction: Prediction;
  /** The record's template; `params` (the text at each `<*>`) when asked for, null when not readable. */
  template?: { id: string; text: string; params?: string[] | null } | null;
}

/** A template as the writers see it (the template stage's answer for one record). */
export interface RecordTemplate {
  id: string;
  text: string;
  params?: string[] | null;
}

/**
 * One scored batch as columns: record i has predictions[i] and templates[i]; only the records
 * listed in `keep` (ascending), or all when it is null, are written. No object per output row.
 */
export interface ScoredBatch {
  records: readonly LogRecord[];
  predictions: PredictionColumns;
  templates: readonly RecordTemplate[] | null;
  keep: readonly number[] | null;
}

export interface RecordWriter {
  write(batch: ScoredBatch): Promise<void>;
  end(): Promise<void>;
}

/** The rows of a batch, for the writers that are not on the hot path (json, table). */
function rowsOf(batch: ScoredBatch): ScoredRecord[] {
  const rows: ScoredRecord[] = [];
  const n = batch.keep ? batch.keep.length : batch.records.length;
  for (let k = 0; k < n; k++) {
    const i = batch.keep ? batch.keep[k]! : k;
    const p = batch.predictions;
    rows.push({ record: batch.records[i]!, prediction: { predictedLevel: p.predictedLevel(i), levelProbability: p.levelProbability(i), anomalyScore: p.anomalyScore(i), isAnomaly: p.isAnomaly(i) }, template: batch.templates ? batch.templates[i]! : null });
  }
  return rows;
}

export interface WriterOptions {
  /** `name@version` of each model used. */
  models: readonly string[];
  /** Include template_id / template columns. */
  templates: boolean;
  /** Include a params column (after template; needs `templates`). */
  params?: boolean;
  /** Table width (default: outputWidth(), the terminal's). */
  width?: number;
}

export const OUTPUT_FIELDS = ['source', 'line', 'time', 'level', 'message', 'predicted_level', 'level_probability', 'anomaly_score', 'is_anomaly', 'model'] as const;

function round4(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1e4) / 1e4;
}

function jsonOrNull(v: string | null | undefined): string {
  return v === null || v === undefined ? 'null' : JSON.stringify(v);
}

/** JSON of a string known to need no escaping (ISO times, level names), else JSON.stringify. */
function plainJson(v: string | null | undefined): string {
  if (v === null || v === undefined) return 'null';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) return JSON.stringify(v);
  }
  return '"' + v + '"';
}

/** One NDJSON line, built by concatenation (this runs a million times a second). */
function ndjsonLine(row: ScoredRecord, sourceJson: string, modelJson: string, templates: boolean, params = false): string {
  const r = row.record;
  const p = row.prediction;
  let s =
    '{"source":' + sourceJson +
    ',"line":' + r.line +
    ',"time":' + plainJson(r.time) +
    ',"level":' + (r.level === null ? 'null' : '"' + r.level + '"') +
    ',"message":' + JSON.stringify(r.message) +
    (r.status === undefined ? '' : ',"status":' + r.status) +
    ',"predicted_level":' + (p.predictedLevel === null ? 'null' : '"' + p.predictedLevel + '"') +
    ',"level_probability":' + round4(p.levelProbability) +
    ',"anomaly_score":' + round4(p.anomalyScore) +
    ',"is_anomaly":' + p.isAnomaly;
  if (templates) s += ',"template_id":' + jsonOrNull(row.template?.id) + ',"template":' + jsonOrNull(row.template?.text);
  if (templates && params) s += ',"params":' + JSON.stringify(row.template?.params ?? null);
  return s + ',"model":' + modelJson + '}\n';
}

/** Memoised JSON of the (few) distinct source names. */
function sourceJsonCache(): (source: string) => string {
  let last = '';
  let lastJson = '""';
  return (source) => {
    if (source !== last) {
      last = source;
      lastJson = JSON.stringify(source);
    }
    return lastJson;
  };
}

/** One RFC 4180 CSV cell: quoted when it holds a quote, comma or line break; null is empty. */
export function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function fieldValues(row: ScoredRecord, models: string, templates: boolean, params = false): Array<string | number | boolean | null> {
  const r = row.record;
  const p = row.prediction;
  const base: Array<string | number | boolean | null> = [r.source, r.line, r.time, r.level, r.message, p.predictedLevel, round4(p.levelProbability), round4(p.anomalyScore), p.isAnomaly];
  if (templates) base.push(row.template?.id ?? null, row.template?.text ?? null);
  if (templates && params) base.push(row.template?.params ? JSON.stringify(row.template.params) : null);
  base.push(models);
  return base;
}

function headerFields(templates: boolean, params = false): string[] {
  const h: string[] = OUTPUT_FIELDS.slice(0, 9);
  if (templates) h.push('template_id', 'template');
  if (templates && params) h.push('params');
  h.push('model');
  return h;
}

export function createWriter(format: OutputFormat, sink: TextSink, options: WriterOptions): RecordWriter {
  const modelJson = JSON.stringify(options.models);
  const modelText = options.models.join(' ');
  switch (format) {
    case 'ndjson':
      return sink instanceof ByteSink ? createNdjsonWriter(sink, options) : textWriter(sink, (row) => ndjsonLine(row, JSON.stringify(row.record.source), modelJson, options.templates, options.params));
    case 'json': {
      const sourceJson = sourceJsonCache();
      let first = true;
      return {
        async write(batch) {
          let out = '';
          for (const row of rowsOf(batch)) {
            out += (first ? '[\n' : ',\n') + ndjsonLine(row, sourceJson(row.record.source), modelJson, options.templates, options.params).slice(0, -1);
            first = false;
          }
          await sink.write(out);
        },
        async end() {
          await sink.write(first ? '[]\n' : '\n]\n');
          await sink.end();
        },
      };
    }
    case 'csv':
    {
      const header = headerFields(options.templates, options.params).join(',') + '\n';
      return sink instanceof ByteSink ? createCsvWriter(sink, options, header) : textWriter(sink, (row) => fieldValues(row, modelText, options.templates, options.params).map(csvCell).join(',') + '\n', header);
    }
    case 'table':
      return createTableWriter(sink, options);
  }
}

/**
 * The reference writers (ndjson, csv) on any text sink: a string per row, joined per batch. The
 * hot path (fast-writers.ts, on a ByteSink) writes the same bytes.
 */
function textWriter(sink: TextSink, line: (row: ScoredRecord) => string, header?: string): RecordWriter {
  let headerDone = header === undefined;
  return {
    async write(batch) {
      let out = headerDone ? '' : header!;
      headerDone = true;
      for (const row of rowsOf(batch)) out += line(row);
      await sink.write(out);
    },
    async end() {
      if (!headerDone) await sink.write(header!);
      headerDone = true;
      await sink.end();
    },
  };
}

/**
 * One table for the whole stream, laid out once for the output's width (outputWidth): the
 * header and model line first, then each batch's rows in the same columns, however few the
 * rows of a batch are (--only-anomalies) and however long their messages.
 */
function createTableWriter(sink: TextSink, options: WriterOptions): RecordWriter {
  const columns: TextColumn[] = [
    { head: 'line', width: 22, align: 'right', cut: 'start' },
    { head: 'level', width: 5, optional: true },
    { head: 'predicted', width: 9 },
    { head: 'p', width: 4 },
    { head: 'anomaly', width: 7 },
    ...(options.templates ? [{ head: 'template', width: 16, optional: true }] : []),
    { head: 'message' },
  ];
  const table = new TextTable(columns, options.width ?? outputWidth());
  let started = false;
  return {
    async write(batch) {
      const rows = rowsOf(batch);
      if (rows.length === 0) return;
      let out = '';
      if (!started) {
        out += table.text(`models: ${options.models.join(', ')}`) + table.header();
        started = true;
      }
      for (const { record: r, prediction: p, template } of rows) {
        const cells: string[] = [
          `${r.source === '-' ? '' : r.source + ':'}${r.line}`,
          r.level ?? '',
          p.predictedLevel ?? '',
          p.levelProbability === null ? '' : p.levelProbability.toFixed(2),
          p.anomalyScore === null ? '' : `${p.anomalyScore.toFixed(2)}${p.isAnomaly ? ' !' : ''}`,
          ...(options.templates ? [template?.id ?? ''] : []),
          r.message.split('\n')[0]!,
        ];
        out += table.row(cells);
      }
      await sink.write(out);
    },
    end: () => sink.end(),
  };
}
