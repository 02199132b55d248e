/**
 * @file Output formats for scored records: ndjson (one JSON object per line), csv (RFC 4180),
 * json (one array), table (cli-table3, printed in blocks so a stream never waits for its end).
 * The fields and their names are the contract documented in the README's "Output fields".
 */
import Table from 'cli-table3';
import type { LogRecord, Prediction } from '../types.js';
import type { TextSink } from './sink.js';

export const OUTPUT_FORMATS = ['ndjson', 'table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ScoredRecord {
  record: LogRecord;
  prediction: Prediction;
  template?: { id: string; text: string } | null;
}

export interface RecordWriter {
  write(rows: readonly ScoredRecord[]): Promise<void>;
  end(): Promise<void>;
}

export interface WriterOptions {
  /** `name@version` of each model used. */
  models: readonly string[];
  /** Include template_id / template columns. */
  templates: boolean;
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
function ndjsonLine(row: ScoredRecord, sourceJson: string, modelJson: string, templates: boolean): string {
  const r = row.record;
  const p = row.prediction;
  let s =
    '{"source":' + sourceJson +
    ',"line":' + r.line +
    ',"time":' + plainJson(r.time) +
    ',"level":' + (r.level === null ? 'null' : '"' + r.level + '"') +
    ',"message":' + JSON.stringify(r.message) +
    ',"predicted_level":' + (p.predictedLevel === null ? 'null' : '"' + p.predictedLevel + '"') +
    ',"level_probability":' + round4(p.levelProbability) +
    ',"anomaly_score":' + round4(p.anomalyScore) +
    ',"is_anomaly":' + p.isAnomaly;
  if (templates) s += ',"template_id":' + jsonOrNull(row.template?.id) + ',"template":' + jsonOrNull(row.template?.text);
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

function fieldValues(row: ScoredRecord, models: string, templates: boolean): Array<string | number | boolean | null> {
  const r = row.record;
  const p = row.prediction;
  const base: Array<string | number | boolean | null> = [r.source, r.line, r.time, r.level, r.message, p.predictedLevel, round4(p.levelProbability), round4(p.anomalyScore), p.isAnomaly];
  if (templates) base.push(row.template?.id ?? null, row.template?.text ?? null);
  base.push(models);
  return base;
}

function headerFields(templates: boolean): string[] {
  const h: string[] = OUTPUT_FIELDS.slice(0, 9);
  if (templates) h.push('template_id', 'template');
  h.push('model');
  return h;
}

export function createWriter(format: OutputFormat, sink: TextSink, options: WriterOptions): RecordWriter {
  const modelJson = JSON.stringify(options.models);
  const modelText = options.models.join(' ');
  switch (format) {
    case 'ndjson': {
      const sourceJson = sourceJsonCache();
      return {
        async write(rows) {
          let out = '';
          for (const row of rows) out += ndjsonLine(row, sourceJson(row.record.source), modelJson, options.templates);
          await sink.write(out);
        },
        end: () => sink.end(),
      };
    }
    case 'json': {
      const sourceJson = sourceJsonCache();
      let first = true;
      return {
        async write(rows) {
          let out = '';
          for (const row of rows) {
            out += (first ? '[\n' : ',\n') + ndjsonLine(row, sourceJson(row.record.source), modelJson, options.templates).slice(0, -1);
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
    case 'csv': {
      let headerDone = false;
      return {
        async write(rows) {
          let out = headerDone ? '' : headerFields(options.templates).join(',') + '\n';
          headerDone = true;
          for (const row of rows) out += fieldValues(row, modelText, options.templates).map(csvCell).join(',') + '\n';
          await sink.write(out);
        },
        async end() {
          if (!headerDone) await sink.write(headerFields(options.templates).join(',') + '\n');
          await sink.end();
        },
      };
    }
    case 'table':
      return createTableWriter(sink, options);
  }
}

/** Rows per printed table: cli-table3's time grows faster than the rows of one table (measured ~5x for 4,096 rows). */
export const TABLE_PAGE_ROWS = 256;

function createTableWriter(sink: TextSink, options: WriterOptions): RecordWriter {
  const width = Math.max(60, process.stdout.columns ?? 120);
  const messageWidth = Math.max(20, width - 70);
  const head = ['line', 'level', 'predicted', 'p', 'anomaly', 'message'];
  if (options.templates) head.splice(5, 0, 'template');
  let printedModels = false;
  return {
    async write(rows) {
      for (let at = 0; at < rows.length; at += TABLE_PAGE_ROWS) await writePage(rows.slice(at, at + TABLE_PAGE_ROWS));
    },
    end: () => sink.end(),
  };
  async function writePage(rows: ScoredRecord[]): Promise<void> {
    const table = new Table({ head, style: { head: [], border: [], compact: true }, wordWrap: false });
    for (const { record: r, prediction: p, template } of rows) {
      const msg = r.message.split('\n')[0]!;
      const cells: string[] = [
        `${r.source === '-' ? '' : r.source + ':'}${r.line}`,
        r.level ?? '',
        p.predictedLevel ?? '',
        p.levelProbability === null ? '' : p.levelProbability.toFixed(2),
        p.anomalyScore === null ? '' : `${p.anomalyScore.toFixed(2)}${p.isAnomaly ? ' !' : ''}`,
        msg.length > messageWidth ? msg.slice(0, messageWidth - 1) + '…' : msg,
      ];
      if (options.templates) cells.splice(5, 0, template?.id ?? '');
      table.push(cells);
    }
    let out = table.toString() + '\n';
    if (!printedModels) {
      out = `models: ${options.models.join(', ')}\n` + out;
      printedModels = true;
    }
    await sink.write(out);
  }
}
