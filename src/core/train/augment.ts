/**
 * @file Seeded training-data augmentation that teaches the level model two things a statement
 * corpus cannot: (1) vocabulary it never saw is not evidence of trouble (jargon lines made of
 * invented identifiers, class names, key=value pairs, paths and ids are routine), and (2) trouble
 * stays trouble when a line carries extra detail (a statement with a jargon tail or prefix keeps
 * its level). Without (1), an unknown line gets a near-uniform distribution over six levels,
 * half of them trouble; without (2), L2-normalised features let a long tail of counters dilute
 * "Out of memory: Killed process" into INFO. (3) The topic of a trouble statement is not trouble
 * ("deploy", "repository", "order <NUM>" without "failed"): the lexicon's trouble words are taken
 * out of a sample of trouble statements and the rest is labelled INFO. Without (3), a stranger's
 * routine line ("New session 42 of user deploy.") read as ERROR because its words occur in error
 * statements. Deterministic: the same seed, the same rows.
 */
import { LEXICON } from '../features/lexicon.js';
import type { Level } from '../types.js';
import { createRng, type Rng } from './prng.js';
import type { LabeledMessage } from './trainers.js';

const CONSONANTS = 'bcdfghjklmnprstvwxz';
const VOWELS = 'aeiou';

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}
function pickChar(rng: Rng, chars: string): string {
  return chars.charAt(Math.floor(rng() * chars.length));
}
function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** An invented lower-case word of 1 to 4 syllables; never one of the severity lexicon's words ("bad", "fatal"). */
function pseudoWord(rng: Rng): string {
  for (;;) {
    let w = '';
    const n = int(rng, 1, 4);
    for (let i = 0; i < n; i++) {
      w += pickChar(rng, CONSONANTS) + pickChar(rng, VOWELS);
      if (rng() < 0.3) w += pickChar(rng, CONSONANTS);
    }
    if (!LEXICON.has(w)) return w;
  }
}
const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/** One jargon token: an identifier, name, number, id, path or key=value pair nobody trained on. */
function jargonToken(rng: Rng): string {
  const r = rng();
  if (r < 0.22) return pseudoWord(rng);
  if (r < 0.36) return cap(pseudoWord(rng)) + cap(pseudoWord(rng)) + (rng() < 0.4 ? cap(pseudoWord(rng)) : '');
  if (r < 0.44) return `${pseudoWord(rng)}_${pseudoWord(rng)}`;
  if (r < 0.5) return ['org', 'com', 'io', 'net'][int(rng, 0, 3)] + '.' + pseudoWord(rng) + '.' + cap(pseudoWord(rng)) + cap(pseudoWord(rng));
  if (r < 0.62) return `${pseudoWord(rng)}=${rng() < 0.6 ? int(rng, 0, 99999) : pseudoWord(rng)}`;
  if (r < 0.7) return `${pseudoWord(rng)}:${int(rng, 0, 9999)}${pick(rng, ['', 'kB', 'ms', 'MB', '%', 's'])}`;
  if (r < 0.76) return '/' + Array.from({ length: int(rng, 1, 4) }, () => pseudoWord(rng)).join('/');
  if (r < 0.82) return `${pseudoWord(rng)}_${int(rng, 1, 1 << 30)}`;
  if (r < 0.88) return int(rng, 0, 1 << 30).toString(16);
  if (r < 0.94) return String(int(rng, 0, 100000));
  return `${int(rng, 1, 254)}.${int(rng, 0, 254)}.${int(rng, 0, 254)}.${int(rng, 1, 254)}:${int(rng, 1024, 65535)}`;
}

/** A line of `min..max` jargon tokens, sometimes with a colon or brackets like real headers. */
export function jargonLine(rng: Rng, min = 2, max = 10): string {
  const tokens = Array.from({ length: int(rng, min, max) }, () => jargonToken(rng));
  if (tokens.length > 2 && rng() < 0.3) tokens[0] = tokens[0] + ':';
  if (rng() < 0.15) tokens.unshift(`[${cap(pseudoWord(rng))}]`);
  return tokens.join(' ');
}

