/**
 * @file Masking of the variable parts of a log message (numbers, IPs, hex, UUIDs, paths, URLs,
 * dates and times), by a single character scan per word: no regex on the hot path.
 * The masked text is what models see and the key under which predictions are cached,
 * so masking must be a pure function of the message. It never throws.
 * Versions (FeatureSpec.masking): v1 is the scan alone; v2 (models since 2026-12-08) first takes
 * out zero-counted trouble words (`0 errors`, `failed=0`: zero-counts.ts).
 */
import { withoutZeroCounts } from './zero-counts.js';

export const MASKING_VERSIONS = ['logml-mask-v1', 'logml-mask-v2'] as const;
export type MaskingVersion = (typeof MASKING_VERSIONS)[number];
/** The masking new models are trained with. */
export const MASKING: MaskingVersion = 'logml-mask-v2';

export const MASKS = {
  num: '<NUM>',
  hex: '<HEX>',
  ip: '<IP>',
  uuid: '<UUID>',
  path: '<PATH>',
  url: '<URL>',
  date: '<DATE>',
} as const;

const enum C {
  Digit = 1,
  Upper = 2,
  Lower = 4,
  HexLetter = 8,
}

const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = C.Digit;
for (let c = 65; c <= 90; c++) CLASS[c] = C.Upper;
for (let c = 97; c <= 122; c++) CLASS[c] = C.Lower;
for (const c of 'abcdefABCDEF') CLASS[c.charCodeAt(0)] |= C.HexLetter;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 11 || code === 12;
}

/** Word boundaries for masking: white space and structural punctuation ( ) [ ] { } " ' , ; = ` |. */
function isBoundary(code: number): boolean {
  return (
    isSpace(code) || code === 40 || code === 41 || code === 91 || code === 93 || code === 123 ||
    code === 125 || code === 34 || code === 39 || code === 44 || code === 59 || code === 61 ||
    code === 96 || code === 124
  );
}

/** Characters stripped off both ends of a word before it is classified (kept in the output). */
function isWrapper(code: number): boolean {
  // ( ) [ ] { } < > " ' , ; = ` and trailing . : !
  return (
    code === 40 || code === 41 || code === 91 || code === 93 || code === 123 || code === 125 ||
    code === 60 || code === 62 || code === 34 || code === 39 || code === 44 || code === 59 ||
    code === 61 || code === 96
  );
}

function isTrailingPunct(code: number): boolean {
  return code === 46 || code === 58 || code === 33 || code === 63; // . : ! ?
}

/**
 * Mask one message. Examples:
 * `Received block blk_-1608 of size 91178 from /10.250.10.6` -> `Received block blk_<NUM> of size <NUM> from /<IP>`
 * `Loaded /etc/httpd/conf/workers2.properties` -> `Loaded <PATH>`
 */
export function maskMessage(message: string, version: MaskingVersion = MASKING): string {
  return maskScan(version === 'logml-mask-v1' ? message : withoutZeroCounts(message));
}

/** Masking v1: the per-word scan. */
function maskScan(message: string): string {
  const n = message.length;
  let out = '';
  let i = 0;
  let copiedUpTo = 0;
  while (i < n) {
    // skip whitespace
    while (i < n && isBoundary(message.charCodeAt(i))) i++;
    if (i >= n) break;
    let start = i;
    let hasDigit = false;
    let hasSlash = false;
    let url = false;
    while (i < n) {
      const code = message.charCodeAt(i);
      // inside a URL only white space ends the word (query strings have = and ,)
      if (url ? isSpace(code) : isBoundary(code)) break;
      if (code === 58 && message.charCodeAt(i + 1) === 47 && message.charCodeAt(i + 2) === 47) url = true;
      if (code >= 48 && code <= 57) hasDigit = true;
      else if (code === 47 || code === 92) hasSlash = true;
      i++;
    }
    let end = i;
    if (!hasDigit && !hasSlash) continue; // nothing to mask in a plain word (a URL has slashes)
    // trim wrappers / trailing punctuation
    while (start < end && isWrapper(message.charCodeAt(start))) start++;
    while (end > start && (isWrapper(message.charCodeAt(end - 1)) || isTrailingPunct(message.charCodeAt(end - 1)))) end--;
    if (end <= start) continue;
    const replacement = maskWord(message, start, end, hasDigit);
    if (replacement === null) continue;
    out += message.slice(copiedUpTo, start) + replacement;
    copiedUpTo = end;
  }
  if (copiedUpTo === 0) return message;
  return out + message.slice(copiedUpTo);
}

