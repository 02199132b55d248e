/**
 * @file Timestamp normalisation: the time shapes found in log headers, to ISO 8601 UTC.
 * Never throws, never reads the clock except for the default year of year-less shapes.
 * Inputs longer than 64 characters are refused up front, so no regex ever sees a long string.
 * This runs once per record: the common shapes are matched by fixed layouts (no regex, no
 * allocation) and the output is built from a per-minute prefix cache.
 */

const MAX_TIME_CHARS = 64;
/** Accepted epoch range: 1970-01-01 .. 2200-01-01, in milliseconds. */
const MAX_EPOCH_MS = 7_258_118_400_000;

const MONTHS: ReadonlyMap<string, number> = new Map([
  ['jan', 1], ['feb', 2], ['mar', 3], ['apr', 4], ['may', 5], ['jun', 6],
  ['jul', 7], ['aug', 8], ['sep', 9], ['oct', 10], ['nov', 11], ['dec', 12],
]);

// Fallback patterns, anchored at both ends, no nested quantifiers: linear on <= 64 chars.
const ISO_LIKE =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:(?:T| +)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? *(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$/i;
/** `20171223-22:16:0:119`: a compact date, then a clock whose fields may be unpadded. */
const COMPACT_UNPADDED = /^(\d{4})(\d{2})(\d{2})-(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[:.,](\d{1,9}))?$/;
/**
 * Day, month name, year: `10/Oct/2000:13:55:36 -0700` (access logs), `01/Dec/2026 10:04:01`
 * (Django's runserver), `01-Dec-2026 10:10:01 UTC` (PHP's error log).
 */
const CLF_STYLE = /^(\d{1,2})([\/-])([A-Za-z]{3})\2(\d{4})[: ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?: +([+-]\d{2}:?\d{2}|UTC|GMT))?$/i;
const TEXT_MONTH =
  /^(?:[A-Za-z]{3},? +)?([A-Za-z]{3}) +(\d{1,2}) +(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: +(\d{4}))?$/;

/**
 * Fixed digit layouts, matched character by character. Letters are digit fields (Y: 4-digit
 * year, y: 2-digit year, M month, d day, h hour, m minute, s second); a space matches one or more
 * spaces; anything else is literal. A fraction may follow (`.`/`,`, or `:` for HealthApp).
 * No string matches two layouts, so trying the last winner first changes nothing but speed.
 */
const FIXED_LAYOUTS: readonly string[] = [
  'YYYY-MM-dd hh:mm:ss', // also with 'T'; see matchLayout
  'yyMMdd hhmmss', // HDFS
  'MM-dd hh:mm:ss', // Android threadtime
  'yy/MM/dd hh:mm:ss', // Spark
  'MMdd hh:mm:ss', // klog / glog
  'YYYY-MM-dd-hh.mm.ss', // BGL
  'YYYYMMdd-hh:mm:ss', // HealthApp
  'YYYY/MM/dd hh:mm:ss',
  'YYYY.MM.dd hh:mm:ss',
];

// Scratch fields written by matchLayout (single-threaded, no re-entrancy).
let fYear = 0;
let fMonth = 0;
let fDay = 0;
let fHour = 0;
let fMinute = 0;
let fSecond = 0;
let fMs = 0;
let lastLayout = 0;

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Where the seconds field began in the last match (index in the string and in the layout).
let fSecondsAt = -1;
let fSecondsJ = -1;

/** Match `s` against one fixed layout, filling the scratch fields; year -1 when the layout has none. */
function matchLayout(s: string, layout: string): boolean {
  fYear = -1;
  fMonth = fDay = fHour = fMinute = fSecond = fMs = 0;
  return matchLayoutFrom(s, layout, 0, 0);
}

/** matchLayout from string index `i0` and layout index `j0`, the fields before them already set. */
function matchLayoutFrom(s: string, layout: string, i0: number, j0: number): boolean {
  const n = s.length;
  let i = i0;
  let shortYear = -1;
  fSecondsAt = -1;
  for (let j = j0; j < layout.length; j++) {
    const l = layout.charCodeAt(j);
    if (i >= n) return false;
    const c = s.charCodeAt(i);
    if (l === 32) {
      // ' ' in a layout: one or more spaces; 'T' also accepted after a 4-digit-year date.
      if (c === 84 /* T */ && j === 10) {
        i++;
        continue;
      }
      if (c !== 32) return false;
      while (i < n && s.charCodeAt(i) === 32) i++;
      continue;
    }
    const isField = l === 89 || l === 121 || l === 77 || l === 100 || l === 104 || l === 109 || l === 115;
    if (!isField) {
      if (c !== l) return false;
      i++;
      continue;
    }
    if (!isDigitCode(c)) return false;
    const d = c - 48;
    if (l === 115 && fSecondsAt < 0) {
      fSecondsAt = i;
      fSecondsJ = j;
    }
    i++;
    switch (l) {
      case 89: fYear = fYear < 0 ? d : fYear * 10 + d; break; // Y
      case 121: shortYear = shortYear < 0 ? d : shortYear * 10 + d; break; // y
      case 77: fMonth = fMonth * 10 + d; break; // M
      case 100: fDay = fDay * 10 + d; break; // d
      case 104: fHour = fHour * 10 + d; break; // h
      case 109: fMinute = fMinute * 10 + d; break; // m
      default: fSecond = fSecond * 10 + d; // s
    }
  }
  if (shortYear >= 0) fYear = shortYear < 70 ? 2000 + shortYear : 1900 + shortYear;
  if (i === n) return true;
  const isoDate = layout.charCodeAt(4) === 45; // 'YYYY-...': only these may end in 'Z'
  if (i === n - 1 && s.charCodeAt(i) === 90 /* Z */ && isoDate) return true;
  const sep = s.charCodeAt(i);
  if (sep !== 46 && sep !== 44 && sep !== 58) return false;
  i++;
  const fracStart = i;
  let scale = 100;
  while (i < n && isDigitCode(s.charCodeAt(i))) {
    if (scale >= 1) fMs += (s.charCodeAt(i) - 48) * scale;
    scale /= 10;
    i++;
  }
  if (i === fracStart) return false;
  fMs = Math.floor(fMs);
  // ISO's 'Z' is the only suffix accepted here; zones with offsets go to the regex fallback.
  return i === n || (i === n - 1 && s.charCodeAt(i) === 90 /* Z */ && isoDate);
}

function matchAnyLayout(s: string): boolean {
  if (matchLayout(s, FIXED_LAYOUTS[lastLayout]!)) return true;
  for (let k = 0; k < FIXED_LAYOUTS.length; k++) {
    if (k !== lastLayout && matchLayout(s, FIXED_LAYOUTS[k]!)) {
      lastLayout = k;
      return true;
    }
  }
  return false;
}

/** Month number from three letters (any case) packed as a number; no allocation. */
const MONTH_BY_CODE: ReadonlyMap<number, number> = new Map(
  [...MONTHS].map(([name, month]) => [monthCode(name, 0), month]),
);

function monthCode(s: string, at: number): number {
  return ((s.charCodeAt(at) | 32) << 16) | ((s.charCodeAt(at + 1) | 32) << 8) | (s.charCodeAt(at + 2) | 32);
}

/** `Mmm dd hh:mm:ss[.frac]` (RFC 3164, day space-padded or not) into the scratch fields. */
function matchTextMonth(s: string): boolean {
  if (s.length < 14) return false;
  const month = MONTH_BY_CODE.get(monthCode(s, 0));
  if (month === undefined || s.charCodeAt(3) !== 32) return false;
  let i = 4;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  const dayStart = i;
  while (i < s.length && i - dayStart < 2 && isDigitCode(s.charCodeAt(i))) i++;
  if (i === dayStart) return false;
  const day = Number(s.slice(dayStart, i));
  if (!matchLayout(s.slice(i), ' hh:mm:ss')) return false;
  fMonth = month;
  fDay = day;
  return true;
}

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

// `YYYY-MM-DDTHH:MM:` of the last minute formatted: log lines come in time order, so most
// records reuse it and only the `SS.mmmZ` tail is appended (measured ~3x faster than a template).
let prefixKey = -1;
let prefix = '';

function formatIso(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): string {
  const key = ((((year * 13 + month) * 32 + day) * 24 + hour) * 60) + minute;
  if (key !== prefixKey) {
    prefixKey = key;
    prefix = `${year}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[minute]}:`;
  }
  return prefix + PAD2[second]! + '.' + PAD3[ms]! + 'Z';
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
    return formatIso(year, month, day, hour, minute, second, ms);
  }
  return epochMsToIso(Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms) - offsetMin * 60_000);
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
  return formatIso(year, month, day, hour, minute, second, rest - second * 1000);
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

