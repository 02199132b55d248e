/**
 * @file A Scorer whose work runs on a worker thread (src/core/model/score-worker.ts): same
 * interface and results as createScorer, but the calling thread is free to parse and write while
 * a batch is scored, which is how `predict` uses both cores. Errors raised in the worker come
 * back as the same typed errors (InputError, FailureError) with their hints. `scoped()` views
 * (one per `logml serve` request) have their own novelty counts on the worker.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FailureError, InputError, UsageError } from '../errors.js';
import type { CacheStats, Level, Prediction, PredictionColumns, Scorer } from '../types.js';
import type { ModelSource } from './load.js';
import type { ScorerOptions } from './scorer.js';

type WireError = { name: string; message: string; hint?: string };

/** The scoring thread's answer for a batch, read in place. */
class TypedPredictions implements PredictionColumns {
  constructor(
    readonly length: number,
    private readonly levelIndex: Int8Array,
    private readonly levelProb: Float32Array,
    private readonly anomaly: Float32Array,
    private readonly labels: readonly Level[],
    private readonly threshold: number,
  ) {}
  predictedLevel(i: number): Level | null {
    const li = this.levelIndex[i]!;
    return li < 0 ? null : this.labels[li]!;
  }
  levelProbability(i: number): number | null {
    const v = this.levelProb[i]!;
    return Number.isNaN(v) ? null : v;
  }
  anomalyScore(i: number): number | null {
    const v = this.anomaly[i]!;
    return Number.isNaN(v) ? null : v;
  }
  isAnomaly(i: number): boolean | null {
    const v = this.anomaly[i]!;
    return Number.isNaN(v) ? null : v >= this.threshold;
  }
}

/**
 * Novelty keys on the wire: template ids repeat from line to line, so they go as a table of the
 * distinct ones and an index per message (one string per kind, not one per line).
 */
export interface WireKeys {
  table: string[];
  index: Int32Array;
}

function packKeys(keys: readonly string[] | undefined): WireKeys | undefined {
  if (keys === undefined) return undefined;
  const table: string[] = [];
  const at = new Map<string, number>();
  const index = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    let k = at.get(keys[i]!);
    if (k === undefined) {
      k = table.length;
      table.push(keys[i]!);
      at.set(keys[i]!, k);
    }
    index[i] = k;
  }
  return { table, index };
}

function toObjects(c: PredictionColumns): Prediction[] {
  const out = new Array<Prediction>(c.length);
  for (let i = 0; i < c.length; i++) out[i] = { predictedLevel: c.predictedLevel(i), levelProbability: c.levelProbability(i), anomalyScore: c.anomalyScore(i), isAnomaly: c.isAnomaly(i) };
  return out;
}

function rebuild(e: WireError): Error {
  if (e.name === 'InputError') return new InputError(e.message, e.hint);
  if (e.name === 'UsageError') return new UsageError(e.message, e.hint);
  return new FailureError(e.message, e.hint ?? 'run again with --debug and report it');
}

/**
 * The worker script: beside this file when built (dist/); when this file runs from src/ (tests,
 * tsx), the built one in dist/ if there is one (vitest cannot load .ts in a worker), else the
 * .ts source (tsx registers its loader in workers too).
 */
function workerUrl(): URL {
  const sibling = new URL('./score-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const built = new URL('../../../dist/core/model/score-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  return new URL('./score-worker.ts', import.meta.url);
}

export async function createThreadedScorer(sources: ModelSource[], options: ScorerOptions = {}): Promise<Scorer> {
  // the worker holds the models' metadata, two bounded caches and the batches in flight (at most
  // three of up to 8 M characters each): a young generation of 16 MB keeps its heap from
  // ballooning between collections
  const worker = new Worker(workerUrl(), { workerData: { sources, options }, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
  const pending = new Map<number, { resolve: (p: PredictionColumns | null) => void; reject: (e: Error) => void; n: number }>();
  let nextId = 0;
  let nextScope = 0;
  let fatal: Error | null = null;
  let cache: CacheStats = { lookups: 0, hits: 0 };
  const ready = await new Promise<{ models: string[]; levelLabels: Level[]; threshold: number }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (msg: { type: string; error?: WireError; models: string[]; levelLabels: Level[]; threshold: number }) => {
      worker.off('error', reject);
      if (msg.type === 'ready') resolve(msg);
      else reject(rebuild(msg.error!));
    });
  }).catch(async (err) => {
    await worker.terminate();
    throw err;
  });
  // an idle scoring thread never keeps the process alive: whatever path ends the command (an
  // error in a later stage included), the process exits; a thread with work in flight does
  worker.unref();
  const settle = () => {
    if (pending.size === 0) worker.unref();
  };
  worker.on('error', (err) => {
    fatal = new FailureError(`the scoring thread failed: ${err.message}`, 'run again with --debug and report it');
    for (const p of pending.values()) p.reject(fatal);
    pending.clear();
    settle();
  });
  worker.on('message', (msg: { type: string; id: number; levelIndex: Int8Array; levelProb: Float32Array; anomaly: Float32Array; cache?: CacheStats; error?: WireError }) => {
    if (msg.cache) cache = msg.cache; // the worker's running totals, in reply order
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    settle();
    if (msg.type === 'failed') return waiter.reject(rebuild(msg.error!));
    if (msg.type === 'observed') return waiter.resolve(null);
    waiter.resolve(new TypedPredictions(waiter.n, msg.levelIndex, msg.levelProb, msg.anomaly, ready.levelLabels, ready.threshold));
  });
  function send(scope: number | undefined) {
    function scoreColumns(messages: readonly string[], keys?: readonly string[]): Promise<PredictionColumns> {
      if (fatal) return Promise.reject(fatal);
      const id = nextId++;
      return new Promise<PredictionColumns | null>((resolve, reject) => {
        pending.set(id, { resolve, reject, n: messages.length });
        worker.ref();
        const wire = packKeys(keys);
        worker.postMessage({ type: 'score', id, messages, keys: wire, scope }, wire ? [wire.index.buffer as ArrayBuffer] : []);
      }) as Promise<PredictionColumns>;
    }
    return {
      scoreColumns,
      async score(messages: readonly string[], keys?: readonly string[]): Promise<Prediction[]> {
        return toObjects(await scoreColumns(messages, keys));
      },
      async observe(messages: readonly string[], keys?: readonly string[]): Promise<void> {
        if (fatal) throw fatal;
        const id = nextId++;
        await new Promise<PredictionColumns | null>((resolve, reject) => {
          pending.set(id, { resolve, reject, n: 0 });
          const wire = packKeys(keys);
          worker.postMessage({ type: 'observe', id, messages, keys: wire, scope }, wire ? [wire.index.buffer as ArrayBuffer] : []);
        });
      },
    };
  }
  return {
    models: ready.models,
    ...send(undefined),
    scoped(): Scorer {
      const scope = nextScope++;
      return {
        models: ready.models,
        ...send(scope),
        async close() {
          if (!fatal) worker.postMessage({ type: 'endScope', scope });
        },
        cacheStats: () => ({ ...cache }),
      };
    },
    cacheStats: () => ({ ...cache }),
    async close() {
      worker.ref(); // until it has released its sessions
      worker.postMessage({ type: 'close' });
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
