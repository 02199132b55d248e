/** @file Public surface of training and evaluation. */
export { trainLevelModel, trainAnomalyModel, DEFAULT_TRAIN_OPTIONS, ANOMALY_DEFAULTS, FINE_TUNE_DEFAULTS } from './trainers.js';
export { baseLevelModel, loadBaseLevelModel } from './finetune.js';
export { loadCorpus, fillPlaceholders } from './corpus.js';
export { knownFailureRows, KNOWN_FAILURES } from './known-failures.js';
export { augmentRows, AUGMENT_DEFAULTS, jargonLine } from './augment.js';
export type { AugmentOptions } from './augment.js';
export type { LabeledMessage, CommonTrainOptions, LevelTrainOptions, BaseLevelModel, AnomalyTrainOptions, TrainResult } from './trainers.js';
export { loadCsvDataset, loadLogDataset, loadDatasets, parseAnomalyLabel } from './dataset.js';
export type { CsvColumns, LoadedDataset } from './dataset.js';
export { evaluateModel } from './evaluate.js';
export type { Evaluation } from './evaluate.js';