/** Digits with an optional `.fraction`: the integer digit count, or -1 when `s` is not such a number. */
function epochIntegerDigits(s: string): number {
  let i = 0;
  while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
  const intDigits = i;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 46 || i + 1 === s.length) return -1;
    for (i++; i < s.length; i++) if (!isDigitCode(s.charCodeAt(i))) return -1;
  }
  return intDigits;
}

function parseTimeString(s: string, yearOpt: number | undefined): string | null {
  let m: RegExpExecArray | null;
  if (isDigitCode(s.charCodeAt(0))) {
    const intDigits = epochIntegerDigits(s);
    if (intDigits >= 0) {
      // Only lengths that are unambiguous epochs; "081109" is a yyMMdd date, not 1970.
      const epoch = intDigits === 9 || intDigits === 10 || intDigits === 12 || intDigits === 13 ||
        intDigits === 16 || intDigits === 19;
      return epoch ? epochNumberToIso(Number(s)) : null;
    }
    if (matchAnyLayout(s)) {
      const iso = layoutFieldsToIso(yearOpt);
      if (iso !== null && fSecondsAt > 0) rememberMinute(s);
      return iso;
    }
    if ((m = ISO_LIKE.exec(s)) !== null) {
      return fieldsToIso(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0),
        Number(m[5] ?? 0), Number(m[6] ?? 0), fractionToMs(m[7]), offsetMinutes(m[8]));
    }
    if ((m = COMPACT_UNPADDED.exec(s)) !== null) {
      return fieldsToIso(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]),
        fractionToMs(m[7]), 0);
    }
    if ((m = CLF_STYLE.exec(s)) !== null) {
      const month = MONTHS.get(m[3]!.toLowerCase());
      return month === undefined ? null : fieldsToIso(Number(m[4]), month, Number(m[1]), Number(m[5]),
        Number(m[6]), Number(m[7]), fractionToMs(m[8]), offsetMinutes(m[9]));
    }
    if ((m = US_DATE_12H.exec(s)) !== null) {
      // a 12-hour clock is the en-US locale's: month first, unless the first field cannot be one
      const a = Number(m[1]);
      const b = Number(m[2]);
      const [month, day] = a > 12 ? [b, a] : [a, b];
      return fieldsToIso(Number(m[3]), month, day, hour24(Number(m[4]), m[8]!), Number(m[5]), Number(m[6]), fractionToMs(m[7]), 0);
    }
    return null;
  }
  if ((m = MONTH_COMMA_12H.exec(s)) !== null) {
    const month = MONTHS.get(m[1]!.toLowerCase());
    if (month === undefined) return null;
    return fieldsToIso(Number(m[3]), month, Number(m[2]), hour24(Number(m[4]), m[7]!), Number(m[5]), Number(m[6]), 0, 0);
  }
  if (matchTextMonth(s)) {
    return fieldsToIso(yearOpt ?? currentUtcYear(), fMonth, fDay, fHour, fMinute, fSecond, fMs, 0);
  }
  if ((m = TEXT_MONTH.exec(s)) !== null) {
    const month = MONTHS.get(m[1]!.toLowerCase());
    if (month === undefined) return null;
    return fieldsToIso(m[7] !== undefined ? Number(m[7]) : (yearOpt ?? currentUtcYear()), month, Number(m[2]),
      Number(m[3]), Number(m[4]), Number(m[5]), fractionToMs(m[6]), 0);
  }
  return null;
}