export interface AugmentOptions {
  seed: number;
  /** Jargon lines labelled INFO. */
  neutral: number;
  /** Statements re-used with a jargon tail or prefix, keeping their level. */
  context: number;
  /** The rows are spread over this many groups, so that group balancing gives them that many sources' weight. */
  groups: number;
  /**
   * Trouble statements re-used without their trouble words (the severity lexicon's fail and warn
   * words, negations), labelled INFO: what is left ("deploy", "repository", "order <NUM>") is the
   * topic, and a topic alone is not trouble. Optional (0 = none).
   */
  topicOnly?: number;
}

export const AUGMENT_DEFAULTS: AugmentOptions = { seed: 7, neutral: 12000, context: 12000, groups: 8, topicOnly: 6000 };

/** Words that carry trouble besides the lexicon's fail and warn words. */
const TROUBLE_EXTRA = new Set(['could', 'couldn\'t', 'can\'t', 'won\'t', 'wasn\'t', 'isn\'t', 'doesn\'t', 'didn\'t', 'timed', 'out', 'while', 'due']);

/** `message` without its trouble words, or null when none was there or too little is left. */
export function withoutTroubleWords(message: string): string | null {
  const words = message.split(/\s+/).filter((w) => w.length > 0);
  let removed = 0;
  const kept = words.filter((w) => {
    const bare = w.toLowerCase().replace(/^[^a-z']+|[^a-z']+$/g, '');
    const category = LEXICON.get(bare);
    if (category === 'fail' || category === 'warn' || TROUBLE_EXTRA.has(bare) || /(?:error|exception|fail)/.test(bare)) {
      removed++;
      return false;
    }
    return true;
  });
  const letters = kept.filter((w) => /[a-z]{2}/i.test(w)).length;
  return removed > 0 && letters >= 2 ? kept.join(' ') : null;
}

/** Augmentation rows drawn from `statements` (which keep their levels), seeded and deterministic. */
export function augmentRows(statements: readonly LabeledMessage[], opts: AugmentOptions = AUGMENT_DEFAULTS): LabeledMessage[] {
  const rng = createRng(opts.seed);
  const rows: LabeledMessage[] = [];
  const group = (i: number, kind: string) => `synthetic-${kind}-${i % opts.groups}`;
  for (let i = 0; i < opts.neutral; i++) rows.push({ message: jargonLine(rng), level: 'INFO' as Level, anomaly: null, group: group(i, 'neutral'), source: 'synthetic-neutral' });
  const labeled = statements.filter((s) => s.level);
  if (labeled.length) {
    for (let i = 0; i < opts.context; i++) {
      const s = labeled[Math.floor(rng() * labeled.length)]!;
      const extra = jargonLine(rng, 1, 8);
      const message = rng() < 0.65 ? `${s.message} ${extra}` : `${extra}: ${s.message}`;
      rows.push({ message, level: s.level, anomaly: null, group: group(i, 'context'), source: s.source ?? s.group ?? 'synthetic-context' });
    }
  }
  const troubled = (opts.topicOnly ?? 0) > 0 ? labeled.filter((s) => s.level === 'WARN' || s.level === 'ERROR' || s.level === 'FATAL') : [];
  for (let i = 0, tries = 0; troubled.length && i < opts.topicOnly! && tries < opts.topicOnly! * 20; tries++) {
    const s = troubled[Math.floor(rng() * troubled.length)]!;
    const message = withoutTroubleWords(s.message);
    if (message === null) continue;
    rows.push({ message, level: 'INFO' as Level, anomaly: null, group: group(i, 'topic'), source: s.source ?? s.group ?? 'synthetic-topic' });
    i++;
  }
  return rows;
}
