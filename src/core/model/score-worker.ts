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
import type { WireKeys } from './threaded-scorer.js';

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
    // the session holds what it needs: the bundle's bytes are not kept for the whole run
    for (const s of sources) models.push({ ...(await loadModel(s)), bytes: new Uint8Array(0) });
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

type Request = { type: 'score' | 'observe'; id: number; messages: string[]; keys?: WireKeys; scope?: number } | { type: 'close' } | { type: 'endScope'; scope: number };

function unpackKeys(wire: WireKeys | undefined): string[] | undefined {
  if (wire === undefined) return undefined;
  const keys = new Array<string>(wire.index.length);
  for (let i = 0; i < keys.length; i++) keys[i] = wire.table[wire.index[i]!]!;
  return keys;
}

async function handle(msg: Request): Promise<void> {
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
    await viewOf(msg.scope).observe(msg.messages, unpackKeys(msg.keys));
    port.postMessage({ type: 'observed', id: msg.id });
    return;
  }
  try {
    const predictions = await viewOf(msg.scope).score(msg.messages, unpackKeys(msg.keys));
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
}

// One request at a time, in the order they came: a batch's cache look-ups and novelty counts
// see every earlier batch finished, so the results never depend on timing (handling the next
// batch while one awaited the models made a key's scores depend on which batch computed them).
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: Request) => {
  queue = queue.then(() => handle(msg)).catch((err: unknown) => port.postMessage({ type: 'failed', id: 'id' in msg ? msg.id : -1, error: serializeError(err) }));
});


void init();
