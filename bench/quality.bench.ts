/**
 * @file Quality benchmark (npm run bench:quality): every figure beside its target, measured on
 * data the model being judged never saw. The level token is hidden from the models (only the
 * message is used; raw files go through the CLI's parser, which strips headers).
 *
 *  1. Level, leave one LogHub system out (the mined corpus and the 7 other systems train it).
 *  2. Level, leave projects of the mined corpus out (5 folds grouped by project).
 *  3. Level, within system (70/30 time split).
 *  5. Anomaly: flag rate on unseen LogHub systems (models trained without the system), raw files
 *     through the CLI and the Content column in-process; BGL supervised and unsupervised.
 *  6. Fine-tuning: a held-out system's first 1,000 lines adapt the model; its last 1,000 judge.
 *  4. The hand-written application lines (fixtures/handwritten), raw files through `logml predict`
 *     (printed last).
 * Beside each logml figure, a plain TF-IDF + logistic regression baseline trained on the same data
 * in the same run (unigrams, no lexicon, no weighting, most probable level).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANOMALY_FEATURE_SPEC, DEFAULT_FEATURE_SPEC, featurizeMasked, headlineOf, maskMessage } from '../src/core/features/index.js';
import { bestThresholdF1, binaryReport, classificationReport, rocAuc } from '../src/core/metrics/index.js';
import { troubledReading, troubleShare } from '../src/core/model/decision.js';
import { readSoftmaxGraph, referenceForward } from '../src/core/model/graph.js';
import { decodeModel } from '../src/core/model/onnx-proto.js';
import { createScorer, loadModel } from '../src/core/model/index.js';
import { ANOMALY_DEFAULTS, augmentRows, baseLevelModel, DEFAULT_TRAIN_OPTIONS, FINE_TUNE_DEFAULTS, knownFailureRows, trainAnomalyModel, trainLevelModel, type LabeledMessage, type LevelTrainOptions, type TrainResult } from '../src/core/train/index.js';
import type { Level, Prediction } from '../src/core/types.js';
import { corpus, generalRows, LEVEL_RECIPE, runtimeLevelCounts } from '../scripts/train-default.js';
import { LEVEL_SYSTEMS, LOGHUB_DIR, loadSystem, SYSTEMS } from './loghub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin', 'logml.js');
const work = mkdtempSync(join(tmpdir(), 'logml-quality-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const data = Object.fromEntries(SYSTEMS.map((s) => [s, loadSystem(s)])) as Record<string, LabeledMessage[]>;
const TROUBLE = new Set<string>(['WARN', 'ERROR', 'FATAL']);
const MULTI_LEVEL = LEVEL_SYSTEMS.filter((s) => new Set(data[s]!.map((r) => r.level)).size > 1);

const base: LevelTrainOptions = { ...LEVEL_RECIPE, name: 'bench', version: '0', holdout: 0, description: 'bench', logmlVersion: '0' };
const plain: LevelTrainOptions = { ...DEFAULT_TRAIN_OPTIONS, name: 'plain', version: '0', holdout: 0, description: 'plain', logmlVersion: '0', balanceGroups: false, classWeightPower: 0, lexiconCopyWeight: 0, l2: 1e-6, epochs: 5, featureSpec: { ...DEFAULT_FEATURE_SPEC, ngrams: [1], lexicon: 'none', charNgrams: null } };

const f3 = (v: number) => v.toFixed(3);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const mark = (v: number, goal: number, higher = true) => ((higher ? v >= goal : v <= goal) ? 'met' : 'NOT met');
const printed: string[] = [];
const log = (s = '') => {
  console.log(s);
  printed.push(s);
};
/** The headline figures, written into README.md (between its bench:quality markers) at the end. */
const summary: Array<{ figure: string; value: string; target: string; met: boolean | null }> = [];

async function predict(models: Uint8Array[], messages: readonly string[]): Promise<Prediction[]> {
  const loaded = [];
  for (const bytes of models) loaded.push(await loadModel({ bytes, origin: 'bench' }));
  const scorer = createScorer(loaded);
  const out = await scorer.score(messages);
  await scorer.close();
  return out;
}

