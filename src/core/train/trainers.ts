/**
 * @file Trainers that turn labeled messages into logml model bundles (ONNX bytes + metadata):
 * - level: class-weighted multinomial logistic regression on hashed tf-idf features;
 * - anomaly, supervised (labels given): class-weighted logistic regression;
 * - anomaly, unsupervised (no labels): a novelty detector over the user's own normal logs
 *   (tf-idf weighted mean token surprise, thresholded at a high quantile of training scores).
 * By default the last `holdout` share of the data (in input order, i.e. time order for logs) is
 * kept out of training and the shipped model's held-out metrics are measured on it.
 */
import { ANOMALY_FEATURE_SPEC, DEFAULT_FEATURE_SPEC, featurize, featurizeMasked, headlineOf, lexiconBuckets, maskMessage, specHash, type FeatureSpec, type SparseFeatures } from '../features/index.js';
import { binaryReport, classificationReport } from '../metrics/index.js';
import { referenceForward, type GraphSpec, type HeadSpec } from '../model/graph.js';
import { decideLevel, troubledReading, TROUBLE_LEVELS } from '../model/decision.js';
import { writeBundle, type ModelMetadata, type ReferenceProfile } from '../model/bundle.js';
import { LEVELS, type Level } from '../types.js';
import { UsageError } from '../errors.js';
import { dataFingerprint } from './fingerprint.js';
import { balancedClassWeights, DEFAULT_LINEAR_OPTIONS, fitIdf, normalizeRow, trainLogistic, trainSoftmax, type LinearTrainOptions, type NormalizedRow } from './linear.js';

export interface LabeledMessage {
  message: string;
  level?: Level | null;
  anomaly?: boolean | null;
  /** A grouping key (system, service, file) used to balance sources against each other. */
  group?: string;
  /**
   * Where the text itself comes from, when that is not its group (an augmentation row built from
   * a project's statement): what `groupShrink` counts as independent sources. Default: group.
   */
  source?: string;
  /** Relative weight of this record (default 1). */
  weight?: number;
}

export interface CommonTrainOptions extends LinearTrainOptions {
  name: string;
  version: string;
  /** Share of the data, taken from the end, held out for evaluation (0 = none). */
  holdout: number;
  /** Weight each group (source) equally instead of each record. */
  balanceGroups: boolean;
  /**
   * With balanceGroups: group weights are (mean group size / group size) raised to this power:
   * 1 = every group weighs the same in total, 0.5 = a big group still counts more (default 1).
   */
  groupWeightPower?: number;
  /** Class weights are balanced weights raised to this power: 1 = balanced, 0 = none. */
  classWeightPower: number;
  /**
   * Level models: weight of an extra copy of each record that carries only its lexicon features,
   * so that "failure words" predict a level on their own and carry to systems never seen (0 = off).
   */
  lexiconCopyWeight?: number;
  /**
   * Train on distinct (group, masked message, label) rows, each weighing 1 + ln(repeats), so a
   * chatty template does not drown the rest and the model learns from statements, not volume.
   */
  dedupe?: boolean;
  /** Free text: where the data came from. */
  description: string;
  logmlVersion: string;
  featureSpec?: FeatureSpec;
  /** An explicit held-out set (then `holdout` is not used to split the data). */
  heldOut?: readonly LabeledMessage[];
  /** How the held-out set was chosen, for the metadata. */
  heldOutDescription?: string;
}

export interface TrainResult {
  bytes: Uint8Array;
  meta: ModelMetadata;
}

/** Defaults for level models (and the base of every trainer's options). */
export const DEFAULT_TRAIN_OPTIONS = { ...DEFAULT_LINEAR_OPTIONS, holdout: 0.2, balanceGroups: true, classWeightPower: 0.5, lexiconCopyWeight: 0.5 } as const;
/** What fine-tuning (`train --base`) changes: a few passes, smaller steps, L2 towards the base weights. */
export const FINE_TUNE_DEFAULTS = { epochs: 4, learningRate: 0.2, l2: 1e-4 } as const;
/** What anomaly models change from DEFAULT_TRAIN_OPTIONS: fully balanced classes (alerts are rare), lighter L2. */
export const ANOMALY_DEFAULTS = { classWeightPower: 1, l2: 1e-6, lexiconCopyWeight: 0, featureSpec: ANOMALY_FEATURE_SPEC } as const;

