/**
 * @file Token-level helpers for the miner: split a masked message into tokens, classify a token
 * (plain word or variable-looking), match a token against a template token that holds `<*>`, and
 * generalise two differing tokens into one. Pure functions on strings, char scans, no regex on
 * the hot path; nothing here knows about clusters or state.
 */

import { WILDCARD } from './masker.js';

/** Synthetic last token standing for the continuation lines of a multi-line message. */
export const CONTINUATION = `\n${WILDCARD}`;

/**
 * Synthetic token after CONTINUATION naming the exception a stack trace carries: rendered on a
 * line of its own (`...\n<*>\nKeyError<*>`), so templates of different exceptions differ.
 */
export function exceptionToken(type: string): string {
  return `\n${type}${WILDCARD}`;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Split a masked single line on whitespace, and collapse each run of whole-wildcard tokens into
 * one `<*>` (so a parameter that spans a variable number of tokens does not change the length).
 * `starts`, when given, receives each kept token's offset in `line`.
 */
export function tokenize(line: string, out: string[] = [], starts?: number[]): string[] {
  out.length = 0;
  if (starts !== undefined) starts.length = 0;
  let start = -1;
  const n = line.length;
  for (let i = 0; i <= n; i++) {
    const space = i === n || isSpace(line.charCodeAt(i));
    if (space) {
      if (start >= 0) {
        const token = line.slice(start, i);
        if (!(token === WILDCARD && out.length > 0 && out[out.length - 1] === WILDCARD)) {
          out.push(token);
          starts?.push(start);
        }
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  return out;
}

function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code > 127;
}

function isEdgePunctuation(code: number): boolean {
  // , . ; : ! ? ' " ( ) [ ] { } < >
  return (
    code === 44 || code === 46 || code === 59 || code === 58 || code === 33 || code === 63 || code === 39 || code === 34 ||
    code === 40 || code === 41 || code === 91 || code === 93 || code === 123 || code === 125
  );
}

/**
 * A plain word: letters only, once leading/trailing punctuation is ignored (`closed`, `(error)`,
 * `failed:`). Two different plain words at one position are a meaningful difference, never a
 * parameter on first sight.
 */
export function isWordLike(token: string): boolean {
  let start = 0;
  let end = token.length;
  while (start < end && isEdgePunctuation(token.charCodeAt(start))) start++;
  while (end > start && isEdgePunctuation(token.charCodeAt(end - 1))) end--;
  if (end - start === 0) return false;
  for (let i = start; i < end; i++) {
    const code = token.charCodeAt(i);
    if (!isLetter(code) && !(code === 45 && i > start && i < end - 1)) return false;
  }
  return true;
}

/** Does `token` fit a template token that contains `<*>` (e.g. `user=<*>` fits `user=bob`)? */
export function fitsPattern(pattern: string, token: string): boolean {
  let first = pattern.indexOf(WILDCARD);
  if (first < 0) return pattern === token;
  if (!token.startsWith(pattern.slice(0, first))) return false;
  let pos = first;
  let from = first + WILDCARD.length;
  for (;;) {
    const nextWildcard = pattern.indexOf(WILDCARD, from);
    if (nextWildcard < 0) {
      const tail = pattern.slice(from);
      return token.length - tail.length >= pos && token.endsWith(tail);
    }
    const middle = pattern.slice(from, nextWildcard);
    const at = token.indexOf(middle, pos);
    if (at < 0) return false;
    pos = at + middle.length;
    from = nextWildcard + WILDCARD.length;
    first = nextWildcard;
  }
}

function isDelimiter(code: number): boolean {
  // = : , ( ) [ ] { } " ' / . - _ @ # ; |
  return (
    code === 61 || code === 58 || code === 44 || code === 40 || code === 41 || code === 91 || code === 93 || code === 123 ||
    code === 125 || code === 34 || code === 39 || code === 47 || code === 46 || code === 45 || code === 95 || code === 64 ||
    code === 35 || code === 59 || code === 124
  );
}

function segments(token: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < token.length; i++) {
    if (isDelimiter(token.charCodeAt(i))) {
      if (i > start) parts.push(token.slice(start, i));
      parts.push(token[i]!);
      start = i + 1;
    }
  }
  if (start < token.length) parts.push(token.slice(start));
  return parts;
}

function hasLetters(text: string, min: number): boolean {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (isLetter(text.charCodeAt(i)) && ++count >= min) return true;
  return false;
}

/** Length of the longest common prefix of a and b that ends just after a delimiter (or is whole). */
function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === a.length && i === b.length) return i;
  while (i > 0 && !isDelimiter(a.charCodeAt(i - 1))) i--;
  return i;
}

