/**
 * @file Labeled data for train and evaluate: CSV files (columns chosen by option or found by
 * name) and log files (each record's explicit level is its label). Returns plain
 * LabeledMessage arrays in input order; throws InputError naming the file and column on bad data.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { createRecordParser, normalizeLevel, type InputFormat } from '../parse/index.js';
import type { LabeledMessage } from './trainers.js';
import { openLineSource } from '../io/line-source.js';
import type { SkipCounts } from '../io/line-splitter.js';
import type { LogRecord } from '../types.js';

export interface CsvColumns {
  text?: string;
  level?: string;
  label?: string;
  group?: string;
}

const TEXT_NAMES = ['message', 'content', 'text', 'msg', 'log', 'body', 'line'];
const LEVEL_NAMES = ['level', 'severity', 'lvl', 'loglevel', 'severity_text'];
const LABEL_NAMES = ['is_anomaly', 'anomaly', 'label', 'is_alert'];

const NORMAL = new Set(['0', 'false', 'no', 'n', 'normal', '-', 'ok', 'f']);
const ANOMALOUS = new Set(['1', 'true', 'yes', 'y', 'anomaly', 'anomalous', 'alert', 't']);

/**
 * Anomaly label from a cell: 1/true/yes/anomaly -> true; 0/false/no/normal/`-` -> false;
 * empty -> null (unlabeled); any other text (an alert category such as BGL's `KERNDTLB`) -> true.
 */
export function parseAnomalyLabel(cell: string | undefined): boolean | null {
  if (cell === undefined) return null;
  const v = cell.trim().toLowerCase();
  if (v === '') return null;
  if (NORMAL.has(v)) return false;
  if (ANOMALOUS.has(v)) return true;
  return true;
}

function findColumn(header: string[], wanted: string | undefined, candidates: string[], role: string, path: string, required: boolean): number {
  const lower = header.map((h) => h.trim().toLowerCase());
  if (wanted !== undefined) {
    const i = lower.indexOf(wanted.toLowerCase());
    if (i < 0) throw new InputError(`${path}: no column "${wanted}" for the ${role}; the header has: ${header.join(', ')}`, `pick one of those with --${role}-column`);
    return i;
  }
  for (const c of candidates) {
    const i = lower.indexOf(c);
    if (i >= 0) return i;
  }
  if (required) throw new InputError(`${path}: no ${role} column found (looked for ${candidates.join(', ')}); the header has: ${header.join(', ')}`, `name it with --${role}-column`);
  return -1;
}

export interface LoadedDataset {
  records: LabeledMessage[];
  /** Which columns were used, for the user to see. */
  columns: { text: string; level: string | null; label: string | null };
  /** Rows whose level cell was not empty but not a level either. */
  unknownLevels: number;
  /** Log files: lines left out (too long, unparsable) or repaired (bad bytes), as predict counts them. */
  skipped?: SkipCounts;
}

/** Load a labeled CSV with a header row. */
export function loadCsvDataset(path: string, columns: CsvColumns = {}, group?: string): LoadedDataset {
  const rows = readCsvRows(path, 'CSV', 'labeled data is a CSV with a header row and at least one row, or log files with levels');
  const header = rows[0]!;
  const ti = findColumn(header, columns.text, TEXT_NAMES, 'text', path, true);
  const li = findColumn(header, columns.level, LEVEL_NAMES, 'level', path, false);
  const ai = findColumn(header, columns.label, LABEL_NAMES, 'label', path, false);
  const gi = columns.group ? findColumn(header, columns.group, [], 'group', path, true) : -1;
  let unknownLevels = 0;
  const records: LabeledMessage[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    const message = row[ti] ?? '';
    let level = null;
    if (li >= 0 && row[li]) {
      level = normalizeLevel(row[li]);
      if (!level) unknownLevels++;
    }
    records.push({
      message,
      level,
      anomaly: ai >= 0 ? parseAnomalyLabel(row[ai]) : null,
      group: gi >= 0 ? (row[gi] ?? '') : (group ?? path),
    });
  }
  return { records, columns: { text: header[ti]!, level: li >= 0 ? header[li]! : null, label: ai >= 0 ? header[ai]! : null }, unknownLevels };
}

/**
 * All rows of a CSV file (header first), or an InputError naming the file: missing, a directory,
 * not CSV, or empty. `what` names the file's role in messages; `hint` says what it should hold.
 */
export function readCsvRows(path: string, what: string, hint: string): string[][] {
  checkReadableFile(path);
  let rows: string[][];
  try {
    rows = parse(readFileSync(path), { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch (err) {
    throw new InputError(`${path}: not a readable CSV (${(err as Error).message.split('\n')[0]})`, hint);
  }
  if (rows.length === 0) throw new InputError(`${path}: the ${what} is empty`, hint);
  return rows;
}

export function checkReadableFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`, 'check the path');
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`, 'check the file permissions');
    throw new InputError(`${path}: cannot read (${code ?? (err as Error).message})`, 'check the path');
  }
  if (st.isDirectory()) throw new InputError(`${path} is a directory, not a file`, 'name the files inside it, e.g. dir/*.log');
}

/**
 * Load a log file as labeled data: each record's explicit level is its label (records without
 * one are kept, unlabeled). Anomaly labels are not carried by log lines: they stay null.
 */
export async function loadLogDataset(path: string, inputFormat: InputFormat | 'auto' = 'auto'): Promise<LoadedDataset> {
  const source = await openLineSource({ path });
  const parser = createRecordParser({ source: path, format: inputFormat });
  const records: LabeledMessage[] = [];
  const add = (rs: LogRecord[]) => {
    for (const r of rs) records.push({ message: r.message, level: r.level, anomaly: null, group: path });
  };
  for await (const batch of source.batches) {
    for (let i = 0; i < batch.lines.length; i++) add(parser.push(batch.lines[i]!, batch.lineNos[i]!));
  }
  add(parser.flush());
  const skipped = { ...source.skipped, unparsable: source.skipped.unparsable + parser.unparsable };
  return { records, columns: { text: 'message', level: 'level', label: null }, unknownLevels: 0, skipped };
}

/** CSV files (by .csv extension) and log files, in the order given. */
export async function loadDatasets(paths: readonly string[], columns: CsvColumns, inputFormat: InputFormat | 'auto' = 'auto'): Promise<LoadedDataset[]> {
  const out: LoadedDataset[] = [];
  for (const p of paths) out.push(/\.csv$/i.test(p) ? loadCsvDataset(p, columns) : await loadLogDataset(p, inputFormat));
  return out;
}
