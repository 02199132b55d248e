/**
 * @file Scoring: masks each message, looks its masked text up in a bounded cache (the models are
 * deterministic functions of the masked text, so equal keys give equal predictions), featurizes
 * the misses once per distinct key, runs every loaded model on the packed batch, and turns the
 * outputs into Predictions in input order.
 */
import { featurizeMasked, maskMessage, packBatch, type SparseFeatures } from '../features/index.js';
import type { Level, Prediction, Scorer } from '../types.js';
import type { LoadedModel } from './load.js';

export interface ScorerOptions {
  /** Distinct masked messages remembered (0 disables the cache). */
  cacheSize?: number;
}

type Partial = { predictedLevel: Level | null; levelProbability: number | null; anomalyScore: number | null; isAnomaly: boolean | null };

export function createScorer(models: readonly LoadedModel[], options: ScorerOptions = {}): Scorer {
  const level = models.find((m) => m.meta.task === 'level');
  const anomaly = models.find((m) => m.meta.task === 'anomaly');
  const spec = (level ?? anomaly)?.meta.featureSpec;
  if (!spec) throw new Error('internal: createScorer needs at least one model');
  for (const m of models) {
    if (m.meta.featureSpecHash !== (level ?? anomaly)!.meta.featureSpecHash) {
      // both models are fed the same features: their specs must agree
      throw new Error(`internal: models ${models.map((x) => x.ref).join(', ')} use different feature specs`);
    }
  }
  const cacheSize = options.cacheSize ?? 20_000;
  const cache = new Map<string, Partial>();
  // raw message -> prediction, for exact repeats (short messages only: long ones rarely repeat)
  const rawCache = new Map<string, Partial>();
  const remember = (message: string, p: Partial) => {
    if (cacheSize === 0 || message.length > 256) return;
    if (rawCache.size >= cacheSize) rawCache.delete(rawCache.keys().next().value!);
    rawCache.set(message, p);
  };
  const threshold = anomaly?.meta.threshold ?? 0.5;

  async function scoreKeys(keys: string[]): Promise<Partial[]> {
    const feats: SparseFeatures[] = keys.map((k) => featurizeMasked(k, spec!));
    const batch = packBatch(feats);
    const out: Partial[] = keys.map(() => ({ predictedLevel: null, levelProbability: null, anomalyScore: null, isAnomaly: null }));
    if (level) {
      const probs = await level.session.run(batch);
      const labels = level.meta.labels as Level[];
      const c = labels.length;
      for (let i = 0; i < keys.length; i++) {
        let best = 0;
        for (let j = 1; j < c; j++) if (probs[i * c + j]! > probs[i * c + best]!) best = j;
        out[i]!.predictedLevel = labels[best]!;
        out[i]!.levelProbability = probs[i * c + best]!;
      }
    }
    if (anomaly) {
      const scores = await anomaly.session.run(batch);
      for (let i = 0; i < keys.length; i++) {
        out[i]!.anomalyScore = scores[i]!;
        out[i]!.isAnomaly = scores[i]! >= threshold;
      }
    }
    return out;
  }

  return {
    models: [level, anomaly].filter((m): m is LoadedModel => m !== undefined).map((m) => m.ref),
    async score(messages: readonly string[]): Promise<Prediction[]> {
      const results = new Array<Partial | undefined>(messages.length);
      const missIndex = new Map<string, number[]>();
      for (let i = 0; i < messages.length; i++) {
        // exact repeats skip masking altogether
        const exact = cacheSize > 0 ? rawCache.get(messages[i]!) : undefined;
        if (exact) {
          results[i] = exact;
          continue;
        }
        const key = maskMessage(messages[i]!);
        const hit = cacheSize > 0 ? cache.get(key) : undefined;
        if (hit) remember(messages[i]!, hit);
        if (hit) results[i] = hit;
        else {
          const list = missIndex.get(key);
          if (list) list.push(i);
          else missIndex.set(key, [i]);
        }
      }
      if (missIndex.size > 0) {
        const missKeys = [...missIndex.keys()];
        const scored = await scoreKeys(missKeys);
        for (let j = 0; j < missKeys.length; j++) {
          const p = scored[j]!;
          for (const i of missIndex.get(missKeys[j]!)!) {
            results[i] = p;
            remember(messages[i]!, p);
          }
          if (cacheSize > 0) {
            if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
            cache.set(missKeys[j]!, p);
          }
        }
      }
      return results as Prediction[]; // shared, read-only objects: equal keys share one
    },
    async close() {
      for (const m of models) await m.session.release();
    },
  };
}