/** Length of the longest common suffix of a and b (not overlapping `prefix`) that starts at a delimiter. */
function commonSuffix(a: string, b: string, prefix: number): number {
  const max = Math.min(a.length, b.length) - prefix;
  let i = 0;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  while (i > 0 && !isDelimiter(a.charCodeAt(a.length - i))) i--;
  return i;
}

function isWordRange(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (!isLetter(code) && code !== 95 && code !== 45) return false;
  }
  return true;
}

/** End of a word at `start` followed by `=` or `:` within [start, end), or -1. */
function keyEnd(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && isLetter(text.charCodeAt(i))) i++;
  if (i === start || i >= end) return -1;
  const code = text.charCodeAt(i);
  return code === 61 || code === 58 ? i : -1;
}

/**
 * `differingWords(a, b) !== null` without building the strings (hot path of comparisons);
 * when `known` is given, a difference between two words both in `known` does not count.
 */
export function differByWord(a: string, b: string, known: ReadonlySet<string> | null): boolean {
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a, b, prefix);
  let aEnd = a.length - suffix;
  let bEnd = b.length - suffix;
  if (!isWordRange(a, prefix, aEnd) || !isWordRange(b, prefix, bEnd)) {
    // Different keys of key=value / key:value pairs (`num=3` / `topActivity=x`): different fields.
    aEnd = keyEnd(a, prefix, aEnd);
    bEnd = keyEnd(b, prefix, bEnd);
    if (aEnd < 0 || bEnd < 0 || (aEnd - prefix === bEnd - prefix && a.startsWith(b.slice(prefix, bEnd), prefix))) return false;
  }
  if (known === null || known.size === 0) return true;
  return !(known.has(a.slice(prefix, aEnd)) && known.has(b.slice(prefix, bEnd)));
}

/**
 * Where two different tokens differ, once their common leading and trailing pieces are set
 * aside: the two differing middles when both are words (letters, `_`, `-`), else null.
 * `isOverlap:true,` / `isOverlap:false,` give ['true', 'false']; `id=12` / `id=7` give null.
 */
export function differingWords(a: string, b: string): [string, string] | null {
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a, b, prefix);
  if (!isWordRange(a, prefix, a.length - suffix) || !isWordRange(b, prefix, b.length - suffix)) return null;
  return [a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix)];
}

/**
 * Generalise two different tokens at one template position. When both split into the same
 * delimiters (`user=bob`, `user=eve`) only the differing pieces become `<*>`; otherwise the
 * common leading and trailing pieces are kept (`(a.example.com)`, `(b.net)` give `(<*>)`).
 * The result keeps a shape only when what stays constant holds a real word or one piece
 * varies; otherwise the whole token is `<*>`.
 *
 * @example
 * generaliseToken('user=bob', 'user=eve'); // 'user=<*>'
 * generaliseToken('R02-M1', 'R13-M0');     // '<*>'
 */
export function generaliseToken(a: string, b: string): string {
  if (a === b) return a;
  if (a === WILDCARD || b === WILDCARD) return WILDCARD;
  const pa = segments(a);
  const pb = segments(b);
  let out = '';
  let constant = '';
  let wildcards = 0;
  let sameShape = pa.length === pb.length && pa.length >= 2;
  for (let i = 0; sameShape && i < pa.length; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    const xDelimiter = x.length === 1 && isDelimiter(x.charCodeAt(0));
    const yDelimiter = y.length === 1 && isDelimiter(y.charCodeAt(0));
    if (x === y) {
      out += x;
      if (!xDelimiter) constant += x;
    } else if (xDelimiter || yDelimiter) {
      sameShape = false;
    } else if (!out.endsWith(WILDCARD)) {
      out += WILDCARD;
      wildcards++;
    }
  }
  if (!sameShape) {
    const prefix = commonPrefix(a, b);
    const suffix = commonSuffix(a, b, prefix);
    if (prefix === 0 && suffix === 0) return WILDCARD;
    const head = a.slice(0, prefix);
    const tail = a.slice(a.length - suffix);
    out = head.endsWith(WILDCARD) || tail.startsWith(WILDCARD) ? head + tail : head + WILDCARD + tail;
    constant = head + tail;
    wildcards = 1;
  }
  // Keep `user=<*>` or `(<*>)`; give up on shapes that are mostly wildcard (`<*>-<*>-C:<*>`).
  return hasLetters(constant, 2) || wildcards === 1 ? out : WILDCARD;
}
