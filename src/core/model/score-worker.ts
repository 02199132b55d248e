/**
 * @file Worker-thread side of the threaded scorer: loads the models once, then answers
 * {id, messages} with typed arrays (level index, level probability, anomaly score), so the main
 * thread keeps reading, parsing and writing while this one masks, featurizes and runs ONNX.
 * Messages may name a scope (`logml serve`: one per request): its own novelty counts over the
 * same models and cache, dropped on `endScope`. Replies carry the cache's running totals.
 */
import { anomalyThresholdOf } from './decision.js';
import { parentPort, workerData } from 'node:worker_threads';
import { LogmlError } from '../errors.js';
import { loadModel, type ModelSource } from './load.js';
import { createScorer, type ScorerOptions } from './scorer.js';
import type { Scorer } from '../types.js';

interface InitData {
  sources: ModelSource[];
  options?: ScorerOptions;
}

const port = parentPort!;
let scorer: Scorer | null = null;
let levelLabels: string[] = [];
/** Scoped views (fresh novelty counts) by the id the calling thread gave them. */
const scopes = new Map<number, Scorer>();

function viewOf(scope: number | undefined): Scorer {
  if (scope === undefined) return scorer!;
  let view = scopes.get(scope);
  if (!view) scopes.set(scope, (view = scorer!.scoped!()));
  return view;
}

async function init(): Promise<void> {
  const { sources, options } = workerData as InitData;
  try {
    const models = [];
    for (const s of sources) models.push(await loadModel(s));
    scorer = createScorer(models, options);
    levelLabels = (models.find((m) => m.meta.task === 'level')?.meta.labels as string[]) ?? [];
    port.postMessage({ type: 'ready', models: scorer.models, levelLabels, threshold: anomalyThresholdOf(options?.anomalyThreshold, models.some((m) => m.meta.task === 'level'), models.find((m) => m.meta.task === 'anomaly')?.meta.threshold) });
  } catch (err) {
    port.postMessage({ type: 'error', error: serializeError(err) });
  }
}

function serializeError(err: unknown) {
  if (err instanceof LogmlError) return { name: err.name, message: err.message, hint: err.hint };
  return { name: 'Error', message: err instanceof Error ? err.message : String(err), hint: undefined };
}

port.on('message', async (msg: { type: 'score' | 'observe'; id: number; messages: string[]; keys?: string[]; scope?: number } | { type: 'close' } | { type: 'endScope'; scope: number }) => {
  if (msg.type === 'close') {
    await scorer?.close();
    port.close();
    return;
  }
  if (msg.type === 'endScope') {
    scopes.delete(msg.scope);
    return;
  }
  if (msg.type === 'observe') {
    await viewOf(msg.scope).observe(msg.messages, msg.keys);
    port.postMessage({ type: 'observed', id: msg.id });
    return;
  }
  try {
    const predictions = await viewOf(msg.scope).score(msg.messages, msg.keys);
    const n = predictions.length;
    const levelIndex = new Int8Array(n);
    const levelProb = new Float32Array(n);
    const anomaly = new Float32Array(n);
    const index = new Map(levelLabels.map((l, i) => [l, i]));
    for (let i = 0; i < n; i++) {
      const p = predictions[i]!;
      levelIndex[i] = p.predictedLevel === null ? -1 : index.get(p.predictedLevel)!;
      levelProb[i] = p.levelProbability ?? NaN;
      anomaly[i] = p.anomalyScore ?? NaN;
    }
    port.postMessage({ type: 'scored', id: msg.id, levelIndex, levelProb, anomaly, cache: scorer!.cacheStats!() }, [levelIndex.buffer, levelProb.buffer, anomaly.buffer]);
  } catch (err) {
    port.postMessage({ type: 'failed', id: msg.id, error: serializeError(err) });
  }
});

void init();
