/** @file Public surface of the metrics stage. */
export { bestThresholdF1, binaryReport, classificationReport, rocAuc, wilson95 } from './classification.js';
export type { ClassificationReport, ClassMetrics, BinaryReport } from './classification.js';
