/**
 * @file Parameter extraction: the values a message holds at its template's `<*>` positions, in
 * template order (Drain3's `extract_parameters`). The template is turned into an anchored regular
 * expression once (literal text escaped, whitespace runs matching any whitespace run, each `<*>`
 * a lazy group) and cached per template text. Pure; bounded: messages over MAX_PARAM_CHARS and
 * templates over MAX_PARAM_WILDCARDS wildcards give null rather than risk a slow match.
 */

import { WILDCARD } from './masker.js';

/** Longest message (UTF-16 code units) parameters are extracted from. */
export const MAX_PARAM_CHARS = 8192;
/** Most wildcards in a template parameters are extracted for. */
const MAX_PARAM_WILDCARDS = 64;
const MAX_CACHED = 10_000;

const cache = new Map<string, RegExp | null>();

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The anchored regex of a template, or null when it has too many wildcards. */
function templateRegex(template: string): RegExp | null {
  const known = cache.get(template);
  if (known !== undefined) return known;
  const parts = template.split(WILDCARD);
  let re: RegExp | null = null;
  if (parts.length - 1 <= MAX_PARAM_WILDCARDS) {
    // whitespace between a wildcard and text may be absent in the message (`\n<*>\nKeyError<*>`)
    const source = parts.map((p, i) => {
      let part = escapeRegex(p).replace(/\s+/g, '\\s+');
      if (p.trim() === '') return part;
      if (i > 0) part = part.replace(/^\\s\+/, '\\s*');
      if (i < parts.length - 1) part = part.replace(/\\s\+$/, '\\s*');
      return part;
    }).join('([\\s\\S]*?)');
    re = new RegExp(`^\\s*${source}\\s*$`);
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(template, re);
  return re;
}

/**
 * The parameter values of `message` under `template`, one per `<*>` in template order, or null
 * when the message does not fit the template's text (a template built from a masked variant
 * whose literal parts the raw message spells differently) or is too long.
 *
 * @example templateParams('user <*> logged in from <*>', 'user bob logged in from 10.0.0.1') // ['bob', '10.0.0.1']
 * @example templateParams('user <*> logged in', 'disk full')                                // null
 */
export function templateParams(template: string, message: string): string[] | null {
  if (message.length > MAX_PARAM_CHARS) return null;
  if (!template.includes(WILDCARD)) return sameWords(template, message);
  const re = templateRegex(template);
  if (re === null) return null;
  const m = re.exec(message);
  return m === null ? null : m.slice(1);
}

/** A wildcard-free template fits a message equal to it up to whitespace. */
function sameWords(template: string, message: string): string[] | null {
  return template.trim().split(/\s+/).join(' ') === message.trim().split(/\s+/).join(' ') ? [] : null;
}
