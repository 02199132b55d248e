/**
 * @file The labeled records `train --db` trains on: one window of the log table joined to the
 * labels table (readLabeledLogs), as the LabeledMessage records the file path produces, so the
 * same trainers write the same bundle. Owns its Pool for the read; never writes to the database.
 */
import { UsageError } from '../errors.js';
import type { LabeledMessage } from '../train/trainers.js';
import { createPool, dbFailure, ping } from './connection.js';
import { labelsTableInfo, readLabeledLogs, type LabeledRow } from './labeled-logs.js';
import type { LogRange, LogTableSpec } from './log-source.js';

export interface DbTrainDataOptions {
  db?: string | undefined;
  table: LogTableSpec;
  range: LogRange;
  task: 'level' | 'anomaly';
  /** Labels table (default ml_labels); optional for the level task. */
  labelsTable: string;
  /** Anomaly: read every log, unlabeled ones as normal (default: labeled logs only). */
  unlabeledNormal: boolean;
  /** Anomaly, unsupervised: every log is read, labels only keep known anomalies out. */
  unsupervised: boolean;
  limit: number;
}

export interface DbTrainData {
  records: LabeledMessage[];
  /** More rows matched than `limit`: the oldest were left out. */
  capped: boolean;
  logSource: string;
  /** How the rows were chosen, for the model's description. */
  description: string;
}

/** A labeled row as a trainer's record; `group` is the log source (one source: no balancing). */
export function toLabeledMessage(r: LabeledRow, group: string, unlabeledNormal = false): LabeledMessage {
  return { message: r.message, level: r.level, anomaly: r.anomaly ?? (unlabeledNormal ? false : null), group };
}

/** A window's description: `logs since 2026-11-25T00:00:00.000Z until ...`. */
export function describeWindow(table: string, range: LogRange): string {
  const parts = Object.entries({ from: range.fromId, to: range.toId, since: range.since, until: range.until }).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`);
  return `${table}${parts.length ? ` ${parts.join(' ')}` : ' (all rows)'}`;
}

/**
 * Read the training records of `train --db`.
 * @example const { records } = await loadDbTrainData({ table: DEFAULT_LOG_TABLE, range: { since: '2026-11-25' }, task: 'level', labelsTable: 'ml_labels', unlabeledNormal: false, unsupervised: false, limit: 200_000 });
 */
export async function loadDbTrainData(o: DbTrainDataOptions): Promise<DbTrainData> {
  const pool = createPool({ db: o.db, max: 1, applicationName: 'logml train' });
  try {
    await ping(pool, { db: o.db });
    const supervisedAnomaly = o.task === 'anomaly' && !o.unsupervised && !o.unlabeledNormal;
    const labels = await labelsTableInfo(pool, o.labelsTable, supervisedAnomaly);
    const require = o.task === 'level' ? 'level' : supervisedAnomaly ? 'anomaly' : 'none';
    const r = await readLabeledLogs(pool, { table: o.table, range: o.range, labels, require, limit: o.limit });
    if (r.rows.length === 0) {
      const what = require === 'level' ? 'logs with a level' : require === 'anomaly' ? `logs labeled in ${o.labelsTable} (is_anomaly)` : 'logs';
      throw new UsageError(`no ${what} in ${describeWindow(o.table.table, o.range)}`, require === 'anomaly' ? 'label logs in ml_labels (docs/db.md), or give --unlabeled-normal / --unsupervised' : 'widen the window (--since, --until, --from, --to), or check --table and the column options');
    }
    const records = r.rows.map((x) => toLabeledMessage(x, r.logSource, o.unlabeledNormal));
    const description = `${describeWindow(o.table.table, o.range)}${r.capped ? `, the newest ${o.limit}` : ''}`;
    return { records, capped: r.capped, logSource: r.logSource, description };
  } catch (err) {
    throw dbFailure(err, 'reading training data');
  } finally {
    await pool.end().catch(() => undefined);
  }
}
