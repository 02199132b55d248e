/**
 * @file Reading the user's log table (read only, never written): a range by id (--from/--to) or
 * by time (--since/--until), by keyset pagination on the id column in batches, so memory stays
 * flat for any range and no transaction is held open between batches. Every user-given name is
 * quoted as an identifier; every value is a query parameter.
 */
import type pg from 'pg';
import { InputError, UsageError } from '../errors.js';
import { normalizeLevel } from '../parse/index.js';
import type { Level, LogRecord } from '../types.js';
import { dbFailure, type Queryable } from './connection.js';
import { quoteIdent, quoteTable } from './ident.js';

/** Which table and columns hold the logs. Defaults: logs(id, message, level, created_at). */
export interface LogTableSpec {
  table: string;
  idColumn: string;
  textColumn: string;
  /** null: the table has no level column. */
  levelColumn: string | null;
  /** null: the table has no time column (then --since/--until are refused). */
  timeColumn: string | null;
}

export const DEFAULT_LOG_TABLE: LogTableSpec = { table: 'logs', idColumn: 'id', textColumn: 'message', levelColumn: 'level', timeColumn: 'created_at' };

/** A range over the log table; all bounds inclusive, all optional. Ids as text (they may exceed 2^53). */
export interface LogRange {
  fromId?: string | undefined;
  toId?: string | undefined;
  /** ISO time or anything PostgreSQL casts to the time column's type. */
  since?: string | undefined;
  until?: string | undefined;
}

/** The level column, normalised by the parse stage's `normalizeLevel` (words, letters, numbers). */
export function normalizeDbLevel(value: unknown): Level | null {
  return normalizeLevel(value);
}

/** The SQL pieces for one table spec, all identifiers quoted. */
export interface LogSql {
  from: string;
  id: string;
  /** select list producing id (text), message (text), level (text|null), time. */
  select: string;
}

export function logSql(spec: LogTableSpec, alias = 'l'): LogSql {
  const a = alias;
  const id = `${a}.${quoteIdent(spec.idColumn)}`;
  const level = spec.levelColumn ? `${a}.${quoteIdent(spec.levelColumn)}::text` : 'NULL::text';
  const time = spec.timeColumn ? `${a}.${quoteIdent(spec.timeColumn)}` : 'NULL::timestamptz';
  return {
    from: `${quoteTable(spec.table)} ${a}`,
    id,
    select: `${id}::text AS id, ${a}.${quoteIdent(spec.textColumn)}::text AS message, ${level} AS level, ${time} AS time`,
  };
}

/**
 * WHERE conditions for a range; appends parameters to `params` (so callers can add their own).
 * Comparisons use the column's own type: PostgreSQL infers the parameter's type from the column.
 */
export function rangeConditions(spec: LogTableSpec, range: LogRange, params: unknown[], alias = 'l'): string[] {
  const id = `${alias}.${quoteIdent(spec.idColumn)}`;
  const conds: string[] = [];
  if (range.fromId !== undefined) conds.push(`${id} >= $${params.push(range.fromId)}`);
  if (range.toId !== undefined) conds.push(`${id} <= $${params.push(range.toId)}`);
  if (range.since !== undefined || range.until !== undefined) {
    if (!spec.timeColumn) throw new UsageError('--since/--until need a time column', 'name it with --time-column, or use --from/--to ids');
    const t = `${alias}.${quoteIdent(spec.timeColumn)}`;
    if (range.since !== undefined) conds.push(`${t} >= $${params.push(range.since)}`);
    if (range.until !== undefined) conds.push(`${t} <= $${params.push(range.until)}`);
  }
  return conds;
}

interface LogRow {
  id: string;
  message: string | null;
  level: string | null;
  time: Date | string | null;
}