/** `12/3/2026 10:00:00 AM`: Windows Event Viewer and .NET in the en-US locale. */
const US_DATE_12H = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))? ?([AaPp][Mm])$/;
/** `Dec 03, 2026 10:00:00 AM`: java.util.logging's SimpleFormatter, US-style text dates. */
const MONTH_COMMA_12H = /^([A-Za-z]{3}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ?([AaPp][Mm])$/;

/** A 12-hour clock's hour on the 24-hour clock (12 AM is 0, 12 PM is 12). */
function hour24(hour: number, half: string): number {
  const pm = half.charCodeAt(0) === 80 || half.charCodeAt(0) === 112;
  return hour === 12 ? (pm ? 12 : 0) : pm ? hour + 12 : hour;
}

// The text up to the seconds of the last fixed-layout time, and its fields: the next record's
// time very often opens with the same text (the same minute), and then only its seconds and
// fraction are read. Exactly what a full match would give: the same characters take the same
// path through the layout, and no string matches two layouts.
let minuteText = '';
let minuteLayout = 0;
let minuteJ = 0;
/** year (-1: none in the layout), month, day, hour, minute of minuteText */
const minuteFields = new Int32Array(5);

function rememberMinute(s: string): void {
  minuteText = s.slice(0, fSecondsAt);
  minuteLayout = lastLayout;
  minuteJ = fSecondsJ;
  minuteFields[0] = fYear;
  minuteFields[1] = fMonth;
  minuteFields[2] = fDay;
  minuteFields[3] = fHour;
  minuteFields[4] = fMinute;
}

/** The time of `s` read after its cached minute, or undefined when `s` does not go on from it. */
function timeAfterMinute(s: string, yearOpt: number | undefined): string | null | undefined {
  if (minuteText.length === 0 || s.length <= minuteText.length || !s.startsWith(minuteText)) return undefined;
  fYear = minuteFields[0]!;
  fMonth = minuteFields[1]!;
  fDay = minuteFields[2]!;
  fHour = minuteFields[3]!;
  fMinute = minuteFields[4]!;
  fSecond = fMs = 0;
  if (!matchLayoutFrom(s, FIXED_LAYOUTS[minuteLayout]!, minuteText.length, minuteJ)) return undefined;
  return layoutFieldsToIso(yearOpt);
}

/** The ISO time of the scratch fields a fixed layout filled (its year, else `yearOpt`, else this year's). */
function layoutFieldsToIso(yearOpt: number | undefined): string | null {
  return fieldsToIso(fYear < 0 ? (yearOpt ?? currentUtcYear()) : fYear, fMonth, fDay, fHour, fMinute, fSecond, fMs, 0);
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
    const result = s.length === 0 || s.length > MAX_TIME_CHARS ? null : (timeAfterMinute(s, year) ?? parseTimeString(s, year));
    lastRaw = raw;
    lastYear = year;
    lastResult = result;
    return result;
  } catch {
    return null;
  }
}