/** Split off the last `share` of items (at least 1 when share > 0 and there are 2+ items). */
function splitHoldout<T>(items: readonly T[], share: number): { train: T[]; test: T[] } {
  if (share <= 0 || items.length < 2) return { train: [...items], test: [] };
  const nTest = Math.max(1, Math.floor(items.length * share));
  return { train: items.slice(0, items.length - nTest), test: items.slice(items.length - nTest) };
}

/** Distinct (group, masked message, label) rows; weight = summed weight of the first + ln(repeats). */
function dedupeRows(items: readonly LabeledMessage[], label: (d: LabeledMessage) => string, masking: FeatureSpec['masking']): LabeledMessage[] {
  const seen = new Map<string, { row: LabeledMessage; count: number }>();
  for (const it of items) {
    const key = `${it.group ?? ''}\u0000${label(it)}\u0000${maskMessage(it.message, masking)}`;
    const hit = seen.get(key);
    if (hit) hit.count++;
    else seen.set(key, { row: it, count: 1 });
  }
  return [...seen.values()].map(({ row, count }) => ({ ...row, weight: (row.weight ?? 1) * (1 + Math.log(count)) }));
}

/** Per-record weights: each record's own weight, times its group's balancing weight. */
function groupWeights(items: readonly LabeledMessage[], enabled: boolean, power = 1): Float32Array {
  const w = Float32Array.from(items, (it) => it.weight ?? 1);
  if (!enabled) return w;
  const counts = new Map<string, number>();
  for (const it of items) counts.set(it.group ?? '', (counts.get(it.group ?? '') ?? 0) + 1);
  const mean = items.length / counts.size;
  items.forEach((it, i) => (w[i]! *= Math.pow(mean / counts.get(it.group ?? '')!, power)));
  return w;
}

function quantiles(values: number[], qs: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return qs.map((q) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!));
}

const PROFILE_QS = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];

function scoreProfile(scores: number[]): Pick<ReferenceProfile, 'scoreQuantiles' | 'scoreHistogram'> {
  const hist = new Array<number>(20).fill(0);
  for (const s of scores) hist[Math.min(19, Math.floor(s * 20))]!++;
  return { scoreQuantiles: quantiles(scores, PROFILE_QS).map((v) => round6(v)), scoreHistogram: hist };
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function roundDeep(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : round6(value);
  if (Array.isArray(value)) return value.map(roundDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v)]));
  return value;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A level model to fine-tune: its spec, labels and graph (read back from its bundle). */
export interface BaseLevelModel {
  ref: string;
  sha256: string;
  featureSpec: FeatureSpec;
  labels: Level[];
  graph: GraphSpec;
  threshold?: number;
  levelWeights?: number[];
  readHeadline?: boolean;
}

