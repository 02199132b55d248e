/**
 * @file A level written at the start of the message when the header gave none: `[WARN ]`
 * (Elasticsearch), `[Warning]` (MySQL), `SEVERE:` (java.util.logging's second line), `warn:`
 * (.NET's console logger). Lifted into the record's level and cut from the message, so the level
 * token never reaches the model. Only shapes a program writes on purpose: a bracketed level word,
 * an upper-case level word before `: `, or .NET's four-letter lower-case codes; "Error: ..."
 * written as prose stays in the message.
 */
import type { Level } from '../types.js';
import { levelFromHeaderWord } from './level.js';
import type { LineFields } from './line-fields.js';

const DOTNET_CODES: Readonly<Record<string, Level>> = { trce: 'TRACE', dbug: 'DEBUG', info: 'INFO', warn: 'WARN', fail: 'ERROR', crit: 'FATAL' };

function cut(f: LineFields, level: Level, from: number): void {
  let i = from;
  while (i < f.message.length && (f.message.charCodeAt(i) === 32 || f.message.charCodeAt(i) === 9)) i++;
  if (i >= f.message.length) return; // the level alone is all there is: keep the line as written
  f.level = level;
  f.message = f.message.slice(i);
}

/** Move a leading level token of `f.message` into `f.level` (only when `f.level` is null). */
export function liftLeadingLevel(f: LineFields): void {
  if (f.level !== null) return;
  const m = f.message;
  if (m.length < 5) return;
  const first = m.charCodeAt(0);
  if (first === 91 /* [ */) {
    const close = m.indexOf(']', 2);
    if (close < 0 || close > 14) return;
    const level = levelFromHeaderWord(m.slice(1, close).trim());
    if (level !== null) cut(f, level, close + 1);
    return;
  }
  const colon = m.indexOf(':');
  if (colon < 3 || colon > 8 || m.charCodeAt(colon + 1) !== 32) return;
  const word = m.slice(0, colon);
  const level = word === word.toUpperCase() ? levelFromHeaderWord(word) : (DOTNET_CODES[word] ?? null);
  if (level !== null) cut(f, level, colon + 1);
}
