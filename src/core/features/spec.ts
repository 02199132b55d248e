/**
 * @file The feature spec: everything that decides which numbers a message turns into.
 * A model stores the spec it was trained with (and its hash); the loader refuses a model
 * whose spec this code cannot reproduce exactly. Change anything in masking, tokenizing or
 * hashing => bump the matching version string here.
 */
import { createHash } from 'node:crypto';
import { MASKING_VERSIONS, type MaskingVersion } from './mask.js';

export interface FeatureSpec {
  /** Masking rules version (src/core/features/mask.ts): v2 also drops zero-counted trouble words. */
  masking: MaskingVersion;
  /** Tokenizer version (src/core/features/tokenize.ts). */
  tokenizer: 'logml-words-v1';
  /** Severity lexicon version (src/core/features/lexicon.ts), or 'none'. */
  lexicon: 'logml-severity-v1' | 'none';
  /** Hash function (src/core/features/hash.ts). */
  hash: 'fnv1a32';
  /** Number of hash buckets (bucket 0 is padding). */
  dims: number;
  /** Which n-grams are hashed: 1 = tokens, 2 = adjacent pairs. */
  ngrams: number[];
  /** Term-frequency transform applied before the graph: 1 + ln(count). */
  tf: 'log1p-count';
  /** Tokens kept per record at most. */
  maxTokens: number;
  /**
   * Character n-grams of each word token (with `<` `>` boundary marks), lengths [min, max]:
   * subword features that carry "fail" from `failed` to `failover` and `Unreachable` to
   * `unreachableHost` across vocabularies. Absent or null = none (models before v2).
   */
  charNgrams?: [number, number] | null;
}

export const DEFAULT_FEATURE_SPEC: FeatureSpec = {
  masking: 'logml-mask-v2',
  tokenizer: 'logml-words-v1',
  lexicon: 'logml-severity-v1',
  hash: 'fnv1a32',
  dims: 1 << 18,
  ngrams: [1, 2],
  tf: 'log1p-count',
  maxTokens: 128,
  charNgrams: [3, 5],
};

/**
 * Features of anomaly heads: words, word pairs and the lexicon in 2^17 buckets, no character
 * n-grams (measured on BGL's time split: they cost the supervised head recall, bench:quality 5b).
 */
export const ANOMALY_FEATURE_SPEC: FeatureSpec = { ...DEFAULT_FEATURE_SPEC, dims: 1 << 17, charNgrams: null };

/** Canonical JSON (sorted keys) of a spec. */
export function canonicalSpecJson(spec: FeatureSpec): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(spec).sort()) sorted[key] = (spec as unknown as Record<string, unknown>)[key];
  return JSON.stringify(sorted);
}

export function specHash(spec: FeatureSpec): string {
  return createHash('sha256').update(canonicalSpecJson(spec)).digest('hex');
}

/** Why this code cannot honour `spec`, or null when it can. */
export function unsupportedSpecReason(spec: Partial<FeatureSpec>): string | null {
  const d = DEFAULT_FEATURE_SPEC;
  if (!(MASKING_VERSIONS as readonly unknown[]).includes(spec.masking)) return `masking "${String(spec.masking)}" (this logml has ${MASKING_VERSIONS.join(' and ')})`;
  if (spec.tokenizer !== d.tokenizer) return `tokenizer "${String(spec.tokenizer)}" (this logml has ${d.tokenizer})`;
  if (spec.lexicon !== 'logml-severity-v1' && spec.lexicon !== 'none') return `lexicon "${String(spec.lexicon)}" (this logml has ${d.lexicon})`;
  if (spec.hash !== d.hash) return `hash "${String(spec.hash)}" (this logml has ${d.hash})`;
  if (spec.tf !== d.tf) return `tf "${String(spec.tf)}" (this logml has ${d.tf})`;
  if (!Number.isInteger(spec.dims) || (spec.dims as number) < 2 || (spec.dims as number) > 1 << 24) return `dims ${String(spec.dims)}`;
  if (!Array.isArray(spec.ngrams) || spec.ngrams.some((n) => n !== 1 && n !== 2)) return `ngrams ${JSON.stringify(spec.ngrams)}`;
  if (!Number.isInteger(spec.maxTokens) || (spec.maxTokens as number) < 1) return `maxTokens ${String(spec.maxTokens)}`;
  const cg = spec.charNgrams;
  if (cg !== undefined && cg !== null && !(Array.isArray(cg) && cg.length === 2 && cg.every((v) => Number.isInteger(v)) && cg[0] >= 1 && cg[0] <= cg[1] && cg[1] <= 8)) return `charNgrams ${JSON.stringify(cg)}`;
  return null;
}