export interface LevelTrainOptions extends CommonTrainOptions {
  /**
   * Trouble threshold stored in the model: a line is WARN or above only when P(WARN) + P(ERROR)
   * + P(FATAL) reaches it (see decideLevel). Absent: the most probable level wins.
   */
  troubleThreshold?: number;
  /**
   * Trust a feature by the number of sources that use it: its idf is multiplied by g / (g + k),
   * g the number of distinct groups (projects, systems) whose training rows hold it, k this value.
   * A word that one project's statements happen to carry at WARN ("blk" in a page server) stops
   * deciding the level of another system's routine lines. Absent or 0: plain idf. Not applied
   * when fine-tuning (see fineTuneIdf).
   */
  groupShrink?: number;
  /** Fine-tune this model: start from its weights, keep its features and labels (idf: fineTuneIdf). */
  base?: BaseLevelModel;
  /**
   * How often each level occurs in real logs (counts of lines as running systems wrote them).
   * Given, the model stores levelWeights = runtime share / training share (the share after class
   * and source weighting) for each label, and the level within the trouble or the other group is
   * chosen by P(level) x weight (decideLevel): the balanced training prior makes DEBUG, TRACE and
   * FATAL far likelier than they are in a running system's output. Absent: a base's weights are
   * kept, else none.
   */
  runtimeLevelCounts?: Partial<Record<Level, number>>;
  /**
   * How far the level choice moves toward the runtime prior: levelWeights are the ratios raised to
   * this power (1 = all the way, 0 = not at all). Default 1. The shipped recipe uses 0.5: at 1,
   * systems the model was trained on lose their DEBUG and TRACE lines to INFO (within-system
   * macro-F1 0.918 -> 0.693); at 0.5 it is kept (0.920) and unseen systems still gain.
   */
  runtimePriorPower?: number;
  /**
   * Also read each message's headline (features/headline.ts): a headline that reaches the trouble
   * threshold lifts the line into WARN or above (decision.ts troubledReading),
   * in training metrics and at scoring (stored as the model's `readHeadline`). Absent: a base's
   * setting, else off.
   */
  readHeadline?: boolean;
}

/**
 * levelWeights for `classes` (see LevelTrainOptions.runtimeLevelCounts): runtime share (counts + 1
 * each) over the training share, to `power`, scaled so that the largest weight of each group (trouble, other)
 * is 1.
 */
export function levelWeightsFor(classes: readonly Level[], trainLabels: Int32Array, trainWeights: Float32Array, runtime: Partial<Record<Level, number>>, power = 1): number[] {
  const trained = new Float64Array(classes.length);
  let total = 0;
  trainLabels.forEach((l, i) => {
    trained[l]! += trainWeights[i]!;
    total += trainWeights[i]!;
  });
  const runTotal = classes.reduce((a, c) => a + (runtime[c] ?? 0) + 1, 0);
  const raw = classes.map((c, j) => Math.pow(((runtime[c] ?? 0) + 1) / runTotal / Math.max(1e-12, trained[j]! / Math.max(1e-12, total)), power));
  const groupMax = (trouble: boolean) => Math.max(...raw.filter((_, j) => TROUBLE_LEVELS.has(classes[j]!) === trouble), 1e-12);
  return raw.map((w, j) => round6(w / groupMax(TROUBLE_LEVELS.has(classes[j]!))));
}

/**
 * Fine-tuning's idf: fitted on the new data for the buckets it holds, the base's elsewhere. The
 * base's idf distrusts words few sources use (groupShrink), which is right for systems it never
 * saw and wrong for the one being adapted to: with the base's idf kept, HDFS's own vocabulary
 * could barely move the model (bench:quality section 6: HDFS trouble F1 0.875 kept, 1.000 refitted).
 */
function fineTuneIdf(baseIdf: Float32Array, feats: readonly SparseFeatures[], dims: number): Float32Array {
  const own = fitIdf(feats, dims);
  const present = new Uint8Array(dims);
  for (const f of feats) for (const d of f.indices) present[d] = 1;
  return Float32Array.from(baseIdf, (v, d) => (present[d] ? own[d]! : v));
}