interface Trouble {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
}
function trouble(actual: readonly boolean[], predicted: readonly boolean[]): Trouble {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  actual.forEach((a, i) => (a && predicted[i] ? tp++ : predicted[i] ? fp++ : a ? fn++ : tn++));
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / Math.max(1, tp + fn);
  return { tp, fp, fn, tn, precision, recall, f1: (2 * precision * recall) / Math.max(1e-12, precision + recall) };
}
const isTrouble = (l: Level | null | undefined) => l !== null && l !== undefined && TROUBLE.has(l);

function levelFigures(test: readonly LabeledMessage[], preds: readonly Prediction[]) {
  const r = classificationReport(test.map((d) => d.level!), preds.map((p) => p.predictedLevel!));
  const t = trouble(test.map((d) => isTrouble(d.level)), preds.map((p) => isTrouble(p.predictedLevel)));
  return { macroF1: r.macroF1, accuracy: r.accuracy, trouble: t, perClass: r.perClass };
}

/** Each message's trouble share P(WARN) + P(ERROR) + P(FATAL) under a level model (the graph's reference computation, read as the scorer reads: decision.ts troubledReading). */
function troubleShares(model: TrainResult, messages: readonly string[]): number[] {
  const spec = model.meta.featureSpec;
  const labels = model.meta.labels!;
  const graph = readSoftmaxGraph(decodeModel(model.bytes) as unknown as Record<string, unknown>, spec.dims, labels.length)!;
  const forward = (text: string) => {
    const f = featurizeMasked(text, spec);
    return referenceForward(graph, f.indices, f.values);
  };
  const cache = new Map<string, number>();
  return messages.map((m) => {
    let t = cache.get(m);
    if (t === undefined) {
      const masked = maskMessage(m, spec.masking);
      const headline = model.meta.readHeadline ? headlineOf(masked) : null;
      const rows = headline === null ? forward(masked) : [...forward(masked), ...forward(headline)];
      t = troubleShare(rows, troubledReading(rows, 0, headline === null ? -1 : labels.length, labels, model.meta.threshold), labels);
      cache.set(m, t);
    }
    return t;
  });
}

