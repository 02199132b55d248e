/**
 * @file Scoring: masks each message, looks its masked text up in a bounded cache (the models are
 * deterministic functions of the masked text, so equal keys give equal model outputs), featurizes
 * the misses once per distinct key, runs every loaded model on the packed batch, and turns the
 * outputs into Predictions in input order.
 *
 * The anomaly score (see combineAnomaly) joins what the run can know about a line: how strongly
 * it reads as trouble (the level model), how new its masked text is within this run (counted
 * here, in input order, seeded by `observe` from a baseline), and a supervised anomaly head when
 * one is loaded.
 */
import { featurizeMasked, headlineOf, maskMessage, packBatch, type SparseFeatures } from '../features/index.js';
import type { CacheStats, Level, Prediction, Scorer } from '../types.js';
import type { LoadedModel } from './load.js';
import { anomalyThresholdOf, combineAnomaly, decideLevel, severityOf, troubledReading } from './decision.js';
import { FifoCache } from './fifo-cache.js';
import { NoveltyCounter } from './novelty.js';

export interface ScorerOptions {
  /** Distinct masked messages remembered (0 disables the cache). */
  cacheSize?: number;
  /** Decision threshold on the anomaly score (default: anomalyThresholdOf in decision.ts). */
  anomalyThreshold?: number;
  /** Distinct masked messages whose counts are kept for novelty (default 20,000 per generation). */
  noveltyKeys?: number;
}

/** What the models say about one masked text. */
interface KeyScore {
  predictedLevel: Level | null;
  levelProbability: number | null;
  /** How strongly the line reads as trouble (severityOf), or null without a level model. */
  severity: number | null;
  /** The supervised / trained anomaly head's score, or null without an anomaly model. */
  head: number | null;
}

/** Masked texts longer than this are scored but not cached: the cache holds at most cacheSize x this many characters. */
const MAX_CACHED_KEY_CHARS = 1024;
/** Characters of keys (and messages) each of the two caches holds at most. */
const MAX_CACHE_CHARS = 8 * 1024 * 1024;
/**
 * Padded cells (rows x widest row) per model call. Rows are sorted by length first, so padding is
 * small, and a batch of long lines cannot make the runtime gather a huge [rows, width, classes]
 * tensor (4,096 rows of 2,000 features were 200 MB).
 */
const MAX_BATCH_CELLS = 1 << 18;