/** Train a level classifier (or fine-tune `opts.base`). Records without a level are ignored. */
export function trainLevelModel(data: readonly LabeledMessage[], opts: LevelTrainOptions): TrainResult {
  const base = opts.base;
  const spec = base?.featureSpec ?? opts.featureSpec ?? DEFAULT_FEATURE_SPEC;
  const labeled = data.filter((d) => d.level);
  if (labeled.length < 2) throw new UsageError(`need at least 2 records with a level to train a level model, got ${labeled.length}`, 'give log files whose lines carry levels, or a CSV with a level column (--level-column)');
  const split0 = opts.heldOut ? { train: labeled, test: opts.heldOut.filter((d) => d.level) } : splitHoldout(labeled, opts.holdout);
  const test = split0.test;
  const train = opts.dedupe ? dedupeRows(split0.train, (d) => d.level!, spec.masking) : split0.train;
  const split = opts.heldOutDescription ?? `last ${test.length} of ${labeled.length} records (input order)`;
  const classes = base ? base.labels : LEVELS.filter((l) => train.some((d) => d.level === l));
  if (base) {
    const foreign = [...new Set(train.map((d) => d.level!))].filter((l) => !classes.includes(l));
    if (foreign.length) throw new UsageError(`the data has levels ${foreign.join(', ')} that the base model ${base.ref} does not know (it has ${classes.join(', ')})`, 'fine-tune a model trained with those levels, or train a new one without --base');
  } else if (classes.length < 2) throw new UsageError(`the training part has only one level (${classes.join(', ')}); a classifier needs at least two`, 'add logs with other levels, or lower --holdout');
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const readHeadline = opts.readHeadline ?? base?.readHeadline ?? false;
  const feats = train.map((d) => featurize(d.message, spec));
  const idf = base ? fineTuneIdf(base.graph.idf, feats, spec.dims) : fitIdf(feats, spec.dims);
  const groupShrink = base ? 0 : (opts.groupShrink ?? 0);
  if (groupShrink) shrinkByGroups(idf, feats, train, groupShrink);
  const rows = feats.map((f) => normalizeRow(f, idf));
  const baseLabels = Int32Array.from(train, (d) => classIndex.get(d.level!)!);
  const cw = balancedClassWeights(baseLabels, classes.length).map((w) => (w === 0 ? 0 : Math.pow(w, opts.classWeightPower)));
  const gw = groupWeights(train, opts.balanceGroups, opts.groupWeightPower);
  const baseWeights = Float32Array.from(baseLabels, (l, i) => cw[l]! * gw[i]!);
  const copyWeight = opts.lexiconCopyWeight ?? 0;
  const { rows: allRows, labels, weights } = withLexiconCopies(feats, rows, baseLabels, baseWeights, idf, spec, copyWeight);
  const init = base && base.graph.head.kind === 'softmax' ? { weights: base.graph.head.weights, bias: base.graph.head.bias } : undefined;
  const { weights: W, bias } = trainSoftmax(allRows, labels, weights, classes.length, spec.dims, opts, init);
  const graph: GraphSpec = { dims: spec.dims, idf, head: { kind: 'softmax', classes: classes.length, weights: W, bias } };
  const troubleThreshold = opts.troubleThreshold ?? base?.threshold;
  const levelWeights = opts.runtimeLevelCounts ? levelWeightsFor(classes, baseLabels, baseWeights, opts.runtimeLevelCounts, opts.runtimePriorPower ?? 1) : base?.levelWeights;

  // measured exactly as the scorer reads (scorer.ts scoreKeys): the whole message, and with
  // readHeadline its headline too (decision.ts troubledReading)
  const predict = (f: SparseFeatures, message: string): Level => {
    const whole = referenceForward(graph, f.indices, f.values);
    const headline = readHeadline ? headlineOf(maskMessage(message, spec.masking)) : null;
    if (headline === null) return classes[decideLevel(whole, 0, classes, troubleThreshold, levelWeights)]!;
    const h = featurizeMasked(headline, spec);
    const both = [...whole, ...referenceForward(graph, h.indices, h.values)];
    return classes[decideLevel(both, troubledReading(both, 0, classes.length, classes, troubleThreshold), classes, troubleThreshold, levelWeights)]!;
  };
  const trainPred = feats.map((f, i) => predict(f, train[i]!.message));
  const trainReport = classificationReport(train.map((d) => d.level!), trainPred, LEVELS);
  const testPred = test.map((d) => predict(featurize(d.message, spec), d.message));
  const testReport = test.length ? classificationReport(test.map((d) => d.level!), testPred, LEVELS) : null;
  const meta: ModelMetadata = {
    name: opts.name,
    version: opts.version,
    task: 'level',
    head: 'softmax',
    labels: classes,
    featureSpec: spec,
    featureSpecHash: specHash(spec),
    ...(troubleThreshold !== undefined ? { threshold: troubleThreshold } : {}),
    ...(levelWeights ? { levelWeights } : {}),
    ...(readHeadline ? { readHeadline: true } : {}),
    trainingData: {
      fingerprint: dataFingerprint(train.map((d) => ({ message: d.message, label: d.level! }))),
      records: train.length,
      labelCounts: countBy(train, (d) => d.level!),
      description: opts.description,
    },
    metrics: roundDeep({
      training: summarizeClassification(trainReport),
      ...(testReport ? { heldOut: { ...summarizeClassification(testReport), split } } : {}),
    }) as ModelMetadata['metrics'],
    referenceProfile: { n: trainPred.length, predictedLabelShares: roundDeep(shares(trainPred)) as Record<string, number> },
    trainer: {
      algorithm: base ? `fine-tuned from ${base.ref} (sha256 ${base.sha256}): multinomial logistic regression (AdaGrad, L2 towards the base weights)` : 'multinomial logistic regression (AdaGrad, L2)',
      lexiconCopyWeight: copyWeight,
      classWeightPower: opts.classWeightPower,
      balanceGroups: opts.balanceGroups,
      ...(opts.groupWeightPower !== undefined ? { groupWeightPower: opts.groupWeightPower } : {}),
      ...(opts.dedupe ? { dedupe: true } : {}),
      ...(groupShrink ? { groupShrink } : {}),
      ...(opts.runtimeLevelCounts ? { runtimeLevelCounts: opts.runtimeLevelCounts, runtimePriorPower: opts.runtimePriorPower ?? 1 } : {}),
      epochs: opts.epochs,
      learningRate: opts.learningRate,
      l2: opts.l2,
      holdout: opts.holdout,
    },
    seed: opts.seed,
    logmlVersion: opts.logmlVersion,
  };
  return { bytes: writeBundle(meta, graph), meta };
}

