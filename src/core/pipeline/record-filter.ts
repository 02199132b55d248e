/**
 * @file Record filters of `logml templates` (as lnav / angle-grinder users expect): a time window
 * on the record's own time, explicit levels, a template id, a regular expression on the message.
 * Building one validates the user's values (UsageError); matching is pure and cheap.
 */
import { UsageError } from '../errors.js';
import { normalizeTime } from '../parse/index.js';
import { LEVELS, type Level, type LogRecord } from '../types.js';

export interface RecordFilter {
  /** ISO time: records at or after it (records without a time are left out). */
  since: string | null;
  /** ISO time: records before it (records without a time are left out). */
  until: string | null;
  /** Explicit levels kept (records without a level are left out). */
  levels: ReadonlySet<Level> | null;
  /** Final template id kept (ids merged into it count as it). */
  templateId: string | null;
  /** Messages that match. */
  grep: RegExp | null;
}

export interface RecordFilterFlags {
  since?: string;
  until?: string;
  level?: string;
  template?: string;
  grep?: string;
}

function timeFlag(name: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  const time = normalizeTime(value.trim());
  if (time === null) throw new UsageError(`${name} "${value}" is not a time`, `give a date or date-time, e.g. ${name} 2024-03-05 or ${name} 2024-03-05T10:15:00Z (UTC unless it has a zone)`);
  return time;
}

const LEVEL_ALIASES: Readonly<Record<string, Level>> = { WARNING: 'WARN', ERR: 'ERROR', CRITICAL: 'FATAL', VERBOSE: 'TRACE' };

/** `ERROR,FATAL` or `WARN+` (WARN and above) to a set of levels. */
function levelsFlag(value: string | undefined): Set<Level> | null {
  if (value === undefined) return null;
  const levels = new Set<Level>();
  for (const raw of value.split(',')) {
    let word = raw.trim().toUpperCase();
    const andAbove = word.endsWith('+');
    if (andAbove) word = word.slice(0, -1);
    const level = (LEVELS as readonly string[]).includes(word) ? (word as Level) : LEVEL_ALIASES[word];
    if (level === undefined) throw new UsageError(`--level: unknown level "${raw.trim()}"`, `use ${LEVELS.join(', ')}, a comma-separated list (ERROR,FATAL), or LEVEL+ for that level and above (WARN+)`);
    const from = LEVELS.indexOf(level);
    for (let i = from; i < (andAbove ? LEVELS.length : from + 1); i++) levels.add(LEVELS[i]!);
  }
  return levels;
}

function grepFlag(value: string | undefined): RegExp | null {
  if (value === undefined) return null;
  try {
    return new RegExp(value);
  } catch (error) {
    throw new UsageError(`--grep: invalid regular expression: ${(error as Error).message}`, 'use JavaScript regex syntax, e.g. --grep "timeout|refused"');
  }
}

/** A filter from the command's flags, or null when none is given. Throws UsageError on bad values. */
export function buildRecordFilter(flags: RecordFilterFlags): RecordFilter | null {
  const filter: RecordFilter = {
    since: timeFlag('--since', flags.since),
    until: timeFlag('--until', flags.until),
    levels: levelsFlag(flags.level),
    templateId: flags.template?.trim() || null,
    grep: grepFlag(flags.grep),
  };
  if (filter.since !== null && filter.until !== null && filter.since >= filter.until) {
    throw new UsageError(`--since ${flags.since} is not before --until ${flags.until}`, 'give a window whose start comes before its end');
  }
  const any = filter.since !== null || filter.until !== null || filter.levels !== null || filter.templateId !== null || filter.grep !== null;
  return any ? filter : null;
}

/** Does a record pass the filter's record-level tests (all but the template id)? */
export function recordPasses(filter: RecordFilter, record: LogRecord): boolean {
  if (filter.since !== null || filter.until !== null) {
    // ISO strings from normalizeTime share one layout, so they compare as text.
    if (record.time === null) return false;
    if (filter.since !== null && record.time < filter.since) return false;
    if (filter.until !== null && record.time >= filter.until) return false;
  }
  if (filter.levels !== null && (record.level === null || !filter.levels.has(record.level))) return false;
  if (filter.grep !== null && !filter.grep.test(record.message)) return false;
  return true;
}