/** Returns the masked form of message[start, end), or null to keep it as is. */
function maskWord(s: string, start: number, end: number, hasDigit: boolean): string | null {
  const first = s.charCodeAt(start);
  // URLs
  for (let k = start + 1; k + 2 < end; k++) {
    if (s.charCodeAt(k) === 58 && s.charCodeAt(k + 1) === 47 && s.charCodeAt(k + 2) === 47) return MASKS.url; // ://
  }
  // Absolute paths: /a/b, ~/a, C:\a
  if (first === 47 || (first === 126 && s.charCodeAt(start + 1) === 47) || (end - start > 2 && s.charCodeAt(start + 1) === 58 && s.charCodeAt(start + 2) === 92)) {
    // "/10.0.0.1:50010" is an address, not a path
    if (first === 47 && hasDigit && isIpLike(s, start + 1, end)) return '/' + MASKS.ip;
    let slashes = 0;
    for (let k = start; k < end; k++) {
      const c = s.charCodeAt(k);
      if (c === 47 || c === 92) slashes++;
    }
    if (slashes >= 2 || end - start > 1) return MASKS.path;
  }
  if (!hasDigit) return null;
  if (isIpLike(s, start, end)) return MASKS.ip;
  if (isUuid(s, start, end)) return MASKS.uuid;
  if (isDateOrTime(s, start, end)) return MASKS.date;
  if (isHex(s, start, end)) return MASKS.hex;
  if (isNumber(s, start, end)) return MASKS.num;
  return maskMixedWord(s, start, end);
}

/**
 * A word mixing letters, digits and joiners (blk_-1608, appattempt_1445_0020, req-<uuid>, t761):
 * embedded UUIDs become <UUID>, alphanumeric runs that are hex with a digit and a hex letter
 * (4+ chars) become <HEX>, other digit runs (with a leading minus after a joiner) become <NUM>.
 */
function maskMixedWord(s: string, start: number, end: number): string {
  let out = '';
  let copied = start;
  let k = start;
  while (k < end) {
    const c = s.charCodeAt(k);
    if (!isAlnum(c)) {
      k++;
      continue;
    }
    if (end - k >= 36 && (k === start || !isAlnum(s.charCodeAt(k - 1))) && isUuid(s, k, k + 36) && (k + 36 === end || !isAlnum(s.charCodeAt(k + 36)))) {
      out += s.slice(copied, k) + MASKS.uuid;
      k += 36;
      copied = k;
      continue;
    }
    // one alphanumeric run
    let runEnd = k;
    let digits = 0;
    let hexLetters = 0;
    let otherLetters = 0;
    while (runEnd < end) {
      const r = s.charCodeAt(runEnd);
      if (!isAlnum(r)) break;
      if (isDigitCode(r)) digits++;
      else if (CLASS[r]! & C.HexLetter) hexLetters++;
      else otherLetters++;
      runEnd++;
    }
    if (digits > 0 && otherLetters === 0 && hexLetters > 0 && runEnd - k >= 4) {
      out += s.slice(copied, k) + MASKS.hex;
      copied = runEnd;
    } else if (digits > 0) {
      // replace the digit runs inside this alphanumeric run
      let p = k;
      while (p < runEnd) {
        if (isDigitCode(s.charCodeAt(p))) {
          let numStart = p;
          if (p === k && p > start && s.charCodeAt(p - 1) === 45 && (p - 1 === start || !isAlnum(s.charCodeAt(p - 2)))) numStart = p - 1;
          while (p < runEnd && isDigitCode(s.charCodeAt(p))) p++;
          // a decimal part: 1.5
          while (p + 1 < end && s.charCodeAt(p) === 46 && isDigitCode(s.charCodeAt(p + 1))) {
            p++;
            while (p < end && isDigitCode(s.charCodeAt(p))) p++;
          }
          out += s.slice(copied, numStart) + MASKS.num;
          copied = p;
          if (p > runEnd) runEnd = p;
        } else p++;
      }
    }
    k = runEnd;
  }
  return out + s.slice(copied, end);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return c < 128 && CLASS[c] !== 0;
}