/**
 * Multiply each bucket's idf by g / (g + k), g = distinct sources among the rows that hold it
 * (see LevelTrainOptions.groupShrink); buckets no row holds keep theirs (they have no weights,
 * and an unknown word still dilutes what is known in the row's norm).
 */
export function shrinkByGroups(idf: Float32Array, feats: readonly SparseFeatures[], rows: readonly LabeledMessage[], k: number): void {
  const groupIds = new Map<string, number>();
  const gid = rows.map((r) => {
    const g = r.source ?? r.group ?? '';
    let id = groupIds.get(g);
    if (id === undefined) groupIds.set(g, (id = groupIds.size));
    return id;
  });
  const order = Array.from(rows.keys()).sort((a, b) => gid[a]! - gid[b]!);
  const last = new Int32Array(idf.length).fill(-1);
  const groups = new Uint32Array(idf.length);
  for (const i of order) {
    const g = gid[i]!;
    for (const d of feats[i]!.indices) {
      if (last[d] !== g) {
        last[d] = g;
        groups[d]!++;
      }
    }
  }
  for (let d = 1; d < idf.length; d++) if (groups[d]! > 0) idf[d]! *= groups[d]! / (groups[d]! + k);
}

function shares(labels: readonly string[]): Record<string, number> {
  const counts = countBy(labels, (l) => l);
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / labels.length]));
}

function summarizeClassification(r: ReturnType<typeof classificationReport>) {
  return {
    n: r.n,
    accuracy: r.accuracy,
    macroF1: r.macroF1,
    perClass: Object.fromEntries(r.perClass.map((c) => [c.label, { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support }])),
  };
}

export interface AnomalyTrainOptions extends CommonTrainOptions {
  /** Force the unsupervised detector even when labels exist. */
  unsupervised: boolean;
  /** Unsupervised: quantile of training scores placed at the decision threshold. */
  noveltyQuantile: number;
}

