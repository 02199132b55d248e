/**
 * @file The headline of a masked log message: the text before its first clause break (`,` `;`
 * a bracket after a space, `: `, ` - `, `. `), when that is a shorter, worded part of it. Log messages put the
 * event first and its details after ("Out of memory: Killed process <NUM> (java) total-vm:<NUM>kB,
 * anon-rss:..."); a long tail of routine key/value details can outvote the event in a bag of
 * words, so a level model with `readHeadline` also reads the headline alone, and a headline that
 * reads as trouble lifts the line into WARN or above (model/decision.ts `troubledReading`). Only the headline is read,
 * never later clauses: those hold counts such as "0 errors, 0 warnings".
 */

/**
 * Clause breaks; the headline ends at the first. A bracket opens a clause only after a space:
 * `error(s)`, `jk2_init()`, `request{id=...}` are words, `ready (size=10)` is a clause; a
 * bracket holding only a value (`in [<NUM>] milliseconds`, `worker (<NUM>) exited`) is neither.
 */
const BREAK = /[,;]|\s[([{](?!<[A-Z]+>[)\]}])|:\s|\s-\s|\.\s/;
/** Only this many characters are searched for a break: a headline is short. */
const MAX_HEADLINE_CHARS = 512;
/** A headline needs at least this many space-separated words holding two or more letters (placeholders count). */
const MIN_WORDS = 2;
const WORD = /\S*[A-Za-z]{2}\S*/g;

/** The headline of `masked`, or null when it has none (no break, too few words, the whole text). */
export function headlineOf(masked: string): string | null {
  const head = masked.length > MAX_HEADLINE_CHARS ? masked.slice(0, MAX_HEADLINE_CHARS) : masked;
  const at = head.search(BREAK);
  if (at < 0) return null;
  const headline = head.slice(0, at).trim();
  // a break that only ends the text ("Segmentation fault,") leaves nothing else to read
  if (headline.length === 0 || !/[A-Za-z0-9]/.test(head.slice(at + 1))) return null;
  let words = 0;
  WORD.lastIndex = 0;
  while (WORD.exec(headline) !== null) if (++words >= MIN_WORDS) return headline;
  return null;
}