function isoTime(t: Date | string | null): string | null {
  if (t === null) return null;
  if (t instanceof Date) return Number.isNaN(t.getTime()) ? null : t.toISOString();
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A row of the log table as a LogRecord: `line` is the id when it is a safe integer, else 0. */
export function rowToRecord(row: LogRow, source: string): LogRecord {
  const n = /^-?\d+$/.test(row.id) ? Number(row.id) : Number.NaN;
  return {
    source,
    line: Number.isSafeInteger(n) ? n : 0,
    id: row.id,
    time: isoTime(row.time),
    level: normalizeDbLevel(row.level),
    message: row.message ?? '',
  };
}

/** Turn a "relation does not exist" / "column does not exist" into an input error naming the option. */
export function tableError(err: unknown, spec: LogTableSpec, doing: string): Error {
  const code = (err as { code?: string } | null)?.code;
  if (code === '42P01') return new InputError(`log table ${quoteTable(spec.table)} does not exist`, 'name it with --table (schema.table allowed)');
  if (code === '42703') {
    return new InputError(
      `${(err as Error).message} in log table ${quoteTable(spec.table)}`,
      'name the columns with --id-column, --text-column, --level-column, --time-column',
    );
  }
  if (code === '22007' || code === '22008' || code === '22P02') return new InputError(`${doing}: ${(err as Error).message}`, 'check --from/--to (ids) and --since/--until (times, e.g. 2024-05-01T00:00:00Z)');
  return dbFailure(err, doing);
}

/**
 * The log source a table's predictions are stored under (`ml_predictions.log_source`): the
 * table as PostgreSQL names it (`to_regclass`), so `logs`, `public.logs` and `"logs"` are one
 * source and `app.events` another. An input error when the table does not exist.
 * @example await logSourceOf(pool, { ...DEFAULT_LOG_TABLE, table: 'public.logs' }) // 'logs'
 */
export async function logSourceOf(db: Queryable, spec: LogTableSpec): Promise<string> {
  // errors of the query itself (a lost connection) reach the caller as they are, for its retries
  const name = (await db.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [quoteTable(spec.table)])).rows[0]?.r;
  if (!name) throw tableError({ code: '42P01' }, spec, 'finding the log table');
  return name;
}

export interface ReadOptions {
  /** Rows per batch (default 1000). */
  batchSize?: number;
}

/**
 * Read a range of the log table as batches of records, in id order, by keyset pagination.
 * @example
 *   for await (const batch of readLogRange(pool, DEFAULT_LOG_TABLE, { since: '2024-05-01' })) {
 *     console.log(batch.length);
 *   }
 */
export async function* readLogRange(db: Queryable, spec: LogTableSpec, range: LogRange = {}, opts: ReadOptions = {}): AsyncIterable<LogRecord[]> {
  const batchSize = opts.batchSize ?? 1000;
  const sql = logSql(spec);
  const source = `db:${spec.table}`;
  let after: string | undefined;
  for (;;) {
    const params: unknown[] = [];
    const conds = rangeConditions(spec, range, params);
    if (after !== undefined) conds.push(`${sql.id} > $${params.push(after)}`);
    const text = `SELECT ${sql.select} FROM ${sql.from}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} ORDER BY ${sql.id} LIMIT ${batchSize}`;
    let rows: LogRow[];
    try {
      rows = (await db.query<LogRow & pg.QueryResultRow>(text, params)).rows;
    } catch (err) {
      throw tableError(err, spec, `reading ${quoteTable(spec.table)}`);
    }
    if (rows.length === 0) return;
    yield rows.map((r) => rowToRecord(r, source));
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * The rows with these ids (ids as text; PostgreSQL casts them to the id column's type), as
 * records in the order of `ids`, each id once; ids without a row are returned in `missing`.
 * @example await readLogIds(pool, DEFAULT_LOG_TABLE, ['41', '42']) // { records: [...], missing: [] }
 */
export async function readLogIds(db: Queryable, spec: LogTableSpec, ids: readonly string[]): Promise<{ records: LogRecord[]; missing: string[] }> {
  const sql = logSql(spec);
  const unique = [...new Set(ids)];
  let rows: LogRow[];
  try {
    rows = (await db.query<LogRow & pg.QueryResultRow>(`SELECT ${sql.select} FROM ${sql.from} WHERE ${sql.id} = ANY($1)`, [unique])).rows;
  } catch (err) {
    throw tableError(err, spec, `reading ${quoteTable(spec.table)}`);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const source = `db:${spec.table}`;
  const records: LogRecord[] = [];
  const missing: string[] = [];
  for (const id of unique) {
    // the column's own text form may differ from the caller's (007 for 7): match either
    const row = byId.get(id) ?? (/^-?\d+$/.test(id) ? byId.get(String(BigInt(id))) : undefined);
    if (row) records.push(rowToRecord(row, source));
    else missing.push(id);
  }
  return { records, missing };
}

/**
 * How many rows a range holds, counting at most `limit` + 1 (so a huge range costs no full scan
 * of the count): the caller refuses a range above `limit` before reading it.
 */
export async function countLogRange(db: Queryable, spec: LogTableSpec, range: LogRange, limit: number): Promise<number> {
  const sql = logSql(spec);
  const params: unknown[] = [];
  const conds = rangeConditions(spec, range, params);
  const text = `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${sql.from}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''} LIMIT ${Math.floor(limit) + 1}) s`;
  try {
    return (await db.query<{ n: number }>(text, params)).rows[0]!.n;
  } catch (err) {
    throw tableError(err, spec, `reading ${quoteTable(spec.table)}`);
  }
}
