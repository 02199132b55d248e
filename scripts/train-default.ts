/**
 * @file Builds the shipped default models in models/ from the checkout alone (reproducible: same
 * data, same seed, same bytes). Run: npm run train:default
 *
 * - models/level.onnx: level from content. Trained on the mined corpus of logging statements
 *   (fixtures/logstatements: about 158,600 messages and the levels their authors gave them, from
 *   158 open-source projects, placeholders filled with realistic values), on well-known failure
 *   messages (src/core/train/known-failures.ts: strerror texts, fatal signals, runtime crashes), and on the 8 LogHub
 *   systems whose lines carry a level (Content column only: the level token is never part of the
 *   text). Per LogHub system the first 80% of lines (time order) train it and the last 20% are
 *   its held-out set. See LEVEL_RECIPE for how, and `npm run bench:quality` for how well it does
 *   on systems and projects it never saw.
 * - models/anomaly.onnx: supervised on BGL's alert labels, with the lines of the 11 other LogHub
 *   systems taken as normal (LogHub does not label them: an assumption, stated in the metadata).
 *   Same 80/20 time split per system. At scoring time its score is joined with the level model's
 *   severity and the line's novelty (src/core/model/decision.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FEATURE_SPEC } from '../src/core/features/index.js';
import { ANOMALY_DEFAULTS, augmentRows, DEFAULT_TRAIN_OPTIONS, knownFailureRows, loadCorpus, trainAnomalyModel, trainLevelModel, type LabeledMessage, type LevelTrainOptions } from '../src/core/train/index.js';
import type { Level } from '../src/core/types.js';
import { LEVEL_SYSTEMS, loadSystem, SYSTEMS } from '../bench/loghub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
const TRAIN_SHARE = 0.8;
export const CORPUS_DIR = join(root, 'fixtures', 'logstatements');

/**
 * How the shipped level model is trained (the quality benchmark trains its leave-one-out models
 * the same way): word, word-pair, severity-lexicon and character 4..5-gram features; distinct
 * statements (repeats weigh 1 + ln n); every source (project, LogHub system) the same total weight; classes
 * balanced^0.5; each feature trusted by the number of sources that use it (idf x g/(g+100), g
 * distinct projects/systems: a word a handful of projects log at WARN, like "blk", stops making
 * another system's routine lines trouble); a line is WARN or above when P(WARN) + P(ERROR) +
 * P(FATAL) >= troubleThreshold, and its level within that group is chosen with levelWeights
 * that move the balanced training prior halfway (runtimePriorPower 0.5) toward how often each
 * level occurs in the LogHub systems' real lines (runtimeLevelCounts). What this recipe gains and costs against the previous one
 * (3..5-grams, plain idf), and what else was tried: docs/benchmarks.md (bench:quality).
 */
export const LEVEL_RECIPE = {
  ...DEFAULT_TRAIN_OPTIONS,
  featureSpec: { ...DEFAULT_FEATURE_SPEC, charNgrams: [4, 5] as [number, number] },
  groupShrink: 100,
  epochs: 5,
  l2: 1e-4,
  dedupe: true,
  groupWeightPower: 1,
  troubleThreshold: 0.25,
  runtimePriorPower: 0.5,
  readHeadline: true,
} satisfies Partial<LevelTrainOptions>;

/**
 * How often each level occurs among lines that running systems wrote (LogHub rows, not mined
 * statements): the recipe's runtimeLevelCounts, so the level within the trouble or the other
 * group follows real logs' prior instead of the balanced training one (a routine line of an
 * unseen system reads INFO, not DEBUG; see LevelTrainOptions.runtimeLevelCounts).
 */
export function runtimeLevelCounts(systemRows: readonly LabeledMessage[]): Partial<Record<Level, number>> {
  const counts: Partial<Record<Level, number>> = {};
  for (const r of systemRows) if (r.level) counts[r.level] = (counts[r.level] ?? 0) + 1;
  return counts;
}

let corpusCache: LabeledMessage[] | null = null;
/** The mined corpus, loaded once per process. */
export function corpus(): LabeledMessage[] {
  corpusCache ??= loadCorpus(CORPUS_DIR);
  return corpusCache;
}

let generalCache: LabeledMessage[] | null = null;
/**
 * What every level model of the recipe trains on besides LogHub: the corpus, the known failure
 * messages, and the seeded augmentation drawn from those two (src/core/train/augment.ts: invented
 * jargon lines as INFO, statements with jargon around them at their own level, trouble statements
 * without their trouble words as INFO).
 */
export function generalRows(): LabeledMessage[] {
  if (!generalCache) {
    const statements = [...corpus(), ...knownFailureRows()];
    generalCache = [...statements, ...augmentRows(statements)];
  }
  return generalCache;
}

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

const common = { logmlVersion: version, heldOutDescription: `last ${Math.round((1 - TRAIN_SHARE) * 100)}% of each LogHub system's lines (time order)` };

/** Train both default models from the checkout; pure: writes nothing. */
export function buildDefaultModels() {
  const level = split(LEVEL_SYSTEMS);
  const levelModel = trainLevelModel([...generalRows(), ...level.train], {
    ...LEVEL_RECIPE,
    ...common,
    runtimeLevelCounts: runtimeLevelCounts(level.train),
    name: 'level-default',
    version,
    heldOut: level.test,
    description: `mined logging statements of 158 open-source projects (fixtures/logstatements, placeholders filled), the well-known failure and degradation messages of src/core/train/known-failures.ts, 30,000 seeded augmentation rows (src/core/train/augment.ts: invented jargon lines as INFO, statements inside jargon at their own level, trouble statements without their trouble words as INFO), and LogHub 2k samples (Content column, level token hidden) of ${LEVEL_SYSTEMS.join(', ')}; see fixtures/logstatements/README.md and fixtures/loghub-2k/README.md`,
  });

  const anomaly = split(SYSTEMS, (s, r) => ({ ...r, anomaly: s === 'BGL' ? r.anomaly : false }));
  const anomalyModel = trainAnomalyModel(anomaly.train, {
    ...DEFAULT_TRAIN_OPTIONS,
    ...ANOMALY_DEFAULTS,
    ...common,
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
