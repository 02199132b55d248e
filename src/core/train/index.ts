/** @file Public surface of training and evaluation. */
export { trainLevelModel, trainAnomalyModel, DEFAULT_TRAIN_OPTIONS, ANOMALY_DEFAULTS } from './trainers.js';
export type { LabeledMessage, CommonTrainOptions, AnomalyTrainOptions, TrainResult } from './trainers.js';
export { loadCsvDataset, loadLogDataset, loadDatasets, parseAnomalyLabel } from './dataset.js';
export type { CsvColumns, LoadedDataset } from './dataset.js';
export { evaluateModel } from './evaluate.js';
export type { Evaluation } from './evaluate.js';
