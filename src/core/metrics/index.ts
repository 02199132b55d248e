/** @file Public surface of the metrics stage. */
export { classificationReport, binaryReport, wilson95 } from './classification.js';
export type { ClassificationReport, ClassMetrics, BinaryReport } from './classification.js';
