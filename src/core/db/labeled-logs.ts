/**
 * @file Labeled training and evaluation data from PostgreSQL, for `train --db` and `retrain`:
 * rows of the user's log table (read only) joined to a labels table (`ml_labels` by default):
 * the level from the log's level column unless the labels table corrects it, the anomaly label
 * from the labels table. Read by keyset pages on the id column, at most `limit` rows (the most
 * recent ones, by id), so memory is bounded whatever the window. Names are quoted, values are
 * parameters. Returns plain rows; never writes to the terminal.
 */
import type pg from 'pg';
import { InputError, UsageError } from '../errors.js';
import { normalizeLevel } from '../parse/index.js';
import type { Level } from '../types.js';
import type { Queryable } from './connection.js';
import { quoteIdent, quoteTable } from './ident.js';
import { logSourceOf, rangeConditions, tableError, type LogRange, type LogTableSpec } from './log-source.js';

/** What a labels table offers: log_id and at least one of level / is_anomaly; log_source and sample optional. */
export interface LabelsTableInfo {
  name: string;
  hasLevel: boolean;
  hasAnomaly: boolean;
  hasSource: boolean;
  hasSample: boolean;
  hasCategory: boolean;
}

/** One labeled log row. */
export interface LabeledRow {
  id: string;
  time: string | null;
  message: string;
  /** The labels table's level when it has one for this log, else the log's level column. */
  level: Level | null;
  /** From the labels table; null: unlabeled. */
  anomaly: boolean | null;
  /** The named sample the label belongs to (labels table `sample`), or null. */
  sample: string | null;
}

/** Which rows to read. */
export interface LabeledQuery {
  table: LogTableSpec;
  range: LogRange;
  /** null: no labels table (levels from the log table only). */
  labels: LabelsTableInfo | null;
  /** Only rows with this label: a level (level task) or an anomaly label (supervised anomaly). */
  require: 'level' | 'anomaly' | 'none';
  /** At most this many rows: the most recent by id. */
  limit: number;
  /** Rows of this named sample only (then `range` is ignored) ... */
  sample?: { name: string; mode: 'only' | 'exclude' } | undefined;
  /** Rows per page (default 2000). */
  pageSize?: number;
}

export interface LabeledResult {
  rows: LabeledRow[];
  /** True when more rows matched than `limit` (the oldest were left out). */
  capped: boolean;
  /** The log source name of the table (`ml_predictions.log_source`). */
  logSource: string;
}

/** Inspect a labels table; null when it does not exist (and `required` is false). */
export async function labelsTableInfo(db: Queryable, name: string, required: boolean): Promise<LabelsTableInfo | null> {
  const t = quoteTable(name);
  const exists = (await db.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [t])).rows[0]?.r;
  if (!exists) {
    if (!required) return null;
    throw new InputError(`labels table ${t} does not exist`, name === 'ml_labels' ? 'run "logml db migrate" to create ml_labels, then insert labels (see docs/db.md)' : 'name an existing table with --labels-table');
  }
  const { fields } = await db.query(`SELECT * FROM ${t} LIMIT 0`);
  const cols = new Set(fields.map((f) => f.name));
  const info: LabelsTableInfo = { name, hasLevel: cols.has('level'), hasAnomaly: cols.has('is_anomaly'), hasSource: cols.has('log_source'), hasSample: cols.has('sample'), hasCategory: cols.has('category') };
  if (!cols.has('log_id') || (!info.hasLevel && !info.hasAnomaly)) {
    throw new InputError(`labels table ${t} needs a log_id column and a level and/or is_anomaly column; it has: ${[...cols].join(', ')}`, 'see docs/db.md for ml_labels, or name another table with --labels-table');
  }
  return info;
}

interface Row {
  id: string;
  message: string | null;
  level: string | null;
  time: Date | string | null;
  label_level: string | null;
  is_anomaly: boolean | null;
  sample: string | null;
}