export function createScorer(models: readonly LoadedModel[], options: ScorerOptions = {}): Scorer {
  const level = models.find((m) => m.meta.task === 'level');
  const anomaly = models.find((m) => m.meta.task === 'anomaly');
  const spec = (level ?? anomaly)?.meta.featureSpec;
  if (!spec) throw new Error('internal: createScorer needs at least one model');
  const cacheSize = options.cacheSize ?? 20_000;
  // bounded in entries and in characters (a key or message may be up to 1,024 / 256 characters)
  const cache = new FifoCache<string, KeyScore>(cacheSize, MAX_CACHE_CHARS, (key) => key.length);
  // raw message -> [masked key, scores], for exact repeats (short messages only: long ones rarely repeat)
  const rawCache = new FifoCache<string, [string, KeyScore]>(cacheSize, MAX_CACHE_CHARS, (message, [key]) => message.length + key.length);
  const remember = (message: string, key: string, p: KeyScore) => {
    if (cacheSize === 0 || message.length > 256) return;
    rawCache.set(message, [key, p]);
  };
  const threshold = anomalyThresholdOf(options.anomalyThreshold, level !== undefined, anomaly?.meta.threshold);
  const levelLabels = (level?.meta.labels ?? []) as Level[];
  const troubleThreshold = level?.meta.threshold;
  const levelWeights = level?.meta.levelWeights;
  const readHeadline = level?.meta.readHeadline === true;
  const noveltyCapacity = options.noveltyKeys ?? 20_000;
  const stats: CacheStats = { lookups: 0, hits: 0 };

  /** Run `session` on the rows, in length order, in slices of at most MAX_BATCH_CELLS padded cells; outputs per row. */
  async function runSorted(session: LoadedModel['session'], rows: SparseFeatures[], width: number): Promise<Float32Array> {
    const order = Array.from(rows.keys()).sort((x, y) => rows[x]!.indices.length - rows[y]!.indices.length);
    const out = new Float32Array(rows.length * width);
    for (let start = 0; start < order.length; ) {
      // rows grow along the order: the slice's widest row is its last
      let end = start + 1;
      while (end < order.length && (end + 1 - start) * Math.max(1, rows[order[end]!]!.indices.length) <= MAX_BATCH_CELLS) end++;
      const slice = order.slice(start, end);
      const result = await session.run(packBatch(slice.map((i) => rows[i]!)));
      slice.forEach((i, k) => out.set(result.subarray(k * width, (k + 1) * width), i * width));
      start = end;
    }
    return out;
  }

  /** Scores of masked keys; `messageOf(j)` is a message whose key is `keys[j]` (re-masked for a model of another masking version). */
  async function scoreKeys(keys: string[], messageOf: (j: number) => string): Promise<KeyScore[]> {
    const feats = keys.map((k) => featurizeMasked(k, spec!));
    // the anomaly model may hash its own features (or mask by an older version): featurize again only when its spec differs
    const aSpec = anomaly?.meta.featureSpec;
    const anomalyFeats = anomaly && level && anomaly.meta.featureSpecHash !== level.meta.featureSpecHash
      ? keys.map((k, j) => featurizeMasked(aSpec!.masking === spec!.masking ? k : maskMessage(messageOf(j), aSpec!.masking), aSpec!))
      : feats;
    const out: KeyScore[] = keys.map(() => ({ predictedLevel: null, levelProbability: null, severity: null, head: null }));
    if (level) {
      const c = levelLabels.length;
      // with readHeadline, the headlines' rows follow the messages' rows in the same model call
      const headRow = new Int32Array(keys.length).fill(-1);
      const rows = feats.slice();
      if (readHeadline) {
        keys.forEach((k, i) => {
          const h = headlineOf(k);
          if (h !== null) {
            headRow[i] = rows.length;
            rows.push(featurizeMasked(h, spec!));
          }
        });
      }
      const probs = await runSorted(level.session, rows, c);
      for (let i = 0; i < keys.length; i++) {
        const at = troubledReading(probs, i * c, headRow[i]! < 0 ? -1 : headRow[i]! * c, levelLabels, troubleThreshold);
        const best = decideLevel(probs, at, levelLabels, troubleThreshold, levelWeights);
        out[i]!.predictedLevel = levelLabels[best]!;
        out[i]!.levelProbability = probs[at + best]!;
        out[i]!.severity = severityOf(probs, at, levelLabels);
      }
    }
    if (anomaly) {
      const scores = await runSorted(anomaly.session, anomalyFeats, 1);
      for (let i = 0; i < keys.length; i++) out[i]!.head = scores[i]!;
    }
    return out;
  }

  /** Masked key and (when cached) scores of each message. */
  function lookup(messages: readonly string[], count = true): { keys: string[]; scores: Array<KeyScore | undefined> } {
    const keys = new Array<string>(messages.length);
    const scores = new Array<KeyScore | undefined>(messages.length);
    if (count) stats.lookups += messages.length;
    for (let i = 0; i < messages.length; i++) {
      // exact repeats skip masking altogether
      const exact = cacheSize > 0 ? rawCache.get(messages[i]!) : undefined;
      if (exact) {
        if (count) stats.hits++;
        keys[i] = exact[0];
        scores[i] = exact[1];
        continue;
      }
      const key = maskMessage(messages[i]!, spec!.masking);
      keys[i] = key;
      const hit = cacheSize > 0 ? cache.get(key) : undefined;
      if (hit) {
        if (count) stats.hits++;
        remember(messages[i]!, key, hit);
        scores[i] = hit;
      }
    }
    return { keys, scores };
  }

  async function score(seen: NoveltyCounter, messages: readonly string[], noveltyKeys?: readonly string[]): Promise<Prediction[]> {
    const { keys, scores } = lookup(messages);
    // novelty is counted now, before any await: batches scored concurrently (a worker takes the
    // next one while the models run) still count their lines in input order
    const sightings = new Float64Array(messages.length);
    if (level || anomaly) for (let i = 0; i < messages.length; i++) sightings[i] = seen.observe(noveltyKeys?.[i] ?? keys[i]!);
    const missIndex = new Map<string, number[]>();
    for (let i = 0; i < messages.length; i++) {
      if (scores[i]) continue;
      const list = missIndex.get(keys[i]!);
      if (list) list.push(i);
      else missIndex.set(keys[i]!, [i]);
    }
    if (missIndex.size > 0) {
      const missKeys = [...missIndex.keys()];
      const scored = await scoreKeys(missKeys, (j) => messages[missIndex.get(missKeys[j]!)![0]!]!);
      for (let j = 0; j < missKeys.length; j++) {
        const p = scored[j]!;
        for (const i of missIndex.get(missKeys[j]!)!) {
          scores[i] = p;
          remember(messages[i]!, missKeys[j]!, p);
        }
        // long texts rarely repeat and would make the cache's memory depend on line length
        if (cacheSize > 0 && missKeys[j]!.length <= MAX_CACHED_KEY_CHARS) cache.set(missKeys[j]!, p);
      }
    }
    const out = new Array<Prediction>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const s = scores[i]!;
      const a = level || anomaly ? combineAnomaly(s.severity, s.head, sightings[i]!) : null;
      out[i] = { predictedLevel: s.predictedLevel, levelProbability: s.levelProbability, anomalyScore: a, isAnomaly: a === null ? null : a >= threshold };
    }
    return out;
  }

  /** The scorer over one novelty counter: the run's own, or a scoped view's. */
  function view(seen: NoveltyCounter, close: () => Promise<void>): Scorer {
    return {
      models: [level, anomaly].filter((m): m is LoadedModel => m !== undefined).map((m) => m.ref),
      score: (messages, noveltyKeys) => score(seen, messages, noveltyKeys),
      async observe(messages: readonly string[], noveltyKeys?: readonly string[]): Promise<void> {
        const keys = noveltyKeys ?? lookup(messages, false).keys;
        for (const k of keys) seen.observe(k);
      },
      close,
      scoped: () => view(new NoveltyCounter(noveltyCapacity), async () => undefined),
      cacheStats: () => ({ ...stats }),
    };
  }

  return view(new NoveltyCounter(noveltyCapacity), async () => {
    for (const m of models) await m.session.release();
  });
}