/** d.d.d.d with optional :port, or an IPv6 address (hex groups with at least two colons). */
function isIpLike(s: string, start: number, end: number): boolean {
  let dots = 0;
  let digits = 0;
  let k = start;
  for (; k < end; k++) {
    const c = s.charCodeAt(k);
    if (isDigitCode(c)) {
      if (++digits > 3) return isIpv6(s, start, end);
    } else if (c === 46) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
    } else if (c === 58 && dots === 3 && digits > 0) {
      // port
      for (k++; k < end; k++) if (!isDigitCode(s.charCodeAt(k))) return false;
      return true;
    } else return isIpv6(s, start, end);
  }
  return dots === 3 && digits > 0;
}

function isIpv6(s: string, start: number, end: number): boolean {
  let colons = 0;
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 58) colons++;
    else if (!(c < 128 && (CLASS[c] & (C.Digit | C.HexLetter)))) return false;
  }
  return colons >= 2 && end - start >= 6;
}

function isUuid(s: string, start: number, end: number): boolean {
  if (end - start !== 36) return false;
  for (let k = 0; k < 36; k++) {
    const c = s.charCodeAt(start + k);
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== 45) return false;
    } else if (!(c < 128 && (CLASS[c] & (C.Digit | C.HexLetter)))) return false;
  }
  return true;
}

/** 2005-06-03, 2005.06.03, 17/06/09, 15:42:50, 15:42:50.675, 2005-06-03-15.42.50.675872, 2016-09-28T04:30:30Z ... */
function isDateOrTime(s: string, start: number, end: number): boolean {
  let digits = 0;
  let seps = 0;
  let colons = 0;
  let letters = 0;
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (isDigitCode(c)) digits++;
    else if (c === 45 || c === 47 || c === 46 || c === 44) seps++;
    else if (c === 58) colons++;
    else if (c === 84 || c === 90 || c === 43) letters++; // T, Z, +
    else return false;
  }
  if (colons >= 1 && digits >= 4 && colons <= 3) {
    // hh:mm or hh:mm:ss; must start with a digit
    return isDigitCode(s.charCodeAt(start));
  }
  if (letters === 0 && seps >= 2 && digits >= 6) {
    // d{2,4}[-/.]d{2}[-/.]d{2,4}: check the first separator comes after 2 or 4 digits
    let k = start;
    while (k < end && isDigitCode(s.charCodeAt(k))) k++;
    const firstRun = k - start;
    const sep = s.charCodeAt(k);
    if ((firstRun === 2 || firstRun === 4) && (sep === 45 || sep === 47 || sep === 46)) {
      let k2 = k + 1;
      while (k2 < end && isDigitCode(s.charCodeAt(k2))) k2++;
      return k2 - k - 1 === 2 && s.charCodeAt(k2) === sep;
    }
  }
  return false;
}

/** 0x1f, or 6+ hex characters with at least one digit and one hex letter (9f4ef63, a64f992). */
function isHex(s: string, start: number, end: number): boolean {
  let k = start;
  if (end - start > 2 && s.charCodeAt(k) === 48 && (s.charCodeAt(k + 1) | 32) === 120) {
    for (k += 2; k < end; k++) {
      const c = s.charCodeAt(k);
      if (!(c < 128 && (CLASS[c] & (C.Digit | C.HexLetter)))) return false;
    }
    return true;
  }
  if (end - start < 6) return false;
  let letters = 0;
  for (; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c >= 128) return false;
    const cls = CLASS[c];
    if (cls & C.HexLetter) letters++;
    else if (!(cls & C.Digit)) return false;
  }
  return letters > 0;
}

/** -12, 3.5, 1e-9, 200ms, 12KB, 1,024 ... (a number with an optional short unit suffix) */
function isNumber(s: string, start: number, end: number): boolean {
  let k = start;
  const c0 = s.charCodeAt(k);
  if (c0 === 45 || c0 === 43) k++;
  let digits = 0;
  for (; k < end; k++) {
    const c = s.charCodeAt(k);
    if (isDigitCode(c)) digits++;
    else if (c === 46 || c === 44 || c === 95) continue;
    else break;
  }
  if (digits === 0) return false;
  const unitLen = end - k;
  if (unitLen === 0) return true;
  if (unitLen > 3) return false;
  for (; k < end; k++) {
    const c = s.charCodeAt(k);
    if (!(c < 128 && CLASS[c] & (C.Upper | C.Lower)) && c !== 37) return false; // letters or %
  }
  return true;
}