function iso(t: Date | string | null): string | null {
  if (t === null) return null;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Read labeled rows of the log table, oldest first (id order), at most `q.limit` (the newest).
 * @example const { rows } = await readLabeledLogs(pool, { table: DEFAULT_LOG_TABLE, range: { since: '2026-11-01' }, labels, require: 'level', limit: 200_000 });
 */
export async function readLabeledLogs(db: Queryable, q: LabeledQuery): Promise<LabeledResult> {
  const { table: spec, labels } = q;
  if (q.require === 'anomaly' && !labels?.hasAnomaly) throw new UsageError(`anomaly labels come from a labels table with an is_anomaly column${labels ? `; ${labels.name} has none` : ''}`, 'run "logml db migrate" and fill ml_labels (docs/db.md), or name the table with --labels-table');
  if (q.require === 'level' && !spec.levelColumn && !labels?.hasLevel) throw new UsageError('the level task needs levels: the log table has no level column (--level-column "") and the labels table none', 'name the level column with --level-column');
  if (q.sample && !labels?.hasSample) throw new UsageError(`a named sample needs a labels table with a sample column${labels ? `; ${labels.name} has none` : ''}`, 'use ml_labels (logml db migrate), or a time split (--holdout, --eval-since)');
  let logSource: string;
  try {
    logSource = await logSourceOf(db, spec);
  } catch (err) {
    throw tableError(err, spec, `reading ${quoteTable(spec.table)}`);
  }
  const id = `l.${quoteIdent(spec.idColumn)}`;
  const params: unknown[] = [];
  const conds = q.sample?.mode === 'only' ? [] : rangeConditions(spec, q.range, params, 'l');
  let join = '';
  let select = `${id}::text AS id, l.${quoteIdent(spec.textColumn)}::text AS message, ${spec.levelColumn ? `l.${quoteIdent(spec.levelColumn)}::text` : 'NULL::text'} AS level, ${spec.timeColumn ? `l.${quoteIdent(spec.timeColumn)}` : 'NULL::timestamptz'} AS time`;
  if (labels) {
    const on = [`b.log_id::text = ${id}::text`];
    if (labels.hasSource) on.push(`b.log_source = $${params.push(logSource)}`);
    join = ` LEFT JOIN ${quoteTable(labels.name)} b ON ${on.join(' AND ')}`;
    select += `, ${labels.hasLevel ? 'b.level::text' : 'NULL::text'} AS label_level, ${labels.hasAnomaly ? 'b.is_anomaly::text::boolean' : 'NULL::boolean'} AS is_anomaly, ${labels.hasSample ? 'b.sample::text' : 'NULL::text'} AS sample`;
  } else select += ', NULL::text AS label_level, NULL::boolean AS is_anomaly, NULL::text AS sample';
  if (q.require === 'anomaly') conds.push('b.is_anomaly IS NOT NULL');
  if (q.require === 'level') conds.push(`coalesce(${labels?.hasLevel ? 'b.level::text' : 'NULL::text'}, ${spec.levelColumn ? `l.${quoteIdent(spec.levelColumn)}::text` : 'NULL::text'}) IS NOT NULL`);
  if (q.sample) conds.push(q.sample.mode === 'only' ? `b.sample = $${params.push(q.sample.name)}` : `b.sample IS DISTINCT FROM $${params.push(q.sample.name)}`);
  const from = `${quoteTable(spec.table)} l${join}`;
  const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  const run = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    try {
      return (await db.query<R>(text, values)).rows;
    } catch (err) {
      throw tableError(err, spec, `reading ${quoteTable(spec.table)}`);
    }
  };
  // the newest `limit` rows: the id of the limit-th newest is the lower bound (one index scan)
  const bound = (await run<{ id: unknown }>(`SELECT ${id} AS id FROM ${from}${where} ORDER BY ${id} DESC OFFSET ${q.limit} LIMIT 1`, params))[0];
  const capped = bound !== undefined;
  const pageSize = q.pageSize ?? 2000;
  const rows: LabeledRow[] = [];
  let after: unknown;
  for (;;) {
    const p = [...params];
    const c = [...conds];
    if (capped) c.push(`${id} > $${p.push(bound.id)}`);
    if (after !== undefined) c.push(`${id} > $${p.push(after)}`);
    const page = await run<Row & { raw_id: unknown }>(`SELECT ${select}, ${id} AS raw_id FROM ${from}${c.length ? ` WHERE ${c.join(' AND ')}` : ''} ORDER BY ${id} LIMIT ${pageSize}`, p);
    for (const r of page) {
      rows.push({
        id: r.id,
        time: iso(r.time),
        message: r.message ?? '',
        level: normalizeLevel(r.label_level) ?? normalizeLevel(r.level),
        anomaly: r.is_anomaly,
        sample: r.sample,
      });
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.raw_id;
  }
  return { rows, capped, logSource };
}
