/**
 * @file Sparse linear learners over hashed tf-idf features: IDF fitting, row normalisation
 * (exactly what the ONNX graph computes), and AdaGrad training of a class-weighted softmax
 * (multinomial logistic regression) or a binary logistic model with L2 regularisation.
 * Deterministic: the example order comes from a seeded shuffle.
 */
import type { SparseFeatures } from '../features/featurize.js';
import { createRng, shuffleInPlace } from './prng.js';

export interface NormalizedRow {
  indices: Int32Array;
  x: Float32Array;
}

/** Smooth IDF as scikit-learn: ln((1 + n) / (1 + df)) + 1; bucket 0 (padding) gets 0. */
export function fitIdf(rows: readonly SparseFeatures[], dims: number): Float32Array {
  const df = new Uint32Array(dims);
  for (const r of rows) for (let i = 0; i < r.indices.length; i++) df[r.indices[i]!]!++;
  const idf = new Float32Array(dims);
  const n = rows.length;
  for (let d = 1; d < dims; d++) idf[d] = Math.log((1 + n) / (1 + df[d]!)) + 1;
  return idf;
}

/** tf-idf, L2-normalised, as the graph's front does (float32 like the runtime). */
export function normalizeRow(row: SparseFeatures, idf: Float32Array): NormalizedRow {
  const x = new Float32Array(row.indices.length);
  let sumsq = 0;
  for (let i = 0; i < x.length; i++) {
    x[i] = row.values[i]! * idf[row.indices[i]!]!;
    sumsq += x[i]! * x[i]!;
  }
  const norm = Math.sqrt(Math.max(sumsq, 1e-24));
  for (let i = 0; i < x.length; i++) x[i]! /= norm;
  return { indices: row.indices, x };
}

export interface LinearTrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

export const DEFAULT_LINEAR_OPTIONS: LinearTrainOptions = { epochs: 12, learningRate: 0.5, l2: 1e-4, seed: 42 };

/**
 * Class-weighted softmax regression. `labels[i]` in [0, classes), `weights[i]` the example weight.
 * Returns W [dims * classes] row-major and b [classes]. With `init` (fine-tuning), training starts
 * from those weights and L2 pulls towards them instead of towards zero, so what the data does not
 * speak about stays as it was.
 */
export function trainSoftmax(
  rows: readonly NormalizedRow[],
  labels: Int32Array,
  weights: Float32Array,
  classes: number,
  dims: number,
  opts: LinearTrainOptions,
  init?: { weights: Float32Array; bias: Float32Array },
): { weights: Float32Array; bias: Float32Array } {
  const W0 = init ? Float32Array.from(init.weights) : null;
  const W = init ? Float32Array.from(init.weights) : new Float32Array(dims * classes);
  const G = new Float32Array(dims * classes);
  const b = init ? Float64Array.from(init.bias) : new Float64Array(classes);
  const Gb = new Float64Array(classes);
  const order = shuffleInPlace(Array.from(rows.keys()), createRng(opts.seed));
  const rng = createRng(opts.seed ^ 0x5bd1e995);
  const logits = new Float64Array(classes);
  const grad = new Float64Array(classes);
  const eps = 1e-8;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    if (epoch > 0) shuffleInPlace(order, rng);
    for (const i of order) {
      const row = rows[i]!;
      const w = weights[i]!;
      if (w === 0) continue;
      for (let c = 0; c < classes; c++) logits[c] = b[c]!;
      for (let k = 0; k < row.indices.length; k++) {
        const base = row.indices[k]! * classes;
        const xv = row.x[k]!;
        for (let c = 0; c < classes; c++) logits[c]! += xv * W[base + c]!;
      }
      let max = -Infinity;
      for (let c = 0; c < classes; c++) if (logits[c]! > max) max = logits[c]!;
      let total = 0;
      for (let c = 0; c < classes; c++) {
        logits[c] = Math.exp(logits[c]! - max);
        total += logits[c]!;
      }
      const y = labels[i]!;
      for (let c = 0; c < classes; c++) grad[c] = (logits[c]! / total - (c === y ? 1 : 0)) * w;
      for (let c = 0; c < classes; c++) {
        const g = grad[c]!;
        Gb[c]! += g * g;
        b[c]! -= (opts.learningRate * g) / Math.sqrt(Gb[c]! + eps);
      }
      for (let k = 0; k < row.indices.length; k++) {
        const base = row.indices[k]! * classes;
        const xv = row.x[k]!;
        for (let c = 0; c < classes; c++) {
          const j = base + c;
          const g = grad[c]! * xv + opts.l2 * (W0 ? W[j]! - W0[j]! : W[j]!);
          G[j]! += g * g;
          W[j]! -= (opts.learningRate * g) / Math.sqrt(G[j]! + eps);
        }
      }
    }
  }
  return { weights: W, bias: Float32Array.from(b) };
}

/** Weighted binary logistic regression (labels 0/1). Returns w [dims] and b. */
export function trainLogistic(
  rows: readonly NormalizedRow[],
  labels: Int32Array,
  weights: Float32Array,
  dims: number,
  opts: LinearTrainOptions,
): { weights: Float32Array; bias: number } {
  const w = new Float32Array(dims);
  const G = new Float32Array(dims);
  let b = 0;
  let Gb = 0;
  const order = shuffleInPlace(Array.from(rows.keys()), createRng(opts.seed));
  const rng = createRng(opts.seed ^ 0x5bd1e995);
  const eps = 1e-8;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    if (epoch > 0) shuffleInPlace(order, rng);
    for (const i of order) {
      const row = rows[i]!;
      let z = b;
      for (let k = 0; k < row.indices.length; k++) z += row.x[k]! * w[row.indices[k]!]!;
      const p = 1 / (1 + Math.exp(-z));
      const g0 = (p - labels[i]!) * weights[i]!;
      Gb += g0 * g0;
      b -= (opts.learningRate * g0) / Math.sqrt(Gb + eps);
      for (let k = 0; k < row.indices.length; k++) {
        const j = row.indices[k]!;
        const g = g0 * row.x[k]! + opts.l2 * w[j]!;
        G[j]! += g * g;
        w[j]! -= (opts.learningRate * g) / Math.sqrt(G[j]! + eps);
      }
    }
  }
  return { weights: w, bias: b };
}

/** Balanced class weights: n / (classes * count_c), as scikit-learn's class_weight='balanced'. */
export function balancedClassWeights(labels: Int32Array, classes: number): Float64Array {
  const counts = new Float64Array(classes);
  for (const l of labels) counts[l]!++;
  const out = new Float64Array(classes);
  for (let c = 0; c < classes; c++) out[c] = counts[c]! === 0 ? 0 : labels.length / (classes * counts[c]!);
  return out;
}
