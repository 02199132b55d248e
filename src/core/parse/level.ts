/**
 * @file Level normalisation: every spelling of a severity (words, single letters, pino/bunyan
 * numbers, syslog severities, OTel severity numbers) mapped onto the `Level` union.
 * Pure functions on short strings; must not allocate more than a lowercase copy per call.
 */
import type { Level } from '../types.js';

/** Word and letter spellings, lowercase. Single letters are Android/klog/glog style. */
const LEVEL_WORDS: ReadonlyMap<string, Level> = new Map<string, Level>([
  ['trace', 'TRACE'], ['verbose', 'TRACE'], ['v', 'TRACE'], ['t', 'TRACE'], ['trc', 'TRACE'],
  ['finest', 'TRACE'], ['finer', 'TRACE'],
  ['debug', 'DEBUG'], ['d', 'DEBUG'], ['dbug', 'DEBUG'], ['dbg', 'DEBUG'], ['fine', 'DEBUG'],
  ['config', 'DEBUG'],
  ['info', 'INFO'], ['i', 'INFO'], ['inf', 'INFO'], ['notice', 'INFO'], ['information', 'INFO'],
  ['informational', 'INFO'], ['n', 'INFO'],
  ['warn', 'WARN'], ['warning', 'WARN'], ['w', 'WARN'], ['wrn', 'WARN'],
  ['error', 'ERROR'], ['err', 'ERROR'], ['e', 'ERROR'], ['eror', 'ERROR'], ['erro', 'ERROR'],
  ['severe', 'ERROR'], ['dpanic', 'ERROR'],
  ['fatal', 'FATAL'], ['f', 'FATAL'], ['ftl', 'FATAL'], ['critical', 'FATAL'], ['crit', 'FATAL'],
  ['crt', 'FATAL'], ['alert', 'FATAL'], ['emerg', 'FATAL'], ['emergency', 'FATAL'],
  ['panic', 'FATAL'], ['a', 'FATAL'],
]);

/** First letters (a..z) of the word spellings, for a cheap early rejection. */
const LEVEL_INITIALS = new Uint8Array(26);
for (const word of LEVEL_WORDS.keys()) if (word.length >= 3) LEVEL_INITIALS[word.charCodeAt(0) - 97] = 1;

/** winston's `http` and `silly`: too common as plain words to be trusted inside a text header. */
const JSON_ONLY_WORDS: ReadonlyMap<string, Level> = new Map<string, Level>([['http', 'INFO'], ['silly', 'TRACE']]);

/**
 * Word spellings accepted as a level token inside a text header (no single letters: those are
 * only accepted by the header parser in the Android `pid tid L` position).
 */
export function levelFromHeaderWord(word: string): Level | null {
  if (word.length < 3 || word.length > 13) return null;
  // Most header tokens are not levels (hosts, `RAS`, `KERNEL`): reject on the first letter
  // before paying for toLowerCase and a map lookup.
  const first = word.charCodeAt(0) | 32;
  if (first < 97 || first > 122 || LEVEL_INITIALS[first - 97] === 0) return null;
  const level = LEVEL_WORDS.get(word.toLowerCase());
  return level ?? null;
}

/** Single-letter level (V/D/I/W/E/F/A), upper case only; for Android and klog headers. */
export function levelFromLetter(code: number): Level | null {
  switch (code) {
    case 86: return 'TRACE'; // V
    case 68: return 'DEBUG'; // D
    case 73: return 'INFO'; // I
    case 87: return 'WARN'; // W
    case 69: return 'ERROR'; // E
    case 70: // F
    case 65: return 'FATAL'; // A (Android assert)
    default: return null;
  }
}

function levelFromNumber(n: number): Level | null {
  if (!Number.isFinite(n) || n < 10) return null;
  if (n <= 10) return 'TRACE';
  if (n <= 20) return 'DEBUG';
  if (n <= 30) return 'INFO';
  if (n <= 40) return 'WARN';
  if (n <= 50) return 'ERROR';
  return 'FATAL';
}

/**
 * Normalise any level spelling to the `Level` union, or null when it is not one.
 *
 * @example normalizeLevel('warning') // 'WARN'
 * @example normalizeLevel(30)        // 'INFO' (pino/bunyan)
 * @example normalizeLevel('[E]')     // 'ERROR'
 */
export function normalizeLevel(raw: unknown): Level | null {
  if (typeof raw === 'number') return levelFromNumber(raw);
  if (typeof raw !== 'string') return null;
  let s = raw.trim();
  if (s.length === 0 || s.length > 20) return null;
  if (s.charCodeAt(0) === 91 /* [ */ && s.charCodeAt(s.length - 1) === 93 /* ] */) s = s.slice(1, -1).trim();
  const last = s.charCodeAt(s.length - 1);
  if (last === 58 /* : */ || last === 44 /* , */) s = s.slice(0, -1);
  if (s.length === 0) return null;
  const first = s.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    return /^\d{2}$/.test(s) ? levelFromNumber(Number(s)) : null;
  }
  const lower = s.toLowerCase();
  return LEVEL_WORDS.get(lower) ?? JSON_ONLY_WORDS.get(lower) ?? null;
}

/**
 * Syslog severity (PRI % 8) to a level: 0-2 FATAL, 3 ERROR, 4 WARN, 5-6 INFO, 7 DEBUG.
 *
 * @example syslogSeverityToLevel(34 % 8) // 'FATAL' (crit)
 */
export function syslogSeverityToLevel(severity: number): Level {
  const s = severity & 7;
  if (s <= 2) return 'FATAL';
  if (s === 3) return 'ERROR';
  if (s === 4) return 'WARN';
  if (s <= 6) return 'INFO';
  return 'DEBUG';
}

/** OpenTelemetry severity number (1..24) to a level, or null. */
export function otelSeverityNumberToLevel(n: unknown): Level | null {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 24) return null;
  if (n <= 4) return 'TRACE';
  if (n <= 8) return 'DEBUG';
  if (n <= 12) return 'INFO';
  if (n <= 16) return 'WARN';
  if (n <= 20) return 'ERROR';
  return 'FATAL';
}
