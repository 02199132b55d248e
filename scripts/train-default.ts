/**
 * @file Builds the shipped default models in models/ from the LogHub samples in
 * fixtures/loghub-2k (reproducible: same data, same seed, same bytes). Run: npm run train:default
 *
 * - models/level.onnx: level from content, trained on the 8 LogHub systems whose lines carry a
 *   level (the level token is never part of the text: only the Content column is used). Per
 *   system, the first 80% of lines (time order) train it and the last 20% are its held-out set.
 * - models/anomaly.onnx: supervised on BGL's alert labels, with the lines of the 11 other systems
 *   taken as normal (LogHub does not label them: an assumption, stated in the metadata). Same
 *   80/20 time split per system.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANOMALY_DEFAULTS, DEFAULT_TRAIN_OPTIONS, trainAnomalyModel, trainLevelModel, type LabeledMessage } from '../src/core/train/index.js';
import { LEVEL_SYSTEMS, loadSystem, SYSTEMS } from '../bench/loghub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
const TRAIN_SHARE = 0.8;

function split(systems: readonly string[], map: (s: string, r: LabeledMessage) => LabeledMessage = (_s, r) => r) {
  const train: LabeledMessage[] = [];
  const test: LabeledMessage[] = [];
  for (const s of systems) {
    const rows = loadSystem(s).map((r) => map(s, r));
    const cut = Math.floor(rows.length * TRAIN_SHARE);
    train.push(...rows.slice(0, cut));
    test.push(...rows.slice(cut));
  }
  return { train, test };
}

const common = { ...DEFAULT_TRAIN_OPTIONS, logmlVersion: version, heldOutDescription: `last ${Math.round((1 - TRAIN_SHARE) * 100)}% of each system's lines (time order)` };

/** Train both default models from fixtures/loghub-2k; pure: writes nothing. */
export function buildDefaultModels() {
  const level = split(LEVEL_SYSTEMS);
  const levelModel = trainLevelModel(level.train, {
    ...common,
    name: 'level-default',
    version,
    heldOut: level.test,
    description: `LogHub 2k samples (Content column, level token hidden) of ${LEVEL_SYSTEMS.join(', ')}; see fixtures/loghub-2k/README.md`,
  });

  const anomaly = split(SYSTEMS, (s, r) => ({ ...r, anomaly: s === 'BGL' ? r.anomaly : false }));
  const anomalyModel = trainAnomalyModel(anomaly.train, {
    ...common,
    ...ANOMALY_DEFAULTS,
    // 11 of the 12 systems are (assumed) all normal: fully balanced weights would make alerts
    // 80x heavier than a normal line and the model cry wolf on new systems; halve the exponent.
    classWeightPower: 0.5,
    name: 'anomaly-default',
    version,
    heldOut: anomaly.test,
    unsupervised: false,
    noveltyQuantile: 0.995,
    description: "LogHub 2k samples: BGL lines labeled by BGL's Label column (alert categories = anomaly); the lines of the 11 other systems taken as normal (they carry no labels)",
  });
  return { levelModel, anomalyModel };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { levelModel, anomalyModel } = buildDefaultModels();
  mkdirSync(join(root, 'models'), { recursive: true });
  for (const [file, result] of [['level.onnx', levelModel], ['anomaly.onnx', anomalyModel]] as const) {
    writeFileSync(join(root, 'models', file), result.bytes);
    console.log(`models/${file}: ${result.meta.name}@${result.meta.version}, ${result.bytes.length} bytes, trained on ${result.meta.trainingData.records} records`);
    console.log(`  held-out: ${JSON.stringify(result.meta.metrics.heldOut)}`);
  }
}