/** Train an anomaly model: supervised when both labels occur, else unsupervised novelty. */
export function trainAnomalyModel(data: readonly LabeledMessage[], opts: AnomalyTrainOptions): TrainResult {
  const spec = opts.featureSpec ?? DEFAULT_FEATURE_SPEC;
  if (data.length < 2) throw new UsageError(`need at least 2 records to train an anomaly model, got ${data.length}`, 'give more log lines with --data');
  const { train, test } = opts.heldOut ? { train: [...data], test: [...opts.heldOut] } : splitHoldout(data, opts.holdout);
  const split = opts.heldOutDescription ?? `last ${test.length} of ${data.length} records (input order)`;
  const hasPos = train.some((d) => d.anomaly === true);
  const hasNeg = train.some((d) => d.anomaly === false);
  const supervised = !opts.unsupervised && hasPos && hasNeg;
  // unsupervised: learn from records not labeled anomalous (all of them when there are no labels)
  const fitSet = supervised ? train : train.filter((d) => d.anomaly !== true);
  const feats = fitSet.map((d) => featurize(d.message, spec));
  const idf = fitIdf(feats, spec.dims);
  let head: HeadSpec;
  let threshold = 0.5;
  let algorithm: string;
  if (supervised) {
    const rows = feats.map((f) => normalizeRow(f, idf));
    const labels = Int32Array.from(fitSet, (d) => (d.anomaly ? 1 : 0));
    const cw = balancedClassWeights(labels, 2).map((w) => Math.pow(w, opts.classWeightPower));
    const gw = groupWeights(fitSet, opts.balanceGroups, opts.groupWeightPower);
    const weights = Float32Array.from(labels, (l, i) => cw[l]! * gw[i]!);
    const copies = withLexiconCopies(feats, rows, labels, weights, idf, spec, opts.lexiconCopyWeight ?? 0);
    const fitted = trainLogistic(copies.rows, copies.labels, copies.weights, spec.dims, opts);
    head = { kind: 'logistic', weights: fitted.weights, bias: fitted.bias };
    algorithm = `logistic regression (AdaGrad, L2, balanced class weights ^ ${opts.classWeightPower}, lexicon-only copies x ${opts.lexiconCopyWeight ?? 0})`;
  } else {
    // surprise of a bucket = its idf minus 1 = ln((1+n)/(1+df)); unseen buckets are the most surprising
    const surprise = idf.map((v, d) => (d === 0 ? 0 : v - 1));
    const probe: GraphSpec = { dims: spec.dims, idf, head: { kind: 'rarity', surprise, center: 0, sharpness: 1 } };
    const raws = feats.map((f) => rawNovelty(probe, f));
    const [median, upper] = quantiles(raws, [0.5, opts.noveltyQuantile]) as [number, number];
    const center = upper + Math.max(1e-6, (upper - median) * 0.25);
    const sharpness = 4 / Math.max(1e-6, upper - median);
    head = { kind: 'rarity', surprise, center, sharpness };
    algorithm = `unsupervised novelty: tf-idf weighted mean token surprise, threshold above the ${opts.noveltyQuantile} quantile of training scores`;
  }
  const graph: GraphSpec = { dims: spec.dims, idf, head };
  const score = (f: SparseFeatures) => referenceForward(graph, f.indices, f.values)[0]!;
  const trainScores = feats.map(score);
  const trainLabeled = fitSet.filter((d) => d.anomaly !== null && d.anomaly !== undefined);
  const report = (items: readonly LabeledMessage[], scores: number[]) => {
    const idx = items.map((d, i) => (d.anomaly === null || d.anomaly === undefined ? -1 : i)).filter((i) => i >= 0);
    if (idx.length === 0) return null;
    const b = binaryReport(idx.map((i) => items[i]!.anomaly === true), idx.map((i) => scores[i]! >= threshold));
    return { n: b.n, precision: b.precision, recall: b.recall, f1: b.f1, fpr: b.fpr, tp: b.tp, fp: b.fp, tn: b.tn, fn: b.fn };
  };
  const trainReport = trainLabeled.length ? report(fitSet, trainScores) : null;
  const testScores = test.map((d) => score(featurize(d.message, spec)));
  // held-out lines without labels still say something: the share flagged (what normal logs cost in alerts)
  const testFlagRate = testScores.filter((s) => s >= threshold).length / Math.max(1, testScores.length);
  const testReport = report(test, testScores) ?? (test.length ? { n: test.length, flagRate: testFlagRate, labeled: 0 } : null);
  const flagRate = trainScores.filter((s) => s >= threshold).length / Math.max(1, trainScores.length);
  const meta: ModelMetadata = {
    name: opts.name,
    version: opts.version,
    task: 'anomaly',
    head: head.kind,
    labels: ['normal', 'anomaly'],
    featureSpec: spec,
    featureSpecHash: specHash(spec),
    threshold,
    trainingData: {
      fingerprint: dataFingerprint(fitSet.map((d) => ({ message: d.message, label: d.anomaly === true ? '1' : d.anomaly === false ? '0' : '' }))),
      records: fitSet.length,
      labelCounts: countBy(fitSet, (d) => (d.anomaly === true ? 'anomaly' : d.anomaly === false ? 'normal' : 'unlabeled')),
      description: opts.description,
    },
    metrics: roundDeep({
      training: { ...(trainReport ?? { n: fitSet.length }), flagRate },
      ...(testReport ? { heldOut: { ...testReport, split } } : {}),
    }) as ModelMetadata['metrics'],
    referenceProfile: { n: trainScores.length, ...scoreProfile(trainScores) },
    trainer: { algorithm, supervised, balanceGroups: opts.balanceGroups, epochs: opts.epochs, learningRate: opts.learningRate, l2: opts.l2, holdout: opts.holdout, ...(supervised ? {} : { noveltyQuantile: opts.noveltyQuantile }) },
    seed: opts.seed,
    logmlVersion: opts.logmlVersion,
  };
  return { bytes: writeBundle(meta, graph), meta };
}

