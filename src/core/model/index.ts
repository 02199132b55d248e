/** @file Public surface of the model stage: bundles (write/read), loading, scoring. */
export { writeBundle, readBundle, readModelFile } from './bundle.js';
export type { ModelMetadata, LoadedBundle, MeasuredMetrics, ReferenceProfile, HeadKind } from './bundle.js';
export { loadModel } from './load.js';
export type { LoadedModel, ModelSource } from './load.js';
export { createScorer } from './scorer.js';
export type { ScorerOptions } from './scorer.js';
export { createThreadedScorer } from './threaded-scorer.js';
