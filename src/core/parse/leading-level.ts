/**
 * @file A level written at the start of the message when the header gave none: `[WARN ]`
 * (Elasticsearch), `[Warning]` (MySQL), `SEVERE:` (java.util.logging's second line), `warn:`
 * (.NET's console logger), `info: ` opening a header-less line (winston's default format),
 * `production.ERROR: ` (Monolog's channel and level; the channel becomes the component),
 * `##[error]` (GitHub Actions). Lifted into the record's level and cut from the message, so the
 * level token never reaches the model. Only shapes a program writes on purpose: a bracketed level word,
 * an upper-case or all lower-case level word before `: `, or .NET's four-letter lower-case codes;
 * "Error: ..." written as prose stays in the message.
 */
import type { Level } from '../types.js';
import { levelFromHeaderWord } from './level.js';
import type { LineFields, LineParseContext } from './line-fields.js';
import { normalizeTime } from './time.js';

const GITHUB_COMMAND_LEVELS: Readonly<Record<string, Level>> = { error: 'ERROR', warning: 'WARN', notice: 'INFO', debug: 'DEBUG' };
const DOTNET_CODES: Readonly<Record<string, Level>> = { trce: 'TRACE', dbug: 'DEBUG', info: 'INFO', warn: 'WARN', fail: 'ERROR', crit: 'FATAL' };

function cut(f: LineFields, level: Level, from: number): void {
  let i = from;
  while (i < f.message.length && (f.message.charCodeAt(i) === 32 || f.message.charCodeAt(i) === 9)) i++;
  if (i >= f.message.length) return; // the level alone is all there is: keep the line as written
  f.level = level;
  f.message = f.message.slice(i);
}

/** Move a leading level token of `f.message` into `f.level` (only when `f.level` is null). */
export function liftLeadingLevel(f: LineFields, ctx?: LineParseContext): void {
  if (f.level !== null) return;
  const m = f.message;
  if (m.length < 5) return;
  const first = m.charCodeAt(0);
  if (first === 35 /* # */ && m.startsWith('##[')) {
    // GitHub Actions' workflow commands: `##[error]Process completed with exit code 1.`
    const close = m.indexOf(']', 3);
    const level = close > 3 && close <= 12 ? GITHUB_COMMAND_LEVELS[m.slice(3, close)] : undefined;
    if (level !== undefined) cut(f, level, close + 1);
    return;
  }
  if (first === 91 /* [ */) {
    const close = m.indexOf(']', 2);
    if (close < 0 || close > 14) return;
    const level = levelFromHeaderWord(m.slice(1, close).trim());
    // `[WARNING]: message` (Ansible): the colon goes with the bracket
    if (level !== null) cut(f, level, m.charCodeAt(close + 1) === 58 /* : */ ? close + 2 : close + 1);
    // AWS Lambda's Python runtime: `[ERROR]\t2026-12-03T10:00:00.000Z\t<request id>\tmsg`
    if (level !== null && f.time === null && ctx !== undefined) {
      const msg = f.message;
      const tab = msg.indexOf('\t');
      const time = tab > 0 && tab <= 40 ? normalizeTime(msg.slice(0, tab), ctx) : null;
      if (time !== null) {
        f.time = time;
        f.message = msg.slice(tab + 1);
      }
    }
    return;
  }
  const colon = m.indexOf(':');
  if (colon < 3 || m.charCodeAt(colon + 1) !== 32) return;
  if (colon > 8) {
    liftChannelLevel(f, colon);
    return;
  }
  const word = m.slice(0, colon);
  const headerless = f.time === null && f.component === null;
  const level = word === word.toUpperCase() || (headerless && LOWER_CASE_WORDS.has(word)) ? levelFromHeaderWord(word) : (DOTNET_CODES[word] ?? null);
  if (level !== null) cut(f, level, colon + 1);
}

/**
 * Lower-case level words a program writes as the prefix of a header-less line (winston's default
 * format, git, compilers); after a header (sshd's `error: ...` in syslog) they stay in the
 * message, as LogHub's Content keeps them. "Error:" stays prose.
 */
const LOWER_CASE_WORDS = new Set(['trace', 'debug', 'info', 'notice', 'warn', 'warning', 'error', 'fatal', 'critical']);

/** Monolog (Laravel, Symfony): `channel.LEVEL: message`; the channel becomes the component. */
function liftChannelLevel(f: LineFields, colon: number): void {
  const m = f.message;
  const dot = m.lastIndexOf('.', colon);
  if (dot < 1 || colon - dot < 4 || colon > 48) return;
  for (let i = 0; i < dot; i++) {
    const c = m.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
    if (!ok) return;
  }
  const word = m.slice(dot + 1, colon);
  if (word !== word.toUpperCase()) return;
  const level = levelFromHeaderWord(word);
  if (level === null) return;
  const channel = m.slice(0, dot);
  cut(f, level, colon + 1);
  if (f.level === level && f.component === null) f.component = channel;
}

/**
 * `ERROR:    Exception in ASGI application` (uvicorn), `WARNING: ...`: a line that opens with an
 * upper-case level word and a colon is a record of its own, also among header lines, never the
 * tail of the record before it.
 */
const LEVEL_OPENER = /^(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL): /;

export function opensWithLevelWord(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c < 67 /* C */ || c > 87 /* W */) return false;
  return LEVEL_OPENER.test(line.length > 16 ? line.slice(0, 16) : line);
}
