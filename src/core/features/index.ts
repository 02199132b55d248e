/** @file Public surface of the features stage: masking, tokenizing, hashing, the spec. */
export { maskMessage, MASKS, MASKING } from './mask.js';
export type { MaskingVersion } from './mask.js';
export { tokenize } from './tokenize.js';
export { headlineOf } from './headline.js';
export { featurize, featurizeMasked, packBatch, lexiconBuckets } from './featurize.js';
export type { SparseFeatures, PackedBatch } from './featurize.js';
export { ANOMALY_FEATURE_SPEC, DEFAULT_FEATURE_SPEC, specHash, canonicalSpecJson, unsupportedSpecReason } from './spec.js';
export type { FeatureSpec } from './spec.js';
