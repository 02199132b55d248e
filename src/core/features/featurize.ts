/**
 * @file Message -> sparse hashed features (bucket indices and tf values), and batches of those
 * packed into the two dense tensors the model graphs take: `indices` int32 [N, K] and
 * `values` float32 [N, K], K the longest row in the batch, padded with bucket 0 / value 0.
 */
import { bucketOf, fnv1a32, pairHash } from './hash.js';
import { LEXICON } from './lexicon.js';
import { maskMessage } from './mask.js';
import type { FeatureSpec } from './spec.js';
import { tokenize } from './tokenize.js';

/** The buckets of the lexicon features under `spec` (fail, warn, ok). */
export function lexiconBuckets(spec: FeatureSpec): Set<number> {
  return new Set(['fail', 'warn', 'ok'].map((c) => bucketOf(fnv1a32('\u0000sev:' + c), spec.dims)));
}

export interface SparseFeatures {
  indices: Int32Array;
  values: Float32Array;
}

/** Features of an already masked message. */
export function featurizeMasked(masked: string, spec: FeatureSpec): SparseFeatures {
  const tokens = tokenize(masked, spec.maxTokens);
  const useUni = spec.ngrams.includes(1);
  const useBi = spec.ngrams.includes(2);
  const raw: number[] = [];
  const useLexicon = spec.lexicon !== 'none';
  let prevHash = -1;
  const cg = spec.charNgrams ?? null;
  for (const token of tokens) {
    if (cg && token.charCodeAt(0) !== 60) pushCharNgrams(token, cg[0], cg[1], spec.dims, raw);
    if (useLexicon) {
      const category = LEXICON.get(token);
      if (category !== undefined) raw.push(bucketOf(fnv1a32('\u0000sev:' + category), spec.dims));
    }
    const h = fnv1a32(token);
    if (useUni) raw.push(bucketOf(h, spec.dims));
    if (useBi && prevHash >= 0) raw.push(bucketOf(pairHash(prevHash, token), spec.dims));
    prevHash = h;
  }
  raw.sort((a, b) => a - b);
  // collapse duplicates into counts
  let unique = 0;
  for (let i = 0; i < raw.length; i++) if (i === 0 || raw[i] !== raw[i - 1]) unique++;
  const indices = new Int32Array(unique);
  const values = new Float32Array(unique);
  let u = -1;
  for (let i = 0; i < raw.length; i++) {
    if (i === 0 || raw[i] !== raw[i - 1]) {
      u++;
      indices[u] = raw[i]!;
      values[u] = 1;
    } else values[u]! += 1;
  }
  for (let i = 0; i < unique; i++) values[i] = 1 + Math.log(values[i]!);
  return { indices, values };
}

const CHAR_SEED = fnv1a32('\u0000char');

/** Hashed character n-grams of `<token>`, lengths min..max (the whole marked token when shorter). */
function pushCharNgrams(token: string, min: number, max: number, dims: number, out: number[]): void {
  const marked = '<' + token + '>';
  const n = marked.length;
  for (let len = min; len <= max; len++) {
    if (len > n) break;
    for (let i = 0; i + len <= n; i++) {
      if (len === n && len > min) break; // the whole marked token is the unigram's job
      let h = CHAR_SEED;
      for (let k = i; k < i + len; k++) h = Math.imul(h ^ marked.charCodeAt(k), 0x01000193);
      out.push(bucketOf(h >>> 0, dims));
    }
  }
}

/** Features of a raw message (masks it first). */
export function featurize(message: string, spec: FeatureSpec): SparseFeatures {
  return featurizeMasked(maskMessage(message, spec.masking), spec);
}

export interface PackedBatch {
  rows: number;
  width: number;
  indices: Int32Array;
  values: Float32Array;
}

/** Pack rows into [rows, width] tensors (width >= 1), padding with bucket 0 and value 0. */
export function packBatch(rows: readonly SparseFeatures[]): PackedBatch {
  let width = 1;
  for (const r of rows) if (r.indices.length > width) width = r.indices.length;
  const indices = new Int32Array(rows.length * width);
  const values = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    indices.set(r.indices, i * width);
    values.set(r.values, i * width);
  }
  return { rows: rows.length, width, indices, values };
}
