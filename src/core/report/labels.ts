/**
 * @file Labeled samples for `report`: a CSV with a header (`log_id`, or `line` and optionally
 * `source`, then `level` and/or `is_anomaly`), loaded into a map keyed the way predictions are
 * joined. Only the labels are kept in memory (the sample, not the predictions).
 */
import { InputError } from '../errors.js';
import { normalizeLevel } from '../parse/level.js';
import { parseAnomalyLabel, readCsvRows } from '../train/dataset.js';
import type { Level } from '../types.js';

export interface Label {
  level: Level | null;
  anomaly: boolean | null;
}

export interface LabelSet {
  /** How rows are joined: by database log id, or by (source, line) / line of a predictions file. */
  key: 'log_id' | 'source+line' | 'line';
  labels: Map<string, Label>;
  hasLevel: boolean;
  hasAnomaly: boolean;
  /** Rows read (header excluded). */
  rows: number;
  /** Level cells that were not empty and not a level. */
  unknownLevels: number;
}

/** The join key of a prediction for a label set. */
export function labelKey(set: Pick<LabelSet, 'key'>, p: { logId?: string | null; source?: string | null; line?: number | string | null }): string {
  if (set.key === 'log_id') return String(p.logId ?? '');
  if (set.key === 'line') return String(p.line ?? '');
  return `${p.source ?? ''}\u0000${p.line ?? ''}`;
}

/**
 * Load a labels CSV.
 * @example loadLabelsCsv('labels.csv') // { key: 'line', labels: Map { '1' => { level: 'INFO', anomaly: false } }, ... }
 */
export function loadLabelsCsv(path: string): LabelSet {
  const rows = readCsvRows(path, 'labels CSV', 'labels are a CSV with a header: log_id (or line, optionally source), then level and/or is_anomaly');
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const idI = col('log_id'), lineI = col('line'), srcI = col('source'), levelI = col('level'), anomI = col('is_anomaly');
  const hint = 'the header needs log_id (database) or line (and optionally source) to join on, and level and/or is_anomaly';
  if (idI < 0 && lineI < 0) throw new InputError(`${path}: no log_id or line column; the header has: ${rows[0]!.join(', ')}`, hint);
  if (levelI < 0 && anomI < 0) throw new InputError(`${path}: no level or is_anomaly column; the header has: ${rows[0]!.join(', ')}`, hint);
  const key: LabelSet['key'] = idI >= 0 ? 'log_id' : srcI >= 0 ? 'source+line' : 'line';
  const labels = new Map<string, Label>();
  let unknownLevels = 0;
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]!;
    const k = labelKey({ key }, { logId: row[idI], source: row[srcI], line: row[lineI]?.trim() });
    let level: Level | null = null;
    if (levelI >= 0 && row[levelI]) {
      level = normalizeLevel(row[levelI]);
      if (!level) unknownLevels++;
    }
    if (anomI >= 0 && row[anomI] !== undefined && row[anomI]!.trim() !== '') {
      const v = row[anomI]!.trim().toLowerCase();
      if (!['1', '0', 'true', 'false'].includes(v)) throw new InputError(`${path}, row ${r + 1}: is_anomaly is "${row[anomI]}"`, 'is_anomaly must be true/false or 1/0');
    }
    labels.set(k, { level, anomaly: anomI >= 0 ? parseAnomalyLabel(row[anomI]) : null });
  }
  return { key, labels, hasLevel: levelI >= 0, hasAnomaly: anomI >= 0, rows: rows.length - 1, unknownLevels };
}