function cli(args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
}
function cliRecords(args: string[]): Array<Record<string, unknown>> {
  return cli([...args, '--format', 'ndjson']).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

log(`logml quality benchmark: ${corpus().length} mined statements from ${new Set(corpus().map((r) => r.group)).size} projects; LogHub systems ${SYSTEMS.join(', ')}`);
log(`trouble = WARN or above; the level model calls a line trouble when P(WARN)+P(ERROR)+P(FATAL) >= ${LEVEL_RECIPE.troubleThreshold}`);

// ---------------------------------------------------------------------------------------------
// 1. leave one LogHub system out
const losoModels = new Map<string, TrainResult>();
{
  log(`\n== 1. Level, unseen LogHub system: trained on the mined corpus + the other ${LEVEL_SYSTEMS.length - 1} level systems, tested on all 2,000 lines of the held-out one`);
  log(`   targets on systems with more than one level: trouble F1 >= 0.8 and 6-class macro-F1 >= 0.6; [plain TF-IDF + LR on the same data]`);
  log(`   AUC = ROC AUC of the trouble share (threshold-free: how well lines are ranked); best F1 = what the best single threshold would reach (calibration)`);
  log(`${'held-out'.padEnd(10)} ${'macro-F1'.padStart(8)} ${'trouble P'.padStart(9)} ${'R'.padStart(6)} ${'F1'.padStart(6)} ${'AUC'.padStart(6)} ${'best F1'.padStart(13)}   [plain mF1, trouble F1]   n trouble/all`);
  let worst: { s: string; f1: number } | null = null;
  const f1s: number[] = [];
  const losoRows: Array<{ s: string; f1: number; macro: number; plainF1: number; plainMacro: number; auc: number; best: number }> = [];
  for (const held of LEVEL_SYSTEMS) {
    const systemRows = LEVEL_SYSTEMS.filter((s) => s !== held).flatMap((s) => data[s]!);
    const train = [...generalRows(), ...systemRows];
    const model = trainLevelModel(train, { ...base, runtimeLevelCounts: runtimeLevelCounts(systemRows) });
    losoModels.set(held, model);
    const test = data[held]!;
    const ours = levelFigures(test, await predict([model.bytes], test.map((r) => r.message)));
    const theirs = levelFigures(test, await predict([trainLevelModel(train, plain).bytes], test.map((r) => r.message)));
    const multi = MULTI_LEVEL.includes(held);
    const positives = test.filter((r) => isTrouble(r.level)).length;
    const shares = troubleShares(model, test.map((r) => r.message));
    const actual = test.map((r) => isTrouble(r.level));
    const auc = rocAuc(shares, actual);
    const best = bestThresholdF1(shares, actual);
    const ranking = auc === null ? `${'-'.padStart(6)} ${'-'.padStart(13)}` : `${f3(auc).padStart(6)} ${`${f3(best.f1)} at ${best.threshold.toFixed(2)}`.padStart(13)}`;
    const verdict = multi ? `trouble ${mark(ours.trouble.f1, 0.8)}, macro ${mark(ours.macroF1, 0.6)}` : `one level only: ${ours.trouble.fp} of ${test.length} lines called trouble (${pct(ours.trouble.fp / test.length)})`;
    log(`${held.padEnd(10)} ${f3(ours.macroF1).padStart(8)} ${f3(ours.trouble.precision).padStart(9)} ${f3(ours.trouble.recall).padStart(6)} ${f3(ours.trouble.f1).padStart(6)} ${ranking}   [${f3(theirs.macroF1)}, ${f3(theirs.trouble.f1)}]   ${positives}/${test.length}  ${verdict}`);
    if (multi) {
      f1s.push(ours.trouble.f1);
      losoRows.push({ s: held, f1: ours.trouble.f1, macro: ours.macroF1, plainF1: theirs.trouble.f1, plainMacro: theirs.macroF1, auc: auc ?? NaN, best: best.f1 });
      if (!worst || ours.trouble.f1 < worst.f1) worst = { s: held, f1: ours.trouble.f1 };
    }
  }
  log(`mean trouble F1 over the ${f1s.length} multi-level systems ${f3(f1s.reduce((a, b) => a + b, 0) / f1s.length)}; worst ${worst!.s} ${f3(worst!.f1)} (goal >= 0.8 each: ${mark(worst!.f1, 0.8)})`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  summary.push({ figure: 'unseen LogHub system (left out of training), trouble F1, per system with several levels (n=2,000 each)', value: `${losoRows.map((r) => `${r.s} ${f3(r.f1)}`).join(', ')} (mean ${f3(mean(losoRows.map((r) => r.f1)))}; plain TF-IDF + LR mean ${f3(mean(losoRows.map((r) => r.plainF1)))})`, target: '>= 0.8 each', met: worst!.f1 >= 0.8 });
  summary.push({ figure: 'same, ranking: ROC AUC of the trouble share (threshold-free), and the best F1 a per-system threshold would reach', value: `${losoRows.map((r) => `${r.s} ${f3(r.auc)} / ${f3(r.best)}`).join(', ')}`, target: 'shown', met: null });
  summary.push({ figure: 'same, 6-class macro-F1', value: `${losoRows.map((r) => `${r.s} ${f3(r.macro)}`).join(', ')} (plain mean ${f3(mean(losoRows.map((r) => r.plainMacro)))})`, target: '>= 0.6 each', met: losoRows.every((r) => r.macro >= 0.6) });
}

// ---------------------------------------------------------------------------------------------
// 2. projects of the corpus left out
{
  const FOLDS = 5;
  const projects = [...new Set(corpus().map((r) => r.group!))].sort();
  log(`\n== 2. Level, unseen projects: the ${projects.length} corpus projects in ${FOLDS} folds (project i in fold i mod ${FOLDS}); each fold's statements judged by a model trained on the other folds + all 8 LogHub level systems (goal trouble F1 >= 0.85)`);
  const actual: boolean[] = [];
  const ours: boolean[] = [];
  const theirs: boolean[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const held = new Set(projects.filter((_, i) => i % FOLDS === fold));
    const test = corpus().filter((r) => held.has(r.group!));
    // the recipe's general rows, built from this fold's statements only (augmentation included: no held-out text leaks in)
    const statements = [...corpus().filter((r) => !held.has(r.group!)), ...knownFailureRows()];
    const train = [...statements, ...augmentRows(statements), ...LEVEL_SYSTEMS.flatMap((s) => data[s]!)];
    const p = await predict([trainLevelModel(train, { ...base, runtimeLevelCounts: runtimeLevelCounts(LEVEL_SYSTEMS.flatMap((s) => data[s]!)) }).bytes], test.map((r) => r.message));
    const q = await predict([trainLevelModel(train, plain).bytes], test.map((r) => r.message));
    const t = trouble(test.map((r) => isTrouble(r.level)), p.map((x) => isTrouble(x.predictedLevel)));
    log(`fold ${fold}: ${held.size} projects, n=${test.length}: trouble P ${f3(t.precision)} R ${f3(t.recall)} F1 ${f3(t.f1)}`);
    test.forEach((r, i) => {
      actual.push(isTrouble(r.level));
      ours.push(isTrouble(p[i]!.predictedLevel));
      theirs.push(isTrouble(q[i]!.predictedLevel));
    });
  }
  const t = trouble(actual, ours);
  log(`all folds, n=${actual.length}: trouble P ${f3(t.precision)} R ${f3(t.recall)} F1 ${f3(t.f1)} (goal >= 0.85: ${mark(t.f1, 0.85)}); plain F1 ${f3(trouble(actual, theirs).f1)}`);
  summary.push({ figure: `unseen open-source projects (mined statements, ${FOLDS} folds grouped by project, n=${actual.length}), trouble F1`, value: `${f3(t.f1)} (P ${f3(t.precision)}, R ${f3(t.recall)}; plain TF-IDF + LR ${f3(trouble(actual, theirs).f1)})`, target: '>= 0.85', met: t.f1 >= 0.85 });
}

// ---------------------------------------------------------------------------------------------
// 3. within system
{
  const systemRows: LabeledMessage[] = [];
  const test: LabeledMessage[] = [];
  for (const s of LEVEL_SYSTEMS) {
    const cut = Math.floor(data[s]!.length * 0.7);
    systemRows.push(...data[s]!.slice(0, cut));
    test.push(...data[s]!.slice(cut));
  }
  const train = [...generalRows(), ...systemRows];
  log(`\n== 3. Level, within system: the corpus + the first 70% of each of the ${LEVEL_SYSTEMS.length} systems train, the last 30% test (n=${test.length}; goal macro-F1 >= 0.97)`);
  const ours = levelFigures(test, await predict([trainLevelModel(train, { ...base, runtimeLevelCounts: runtimeLevelCounts(systemRows) }).bytes], test.map((r) => r.message)));
  const theirs = levelFigures(test, await predict([trainLevelModel(train, plain).bytes], test.map((r) => r.message)));
  log(`logml macro-F1 ${f3(ours.macroF1)} (${mark(ours.macroF1, 0.97)}), accuracy ${f3(ours.accuracy)}, trouble F1 ${f3(ours.trouble.f1)}; per class ${ours.perClass.map((c) => `${c.label} ${f3(c.f1)} (n=${c.support})`).join(', ')}`);
  log(`plain macro-F1 ${f3(theirs.macroF1)}, accuracy ${f3(theirs.accuracy)}, trouble F1 ${f3(theirs.trouble.f1)}`);
  summary.push({ figure: `within system (70/30 time split of 8 LogHub systems, n=${test.length}), macro-F1`, value: `${f3(ours.macroF1)} (plain TF-IDF + LR ${f3(theirs.macroF1)})`, target: '>= 0.97', met: ours.macroF1 >= 0.97 });
}

// ---------------------------------------------------------------------------------------------
// 5. anomaly
{
  log(`\n== 5. Anomaly, unseen LogHub systems: level and anomaly models trained without the system (BGL's labels the only anomaly labels), flag rate on its lines, all taken as normal (goal <= 2%)`);
  const allSystemRows = LEVEL_SYSTEMS.flatMap((s) => data[s]!);
  const allLevel = trainLevelModel([...generalRows(), ...allSystemRows], { ...base, runtimeLevelCounts: runtimeLevelCounts(allSystemRows) });
  let rawFlagged = 0, rawTotal = 0, colFlagged = 0, colTotal = 0;
  const per: string[] = [];
  for (const held of SYSTEMS.filter((s) => s !== 'BGL')) {
    const level = losoModels.get(held) ?? allLevel;
    const train = SYSTEMS.filter((s) => s !== held).flatMap((s) => data[s]!.map((r) => ({ ...r, anomaly: s === 'BGL' ? r.anomaly : false })));
    const anomaly = trainAnomalyModel(train, { ...DEFAULT_TRAIN_OPTIONS, ...ANOMALY_DEFAULTS, classWeightPower: 0.5, featureSpec: ANOMALY_FEATURE_SPEC, name: 'a', version: '0', holdout: 0, description: '', logmlVersion: '0', unsupervised: false, noveltyQuantile: 0.995 });
    const col = await predict([level.bytes, anomaly.bytes], data[held]!.map((r) => r.message));
    const cf = col.filter((p) => p.isAnomaly).length;
    const lp = join(work, `level-${held}.onnx`);
    const ap = join(work, `anomaly-${held}.onnx`);
    writeFileSync(lp, level.bytes);
    writeFileSync(ap, anomaly.bytes);
    const raw = cliRecords(['predict', join(LOGHUB_DIR, `${held}_2k.log`), '-m', lp, '-m', ap]); // as a user runs it: templates on, novelty counted per template
    const rf = raw.filter((r) => r.is_anomaly === true).length;
    rawFlagged += rf;
    rawTotal += raw.length;
    colFlagged += cf;
    colTotal += col.length;
    per.push(`${held} raw ${pct(rf / raw.length)} / column ${pct(cf / col.length)}`);
  }
  log(`raw files through the CLI (novelty per template): ${pct(rawFlagged / rawTotal)} (${rawFlagged}/${rawTotal}; ${mark(rawFlagged / rawTotal, 0.02, false)}); Content column in-process (novelty per masked message): ${pct(colFlagged / colTotal)} (${colFlagged}/${colTotal}; ${mark(colFlagged / colTotal, 0.02, false)})`);
  log(`per system: ${per.join(', ')}`);
  summary.push({ figure: `anomaly flag rate on unseen LogHub systems (all lines taken as normal), raw files through the CLI (n=${rawTotal})`, value: pct(rawFlagged / rawTotal), target: '<= 2%', met: rawFlagged / rawTotal <= 0.02 });
  summary.push({ figure: `same, message column in-process (n=${colTotal})`, value: pct(colFlagged / colTotal), target: '<= 2%', met: colFlagged / colTotal <= 0.02 });

  const bgl = data.BGL!;
  const half = Math.floor(bgl.length / 2);
  const train = bgl.slice(0, half);
  const test = bgl.slice(half);
  const actual = test.map((d) => d.anomaly === true);
  log(`\n== 5b. Anomaly, BGL (Label column): the supervised head trained on the first half in time order, tested on the second (n=${test.length}, ${actual.filter(Boolean).length} alerts; goal F1 >= 0.9)`);
  const common = { ...DEFAULT_TRAIN_OPTIONS, name: 'a', version: '0', holdout: 0, description: '', logmlVersion: '0', unsupervised: false, noveltyQuantile: 0.995 };
  for (const [name, opts] of [['logml supervised', { ...common, ...ANOMALY_DEFAULTS, featureSpec: ANOMALY_FEATURE_SPEC }], ['plain TF-IDF + LR', { ...common, ...plain, unsupervised: false, noveltyQuantile: 0.995 }]] as const) {
    const model = trainAnomalyModel(train, opts);
    const preds = await predict([model.bytes], test.map((r) => r.message));
    const b = binaryReport(actual, preds.map((p) => p.isAnomaly === true));
    log(`${name.padEnd(18)} precision ${f3(b.precision)}, recall ${f3(b.recall)}, F1 ${f3(b.f1)} (${mark(b.f1, 0.9)}), FPR ${f3(b.fpr)} (${b.fp}/${b.fp + b.tn})`);
    if (name === 'logml supervised') summary.push({ figure: `BGL supervised anomaly head, time split (n=${test.length}, ${actual.filter(Boolean).length} alerts), F1`, value: `${f3(b.f1)} (P ${f3(b.precision)}, R ${f3(b.recall)})`, target: '>= 0.9', met: b.f1 >= 0.9 });
  }
  const unsup = trainAnomalyModel(train.map((d) => ({ ...d, anomaly: null })), { ...common, ...ANOMALY_DEFAULTS, featureSpec: ANOMALY_FEATURE_SPEC, unsupervised: true });
  const up = await predict([unsup.bytes], test.map((r) => r.message));
  const u = binaryReport(actual, up.map((p) => p.isAnomaly === true));
  log(`${'logml unsupervised'.padEnd(18)} precision ${f3(u.precision)}, recall ${f3(u.recall)}, F1 ${f3(u.f1)}, FPR ${f3(u.fpr)} (${u.fp}/${u.fp + u.tn}), no labels used`);
  const lv = losoModels.get('BGL')!;
  const combined = await predict([lv.bytes], test.map((r) => r.message));
  const c = binaryReport(actual, combined.map((p) => p.isAnomaly === true));
  log(`${'default score'.padEnd(18)} (level model that never saw BGL x novelty, no anomaly labels) precision ${f3(c.precision)}, recall ${f3(c.recall)}, F1 ${f3(c.f1)}, FPR ${f3(c.fpr)}`);
}

// ---------------------------------------------------------------------------------------------
// 6. fine-tuning on a system's own lines
{
  log(`\n== 6. Fine-tuning (\`logml train --task level --base\`): the leave-one-out model of section 1, fine-tuned on the held-out system's first 1,000 lines (its own levels), judged on its last 1,000`);
  log(`${'system'.padEnd(10)} ${'before mF1'.padStart(10)} ${'after'.padStart(6)}   ${'trouble F1 before'.padStart(17)} ${'after'.padStart(6)}`);
  const tuned1: string[] = [];
  for (const held of MULTI_LEVEL) {
    const rows = data[held]!;
    const adapt = rows.slice(0, 1000);
    const test = rows.slice(1000);
    const before = levelFigures(test, await predict([losoModels.get(held)!.bytes], test.map((r) => r.message)));
    const tuned = trainLevelModel(adapt, { ...base, ...FINE_TUNE_DEFAULTS, dedupe: false, base: baseLevelModel(losoModels.get(held)!.bytes, `leave-${held}-out model`) });
    const after = levelFigures(test, await predict([tuned.bytes], test.map((r) => r.message)));
    log(`${held.padEnd(10)} ${f3(before.macroF1).padStart(10)} ${f3(after.macroF1).padStart(6)}   ${f3(before.trouble.f1).padStart(17)} ${f3(after.trouble.f1).padStart(6)}`);
    tuned1.push(`${held} ${f3(before.trouble.f1)} -> ${f3(after.trouble.f1)}`);
  }
  summary.push({ figure: 'fine-tuned on 1,000 of a system\'s own lines (`train --base`), trouble F1 on its next 1,000, before -> after', value: tuned1.join(', '), target: 'shown', met: null });
}

// ---------------------------------------------------------------------------------------------
// 4. the hand-written application lines, as a user runs them (last: the slowest to read by eye)
{
  const dir = join(root, 'fixtures', 'handwritten');
  const rows = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  const files = [...new Set(rows.map((r) => r[0]!))];
  const label = new Map(rows.map(([f, line, l]) => [`${f}:${line}`, l!.trim()]));
  log(`\n== 4. Hand-written application lines (fixtures/handwritten: ${rows.length} records in ${files.length} files), raw files through \`logml predict\` with the shipped models`);
  log(`   goals: trouble recall >= 0.9 at precision >= 0.85; anomaly flags on >= 70% of ERROR records and <= 10% of OK records`);
  const actual: boolean[] = [];
  const predicted: boolean[] = [];
  const flagged = { ERROR: 0, WARN: 0, OK: 0 } as Record<string, number>;
  const count = { ERROR: 0, WARN: 0, OK: 0 } as Record<string, number>;
  const misses: string[] = [];
  for (const f of files) {
    for (const rec of cliRecords(['predict', join(dir, f)])) {
      const y = label.get(`${f}:${String(rec.line)}`);
      if (!y) continue;
      const t = isTrouble(rec.predicted_level as Level);
      actual.push(y !== 'OK');
      predicted.push(t);
      count[y]!++;
      if (rec.is_anomaly === true) flagged[y]!++;
      if (t !== (y !== 'OK')) misses.push(`   ${y.padEnd(5)} predicted ${String(rec.predicted_level)}: ${String(rec.message).split('\n')[0]!.slice(0, 90)}`);
    }
  }
  const t = trouble(actual, predicted);
  log(`records matched ${actual.length} of ${rows.length}; trouble P ${f3(t.precision)} (goal >= 0.85: ${mark(t.precision, 0.85)}) R ${f3(t.recall)} (goal >= 0.9: ${mark(t.recall, 0.9)}) F1 ${f3(t.f1)}`);
  log(`anomaly flags: ERROR ${flagged.ERROR}/${count.ERROR} = ${pct(flagged.ERROR! / Math.max(1, count.ERROR!))} (goal >= 70%: ${mark(flagged.ERROR! / Math.max(1, count.ERROR!), 0.7)}), WARN ${flagged.WARN}/${count.WARN}, OK ${flagged.OK}/${count.OK} = ${pct(flagged.OK! / Math.max(1, count.OK!))} (goal <= 10%: ${mark(flagged.OK! / Math.max(1, count.OK!), 0.1, false)})`);
  // the plain baseline on the same files, trained on what the shipped level model trains on
  const plainPath = join(work, 'plain-level.onnx');
  writeFileSync(plainPath, trainLevelModel([...generalRows(), ...LEVEL_SYSTEMS.flatMap((s) => data[s]!.slice(0, Math.floor(data[s]!.length * 0.8)))], plain).bytes);
  const pa: boolean[] = [];
  const pp: boolean[] = [];
  for (const f of files) {
    for (const rec of cliRecords(['predict', join(dir, f), '-m', plainPath])) {
      const y = label.get(`${f}:${String(rec.line)}`);
      if (!y) continue;
      pa.push(y !== 'OK');
      pp.push(isTrouble(rec.predicted_level as Level));
    }
  }
  const pt = trouble(pa, pp);
  log(`plain TF-IDF + LR (trained on the shipped model's data): trouble P ${f3(pt.precision)} R ${f3(pt.recall)} F1 ${f3(pt.f1)}`);
  if (misses.length) log(`misclassified (trouble vs not):\n${misses.join('\n')}`);
  const errShare = flagged.ERROR! / Math.max(1, count.ERROR!);
  const okShare = flagged.OK! / Math.max(1, count.OK!);
  summary.unshift(
    { figure: `hand-written application logs (${files.length} styles, ${actual.length} records, raw files through \`logml predict\`), trouble precision`, value: f3(t.precision), target: '>= 0.85', met: t.precision >= 0.85 },
    { figure: 'same, trouble recall', value: `${f3(t.recall)} (plain TF-IDF + LR: P ${f3(pt.precision)}, R ${f3(pt.recall)})`, target: '>= 0.9', met: t.recall >= 0.9 },
    { figure: 'same, ERROR records flagged as anomalies', value: `${flagged.ERROR}/${count.ERROR} = ${pct(errShare)}`, target: '>= 70%', met: errShare >= 0.7 },
    { figure: 'same, OK records flagged', value: `${flagged.OK}/${count.OK} = ${pct(okShare)}`, target: '<= 10%', met: okShare <= 0.1 },
  );
}

// ---------------------------------------------------------------------------------------------
// the headline figures into README.md, and the whole printout into docs/quality-report.md
{
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const stamp = `measured by \`npm run bench:quality\` on ${new Date().toISOString().slice(0, 10)} (commit ${commit}); every model judged on data it never saw`;
  const table = [`<!-- bench:quality: written by bench/quality.bench.ts, do not edit by hand -->`, `_${stamp}._`, '', '| figure | measured | target |', '|---|---|---|',
    ...summary.map((r) => `| ${r.figure} | ${r.value} | ${r.target}${r.met === null ? '' : r.met ? ' (met)' : ' (**not met**)'} |`), '<!-- /bench:quality -->'].join('\n');
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const open = readme.indexOf('<!-- bench:quality');
  const close = readme.indexOf('<!-- /bench:quality -->');
  if (open >= 0 && close > open) writeFileSync(readmePath, readme.slice(0, open) + table + readme.slice(close + '<!-- /bench:quality -->'.length));
  else console.error('README.md has no bench:quality markers: its figures were not updated');
  writeFileSync(join(root, 'docs', 'quality-report.md'), `# Quality benchmark printout\n\n_${stamp}._ Written by \`npm run bench:quality\`; see docs/benchmarks.md for what each section means.\n\n\`\`\`text\n${printed.join('\n')}\n\`\`\`\n`);
  console.log(`\nREADME.md (figures table) and docs/quality-report.md updated`);
}

