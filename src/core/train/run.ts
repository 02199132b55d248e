/**
 * @file One entry point for training a model from labeled records, whatever they came from
 * (files for `train --data`, the log table for `train --db` and `retrain`): the defaults of each
 * task, fine-tuning, and the trainers' public functions. Also the default version, a hash of
 * the data and the options, so two trainings on other data never share a name@version.
 * Pure computation: no I/O, no terminal.
 */
import { createHash } from 'node:crypto';
import { ANOMALY_DEFAULTS, DEFAULT_TRAIN_OPTIONS, FINE_TUNE_DEFAULTS, trainAnomalyModel, trainLevelModel, type BaseLevelModel, type LabeledMessage, type TrainResult } from './trainers.js';

export interface TrainTaskOptions {
  task: 'level' | 'anomaly';
  name: string;
  version: string;
  seed: number;
  /** Share held out from the end when `heldOut` is not given. */
  holdout: number;
  /** An explicit evaluation set (a time split or a named sample), kept out of training. */
  heldOut?: readonly LabeledMessage[] | undefined;
  heldOutDescription?: string | undefined;
  epochs?: number | undefined;
  l2?: number | undefined;
  base?: BaseLevelModel | undefined;
  unsupervised?: boolean;
  noveltyQuantile?: number;
  description: string;
  logmlVersion: string;
}

/**
 * Train one model with the same options `logml train` uses.
 * @example trainTask(records, { task: 'level', name: 'level-custom', version: '1', seed: 42, holdout: 0.2, description: 'x', logmlVersion: '0.1.0' })
 */
export function trainTask(records: readonly LabeledMessage[], o: TrainTaskOptions): TrainResult {
  const common = {
    ...DEFAULT_TRAIN_OPTIONS,
    ...(o.task === 'anomaly' ? ANOMALY_DEFAULTS : {}),
    name: o.name,
    version: o.version,
    seed: o.seed,
    holdout: o.holdout,
    ...(o.base ? FINE_TUNE_DEFAULTS : {}),
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    l2: o.l2 ?? (o.task === 'level' ? DEFAULT_TRAIN_OPTIONS.l2 : ANOMALY_DEFAULTS.l2),
    description: o.description,
    logmlVersion: o.logmlVersion,
    ...(o.heldOut ? { heldOut: o.heldOut } : {}),
    ...(o.heldOutDescription ? { heldOutDescription: o.heldOutDescription } : {}),
  };
  return o.task === 'level'
    ? trainLevelModel(records, { ...common, ...(o.base ? { base: o.base, description: `${o.description}, fine-tuned from ${o.base.ref}` } : {}) })
    : trainAnomalyModel(records, { ...common, unsupervised: Boolean(o.unsupervised), noveltyQuantile: o.noveltyQuantile ?? 0.995 });
}

/**
 * `1-` and 8 hex digits of a hash of the records (message and labels, in order) and the options
 * that change the model: same data and options, same version (and bytes).
 */
export function versionOfRecords(records: readonly LabeledMessage[], options: Record<string, unknown>, heldOut: readonly LabeledMessage[] = []): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1))));
  for (const [part, rs] of [['train', records], ['held out', heldOut]] as const) {
    h.update(`\0${part}\0`);
    for (const r of rs) h.update(r.message).update('\u0000').update(r.level ?? '').update('\u0000').update(r.anomaly === true ? '1' : r.anomaly === false ? '0' : '').update('\n');
  }
  return `1-${h.digest('hex').slice(0, 8)}`;
}
