/**
 * @file Zero counts of trouble words: `0 errors`, `failed=0`, `"warnings": 0`. A summary line
 * that counts no failures ("Tests: 120 passed, 0 failed", "ok=12 failed=0") names trouble only
 * to say there was none, yet masking turns its 0 into <NUM> and the trouble word stays: the
 * level model read such lines as WARN or ERROR. Masking v2 (mask.ts) takes each zero-counted
 * trouble word out, count and all, before masking, so the model sees "Tests: <NUM> passed,"
 * and "0 failed" no longer shares a masked key with "3 failed". Trouble words are the severity
 * lexicon's fail and warn words (lexicon.ts), whole words, any case.
 */
import { LEXICON } from './lexicon.js';

/** The lexicon's fail and warn words that pass `keep`, longest first, as a regex alternation. */
const troubleWords = (keep: (w: string) => boolean) =>
  [...LEXICON].filter(([w, c]) => c !== 'ok' && keep(w)).map(([w]) => w).sort((a, b) => b.length - a.length).join('|');

const WORDS = troubleWords(() => true);

/** A 0 that is a number on its own (not part of 10, 0.5, v0 or 0x1f). */
const LONE_ZERO = /(?<![\w.])0(?![\w]|\.\d)/;

/** Words that read as counts before a colon (`errors: 0`, `failed: 0`), where `Error: 0` is a code. */
const COUNT_WORDS = troubleWords((w) => /(?:s|ed)$/.test(w));

/**
 * `0 <word>`; `<word>=0` (bare or quoted, not part of a longer name); `<word>: 0` for plurals
 * and participles only ("SQL Error: 0, SQLState: 40P01" is an error whose code is 0), ending
 * the text or followed by a separator or the next key ("failed: 0 bytes read" is a message).
 */
const ZERO_COUNT = new RegExp(
  `(?<![\\w.])0[ \\t]+(?:${WORDS})(?![\\w-])` +
    `|(?<![\\w.-])(["']?)(?:${WORDS})\\1[ \\t]*=[ \\t]*0(?![\\w]|\\.\\d)` +
    `|(?<![\\w.-])(["']?)(?:${COUNT_WORDS})\\2[ \\t]*:[ \\t]*0(?!\\.\\d)(?=[ \\t]*(?:$|[,;)}\\]|.]|\\w+[=:]))`,
  'gi',
);

/** The message without its zero-counted trouble words (the message itself when it has none). */
export function withoutZeroCounts(message: string): string {
  if (message.indexOf('0') < 0 || !LONE_ZERO.test(message)) return message;
  return message.replace(ZERO_COUNT, '');
}
