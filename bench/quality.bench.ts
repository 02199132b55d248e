/**
 * @file Quality benchmark (npm run bench:quality): every figure beside its target, on the LogHub
 * samples (fixtures/loghub-2k), the level token hidden from the model (only Content is used).
 * Each figure is also given for a plain baseline trained in the same run: TF-IDF of unigrams,
 * logistic regression, no lexicon, no class or source weighting.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FEATURE_SPEC } from '../src/core/features/index.js';
import { binaryReport, classificationReport } from '../src/core/metrics/index.js';
import { createScorer, loadModel } from '../src/core/model/index.js';
import { ANOMALY_DEFAULTS, DEFAULT_TRAIN_OPTIONS, trainAnomalyModel, trainLevelModel, type CommonTrainOptions, type LabeledMessage } from '../src/core/train/index.js';
import { LEVEL_SYSTEMS, loadSystem, SYSTEMS } from './loghub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = Object.fromEntries(SYSTEMS.map((s) => [s, loadSystem(s)])) as Record<string, LabeledMessage[]>;

const ours: CommonTrainOptions = { ...DEFAULT_TRAIN_OPTIONS, name: 'bench', version: '0', holdout: 0, description: 'bench', logmlVersion: '0' };
const plain: CommonTrainOptions = { ...ours, balanceGroups: false, classWeightPower: 0, l2: 1e-6, featureSpec: { ...DEFAULT_FEATURE_SPEC, ngrams: [1], lexicon: 'none' } };

async function predict(bytes: Uint8Array, rows: readonly LabeledMessage[]) {
  const model = await loadModel({ bytes, origin: 'bench' });
  const scorer = createScorer([model]);
  const out = await scorer.score(rows.map((r) => r.message));
  await scorer.close();
  return out;
}

const f3 = (v: number) => v.toFixed(3);
const mark = (v: number, goal: number, higher = true) => ((higher ? v >= goal : v <= goal) ? 'met' : 'NOT met');

// 1. level, within system: first 70% of each system's lines (time order) train, last 30% test
{
  const train: LabeledMessage[] = [];
  const test: LabeledMessage[] = [];
  for (const s of LEVEL_SYSTEMS) {
    const cut = Math.floor(data[s]!.length * 0.7);
    train.push(...data[s]!.slice(0, cut));
    test.push(...data[s]!.slice(cut));
  }
  console.log(`\n== Level, within system: one model on the first 70% of each of ${LEVEL_SYSTEMS.length} systems, tested on the last 30% (n=${test.length})`);
  for (const [name, opts] of [['logml', ours], ['plain TF-IDF + LR', plain]] as const) {
    const model = trainLevelModel(train, opts);
    const preds = await predict(model.bytes, test);
    const r = classificationReport(test.map((d) => d.level!), preds.map((p) => p.predictedLevel!));
    const per = LEVEL_SYSTEMS.map((s) => {
      const idx = test.map((d, i) => (d.group === s ? i : -1)).filter((i) => i >= 0);
      return `${s} ${f3(classificationReport(idx.map((i) => test[i]!.level!), idx.map((i) => preds[i]!.predictedLevel!)).macroF1)}`;
    });
    console.log(`${name.padEnd(18)} macro-F1 ${f3(r.macroF1)} (goal >= 0.97: ${mark(r.macroF1, 0.97)}), accuracy ${f3(r.accuracy)}; per class: ${r.perClass.map((c) => `${c.label} ${f3(c.f1)} (n=${c.support})`).join(', ')}`);
    console.log(`${''.padEnd(18)} per system: ${per.join(', ')}`);
  }
}

// 2. level, unseen system: leave one system out
{
  console.log(`\n== Level, unseen system: train on the other ${LEVEL_SYSTEMS.length - 1} systems, test on all 2,000 lines of the held-out one (goal >= 0.6 each)`);
  console.log(`${'held-out'.padEnd(10)} ${'logml'.padStart(7)} ${'plain'.padStart(7)}  logml per class (F1, actual/predicted counts)`);
  for (const held of LEVEL_SYSTEMS) {
    const train = LEVEL_SYSTEMS.filter((s) => s !== held).flatMap((s) => data[s]!);
    const test = data[held]!;
    const figures: string[] = [];
    let detail = '';
    for (const opts of [ours, plain]) {
      const preds = await predict(trainLevelModel(train, opts).bytes, test);
      const r = classificationReport(test.map((d) => d.level!), preds.map((p) => p.predictedLevel!));
      figures.push(f3(r.macroF1));
      if (opts === ours) detail = r.perClass.map((c) => `${c.label} ${f3(c.f1)} (${c.support}/${c.predicted})`).join(', ') + ` -> ${mark(r.macroF1, 0.6)}`;
    }
    console.log(`${held.padEnd(10)} ${figures[0]!.padStart(7)} ${figures[1]!.padStart(7)}  ${detail}`);
  }
}

// 3. anomaly, BGL: supervised first half -> second half; unsupervised (no labels)
{
  const bgl = data.BGL!;
  const half = Math.floor(bgl.length / 2);
  const train = bgl.slice(0, half);
  const test = bgl.slice(half);
  const actual = test.map((d) => d.anomaly === true);
  console.log(`\n== Anomaly, BGL (Label column): train on the first half in time order, test on the second (n=${test.length}, ${actual.filter(Boolean).length} alerts)`);
  for (const [name, opts] of [['logml supervised', { ...ours, ...ANOMALY_DEFAULTS }], ['plain TF-IDF + LR', plain]] as const) {
    const model = trainAnomalyModel(train, { ...opts, unsupervised: false, noveltyQuantile: 0.995 });
    const preds = await predict(model.bytes, test);
    const b = binaryReport(actual, preds.map((p) => p.isAnomaly === true));
    console.log(`${name.padEnd(18)} precision ${f3(b.precision)}, recall ${f3(b.recall)}, F1 ${f3(b.f1)} (goal >= 0.9: ${mark(b.f1, 0.9)}), FPR ${f3(b.fpr)} (${b.fp}/${b.fp + b.tn})`);
  }
  const unsup = trainAnomalyModel(train.map((d) => ({ ...d, anomaly: null })), { ...ours, ...ANOMALY_DEFAULTS, unsupervised: true, noveltyQuantile: 0.995 });
  const up = await predict(unsup.bytes, test);
  const u = binaryReport(actual, up.map((p) => p.isAnomaly === true));
  console.log(`${'logml unsupervised'.padEnd(18)} precision ${f3(u.precision)}, recall ${f3(u.recall)}, F1 ${f3(u.f1)}, FPR ${f3(u.fpr)} (${u.fp}/${u.fp + u.tn}) at the default threshold, no labels used`);
}

// 4. the shipped anomaly model: flag rate on normal lines of the other systems it did not train on
{
  const bytes = readFileSync(join(root, 'models', 'anomaly.onnx'));
  const others = SYSTEMS.filter((s) => s !== 'BGL');
  console.log(`\n== Shipped models/anomaly.onnx: flag rate on the other systems' lines it never trained on (last 20% of each, goal <= 2%)`);
  let flagged = 0;
  let total = 0;
  const per: string[] = [];
  for (const s of others) {
    const rows = data[s]!.slice(Math.floor(data[s]!.length * 0.8));
    const preds = await predict(bytes, rows);
    const f = preds.filter((p) => p.isAnomaly).length;
    flagged += f;
    total += rows.length;
    per.push(`${s} ${((100 * f) / rows.length).toFixed(1)}%`);
  }
  console.log(`flag rate ${((100 * flagged) / total).toFixed(2)}% (${flagged}/${total}; ${mark(flagged / total, 0.02, false)}); per system: ${per.join(', ')}`);
}
