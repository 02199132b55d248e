/**
 * @file V8 heap sizing for the long streaming commands (predict, templates, backfill). Their live
 * heap is small (about 25 MB on the main thread: models' metadata, the miner, the batches in
 * flight) but V8 lets an isolate's old generation grow to several times its live size before a
 * full collection, and learns larger limits over a long run: peak RSS was 300-450 MB and grew from
 * 1M to 10M lines. Capping the growth at 2x the live size after each full collection keeps both
 * threads' heaps near their live size, for about 4% more CPU (docs/benchmarks.md). A value given
 * on the command line or in NODE_OPTIONS wins.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

let applied = false;

/** Call before the scoring thread starts (V8 flags are process-wide; new isolates read them at creation). */
export function boundHeapGrowth(): void {
  if (applied) return;
  applied = true;
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('heap-growing-percent'));
  if (!given) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
