/**
 * @file Tokenizer for masked messages: mask placeholders stay whole (`<num>`), other text is split
 * into alphanumeric runs, then at camelCase boundaries, and lower-cased, so that
 * `NullPointerException` and `null pointer exception` share tokens across systems.
 * Pure and allocation-light; it never throws.
 */

const PLACEHOLDERS = new Set(['<NUM>', '<HEX>', '<IP>', '<UUID>', '<PATH>', '<URL>', '<DATE>']);

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isWordChar(c: number): boolean {
  return isUpper(c) || isLower(c) || isDigit(c) || c > 127;
}

/**
 * Split a masked message into tokens.
 * @example tokenize('PacketResponder <NUM> for block blk_<NUM> terminating')
 *   // ['packet', 'responder', '<num>', 'for', 'block', 'blk', '<num>', 'terminating']
 */
export function tokenize(masked: string, maxTokens = 128): string[] {
  const tokens: string[] = [];
  const n = masked.length;
  let i = 0;
  while (i < n && tokens.length < maxTokens) {
    const c = masked.charCodeAt(i);
    if (c === 60) {
      // '<': a placeholder?
      const close = masked.indexOf('>', i + 1);
      if (close > 0 && close - i <= 6 && PLACEHOLDERS.has(masked.slice(i, close + 1))) {
        tokens.push(masked.slice(i, close + 1).toLowerCase());
        i = close + 1;
        continue;
      }
      i++;
      continue;
    }
    if (!isWordChar(c)) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && isWordChar(masked.charCodeAt(j))) j++;
    splitCamel(masked, i, j, tokens, maxTokens);
    i = j;
  }
  return tokens;
}

/** Push the camelCase parts of s[start, end), lower-cased; parts shorter than 2 chars are dropped. */
function splitCamel(s: string, start: number, end: number, out: string[], maxTokens: number): void {
  let partStart = start;
  for (let k = start + 1; k <= end; k++) {
    let boundary = k === end;
    if (!boundary) {
      const prev = s.charCodeAt(k - 1);
      const cur = s.charCodeAt(k);
      // fooBar | HTTPServer (P|S before a lower) | letters|digits
      boundary =
        (isLower(prev) && isUpper(cur)) ||
        (isUpper(prev) && isUpper(cur) && k + 1 < end && isLower(s.charCodeAt(k + 1))) ||
        (isDigit(prev) !== isDigit(cur));
    }
    if (boundary) {
      if (k - partStart >= 2 && out.length < maxTokens) {
        const first = s.charCodeAt(partStart);
        // pure digit runs left after masking carry no meaning
        if (!isDigit(first)) out.push(s.slice(partStart, k).toLowerCase());
      }
      partStart = k;
    }
  }
}