/**
 * Adds, for each record with lexicon features, a copy carrying only those features (weight x
 * `copyWeight`), so that severity words learn to predict the label on their own and carry to
 * logs whose other words the model never saw. copyWeight 0 returns the inputs unchanged.
 */
function withLexiconCopies(
  feats: readonly SparseFeatures[],
  rows: NormalizedRow[],
  labels: Int32Array,
  weights: Float32Array,
  idf: Float32Array,
  spec: FeatureSpec,
  copyWeight: number,
): { rows: NormalizedRow[]; labels: Int32Array; weights: Float32Array } {
  if (copyWeight <= 0 || spec.lexicon === 'none') return { rows, labels, weights };
  const lex = lexiconBuckets(spec);
  const extraRows: NormalizedRow[] = [];
  const extraLabels: number[] = [];
  const extraWeights: number[] = [];
  feats.forEach((f, i) => {
    const keep = Array.from(f.indices.keys()).filter((k) => lex.has(f.indices[k]!));
    if (keep.length === 0) return;
    extraRows.push(normalizeRow({ indices: Int32Array.from(keep, (k) => f.indices[k]!), values: Float32Array.from(keep, (k) => f.values[k]!) }, idf));
    extraLabels.push(labels[i]!);
    extraWeights.push(weights[i]! * copyWeight);
  });
  return {
    rows: [...rows, ...extraRows],
    labels: Int32Array.from([...labels, ...extraLabels]),
    weights: Float32Array.from([...weights, ...extraWeights]),
  };
}

function rawNovelty(probe: GraphSpec, f: SparseFeatures): number {
  // with center 0 and sharpness 1 the graph's score is sigmoid(raw): invert it exactly in float64
  const head = probe.head as Extract<HeadSpec, { kind: 'rarity' }>;
  let sumsq = 0;
  const x = new Float64Array(f.indices.length);
  for (let i = 0; i < x.length; i++) {
    x[i] = f.values[i]! * probe.idf[f.indices[i]!]!;
    sumsq += x[i]! * x[i]!;
  }
  let raw = 0;
  for (let i = 0; i < x.length; i++) raw += ((x[i]! * x[i]!) / Math.max(sumsq, 1e-24)) * head.surprise[f.indices[i]!]!;
  return raw;
}
