import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_FEATURE_SPEC, featurize, packBatch } from '../features/index.js';
import { readSoftmaxGraph, referenceForward } from '../model/graph.js';
import { decodeModel } from '../model/onnx-proto.js';
import type { Level } from '../types.js';
import { readBundle } from '../model/bundle.js';
import { createScorer } from '../model/scorer.js';
import { loadModel } from '../model/load.js';
import { loadCsvDataset, parseAnomalyLabel } from './dataset.js';
import { evaluateModel } from './evaluate.js';
import { ANOMALY_DEFAULTS, DEFAULT_TRAIN_OPTIONS, FINE_TUNE_DEFAULTS, levelWeightsFor, shrinkByGroups, trainAnomalyModel, trainLevelModel, type LabeledMessage } from './trainers.js';

const spec = { ...DEFAULT_FEATURE_SPEC, dims: 1 << 12 };
const base = { ...DEFAULT_TRAIN_OPTIONS, name: 'tiny', version: '1', holdout: 0, description: 'test', logmlVersion: 'test', featureSpec: spec, epochs: 30 };

// a tiny deterministic data set: the level is decided by the words, never by a level token
const tiny: LabeledMessage[] = [];
for (let i = 0; i < 20; i++) {
  tiny.push({ message: `request ${i} served in ${i * 3} ms`, level: 'INFO' });
  tiny.push({ message: `disk usage at ${80 + (i % 10)} percent, nearly full`, level: 'WARN' });
  tiny.push({ message: `connection to db-${i} refused, giving up`, level: 'ERROR' });
}

describe('shrinkByGroups', () => {
  it('scales idf by g / (g + k), g the distinct sources holding the bucket; unseen buckets keep theirs', () => {
    const feats = [
      { indices: Int32Array.of(1, 2), values: Float32Array.of(1, 1) },
      { indices: Int32Array.of(1), values: Float32Array.of(1) },
      { indices: Int32Array.of(1, 2), values: Float32Array.of(1, 1) },
      { indices: Int32Array.of(1), values: Float32Array.of(1) },
    ];
    // bucket 1 in sources a, b, c; bucket 2 in source a only (twice, one of them through an augmentation row's source)
    const rows: LabeledMessage[] = [
      { message: 'x', group: 'a' },
      { message: 'x', group: 'b' },
      { message: 'x', group: 'synthetic', source: 'a' },
      { message: 'x', group: 'c' },
    ];
    const idf = Float32Array.of(0, 2, 2, 5);
    shrinkByGroups(idf, feats, rows, 1);
    expect(idf[1]).toBeCloseTo(2 * (3 / 4), 6);
    expect(idf[2]).toBeCloseTo(2 * (1 / 2), 6);
    expect(idf[3]).toBe(5);
  });
  it('a word one source logs at WARN weighs less in a model trained with it', () => {
    const rows: LabeledMessage[] = [];
    for (let g = 0; g < 6; g++) {
      rows.push({ message: `request served in ${g} ms`, level: 'INFO', group: `p${g}` });
      rows.push({ message: `connection refused by peer ${g}`, level: 'ERROR', group: `p${g}` });
    }
    rows.push({ message: 'zorblat state changed', level: 'WARN', group: 'p0' });
    rows.push({ message: 'zorblat state changed again', level: 'WARN', group: 'p0' });
    const trouble = (r: ReturnType<typeof trainLevelModel>) => {
      const b = readBundle(r.bytes, 'x');
      const graph = readSoftmaxGraph(decodeModel(r.bytes) as unknown as Record<string, unknown>, b.meta.featureSpec.dims, b.meta.labels.length)!;
      const f = featurize('zorblat handled', b.meta.featureSpec);
      const p = referenceForward(graph, f.indices, f.values);
      return b.meta.labels.reduce((sum, l, i) => sum + (l === 'INFO' ? 0 : p[i]!), 0);
    };
    const plainIdf = trainLevelModel(rows, base);
    const shrunk = trainLevelModel(rows, { ...base, groupShrink: 20 });
    expect(shrunk.meta.trainer.groupShrink).toBe(20);
    expect(trouble(shrunk)).toBeLessThan(trouble(plainIdf));
  });
});

describe('trainLevelModel', () => {
  it('learns a tiny deterministic data set (checked through onnxruntime)', async () => {
    const result = trainLevelModel(tiny, base);
    expect(result.meta.labels).toEqual(['INFO', 'WARN', 'ERROR']);
    const model = await loadModel({ bytes: result.bytes, origin: 'tiny' });
    const scorer = createScorer([model]);
    const preds = await scorer.score(['request 99 served in 12 ms', 'disk usage at 95 percent, nearly full', 'connection to db-77 refused, giving up']);
    expect(preds.map((p) => p.predictedLevel)).toEqual(['INFO', 'WARN', 'ERROR']);
    await scorer.close();
  });
  it('same data and seed give the same bytes; another seed does not', () => {
    const a = trainLevelModel(tiny, base).bytes;
    const b = trainLevelModel(tiny, base).bytes;
    const c = trainLevelModel(tiny, { ...base, seed: 7 }).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });
  it('records metadata: fingerprint, held-out metrics with sample sizes, profile', () => {
    const result = trainLevelModel(tiny, { ...base, holdout: 0.25 });
    const meta = readBundle(result.bytes, 'tiny').meta;
    expect(meta.trainingData.records).toBe(45);
    expect(meta.trainingData.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(meta.metrics.heldOut?.n).toBe(15);
    expect(meta.metrics.heldOut?.split).toMatch(/last 15 of 60/);
    expect(meta.referenceProfile.n).toBe(45);
    expect(Object.values(meta.referenceProfile.predictedLabelShares!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
  it('levelWeightsFor: runtime share (+1 each) over the weighted training share, the largest of each group 1', () => {
    // classes INFO, DEBUG, WARN, ERROR; training weight 1 each on labels 0,1,1,2,3 -> shares .2 .4 .2 .2
    const w = levelWeightsFor(['INFO', 'DEBUG', 'WARN', 'ERROR'], Int32Array.from([0, 1, 1, 2, 3]), Float32Array.from([1, 1, 1, 1, 1]), { INFO: 95, DEBUG: 1, WARN: 1, ERROR: 3 });
    // runtime shares (96, 2, 2, 4) / 104; ratios 96/104/.2, 2/104/.4, 2/104/.2, 4/104/.2 -> INFO 1, DEBUG 2/(2*96), WARN .5, ERROR 1
    expect(w[0]).toBe(1);
    expect(w[1]).toBeCloseTo(1 / 96, 6);
    expect(w[2]).toBeCloseTo(0.5, 6);
    expect(w[3]).toBe(1);
    // to the power 0.5: square roots of the ratios, rescaled per group
    const h = levelWeightsFor(['INFO', 'DEBUG', 'WARN', 'ERROR'], Int32Array.from([0, 1, 1, 2, 3]), Float32Array.from([1, 1, 1, 1, 1]), { INFO: 95, DEBUG: 1, WARN: 1, ERROR: 3 }, 0.5);
    expect(h[1]).toBeCloseTo(Math.sqrt(1 / 96), 6);
    expect(h[2]).toBeCloseTo(Math.sqrt(0.5), 6);
  });
  it('with runtime level counts, stores levelWeights and chooses the level by them, in training and in onnxruntime alike', async () => {
    // DEBUG and INFO share their wording; in real logs INFO is 50x commoner
    const rows: LabeledMessage[] = [...tiny];
    for (let i = 0; i < 20; i++) rows.push({ message: `request ${i} served in ${i * 3} ms`, level: 'DEBUG' }, { message: `request ${i} served in ${i * 3} ms`, level: 'DEBUG' });
    const plainModel = trainLevelModel(rows, { ...base, troubleThreshold: 0.5 });
    const weighted = trainLevelModel(rows, { ...base, troubleThreshold: 0.5, runtimeLevelCounts: { INFO: 1000, DEBUG: 20, WARN: 50, ERROR: 50 } });
    expect(plainModel.meta.levelWeights).toBeUndefined();
    expect(weighted.meta.levelWeights).toHaveLength(weighted.meta.labels.length);
    const run = async (bytes: Uint8Array) => {
      const scorer = createScorer([await loadModel({ bytes, origin: 't' })]);
      const p = await scorer.score(['request 99 served in 12 ms', 'connection to db-77 refused, giving up']);
      await scorer.close();
      return p.map((x) => x.predictedLevel);
    };
    expect(await run(plainModel.bytes)).toEqual(['DEBUG', 'ERROR']);
    expect(await run(weighted.bytes)).toEqual(['INFO', 'ERROR']);
    // fine-tuning keeps the base's weights
    const b = readBundle(weighted.bytes, 'w');
    const graph = readSoftmaxGraph(decodeModel(weighted.bytes) as unknown as Record<string, unknown>, spec.dims, b.meta.labels.length)!;
    const tuned = trainLevelModel(tiny, { ...base, ...FINE_TUNE_DEFAULTS, base: { ref: 'w@1', sha256: b.sha256, featureSpec: spec, labels: b.meta.labels as Level[], graph, threshold: 0.5, levelWeights: b.meta.levelWeights! } });
    expect(tuned.meta.levelWeights).toEqual(b.meta.levelWeights);
  });
  it('with readHeadline, reads the headline too and keeps the more troubled reading, in training and in onnxruntime alike', async () => {
    // the failure word is outvoted by a tail of routine words, unless the headline is read alone
    const rows: LabeledMessage[] = [...tiny];
    for (let i = 0; i < 20; i++) rows.push({ message: `batch ${i} stored, rows written, index updated, cache warmed`, level: 'INFO' });
    const line = 'connection to db-5 refused, rows written, index updated, cache warmed, batch stored';
    const run = async (bytes: Uint8Array) => {
      const scorer = createScorer([await loadModel({ bytes, origin: 't' })]);
      const p = await scorer.score([line, 'request 99 served in 12 ms']);
      await scorer.close();
      return p.map((x) => x.predictedLevel);
    };
    const whole = trainLevelModel(rows, { ...base, troubleThreshold: 0.5 });
    const headline = trainLevelModel(rows, { ...base, troubleThreshold: 0.5, readHeadline: true, holdout: 0.2 });
    expect(whole.meta.readHeadline).toBeUndefined();
    expect(headline.meta.readHeadline).toBe(true);
    expect((await run(whole.bytes))[0]).toBe('INFO');
    expect(await run(headline.bytes)).toEqual(['ERROR', 'INFO']);
  });
  it('refuses data with a single level', () => {
    expect(() => trainLevelModel(tiny.filter((d) => d.level === 'INFO'), base)).toThrow(/only one level/);
  });
});

describe('fine-tuning (trainLevelModel with a base)', () => {
  it('reads the base graph back exactly and learns new wording while keeping the base classes', async () => {
    const first = trainLevelModel(tiny, base);
    const b = readBundle(first.bytes, 'tiny');
    const graph = readSoftmaxGraph(decodeModel(first.bytes) as unknown as Record<string, unknown>, spec.dims, b.meta.labels.length)!;
    expect(graph).not.toBeNull();
    // the graph read back computes what the ONNX runtime computes, to 1e-5
    const model = await loadModel({ bytes: first.bytes, origin: 'tiny' });
    const msg = 'connection to db-3 refused, giving up';
    const f = featurize(msg, spec);
    const ort = await model.session.run(packBatch([f]));
    referenceForward(graph, f.indices, f.values).forEach((p, i) => expect(Math.abs(p - ort[i]!)).toBeLessThan(1e-5));
    await model.session.release();

    const local: LabeledMessage[] = [];
    for (let i = 0; i < 30; i++) local.push({ message: `quota for tenant-${i} almost exhausted`, level: 'WARN' }, { message: `tenant-${i} report generated`, level: 'INFO' });
    const baseModel = { ref: 'tiny@1', sha256: b.sha256, featureSpec: b.meta.featureSpec, labels: b.meta.labels as Level[], graph };
    const tuned = trainLevelModel(local, { ...base, ...FINE_TUNE_DEFAULTS, base: baseModel });
    expect(tuned.meta.labels).toEqual(['INFO', 'WARN', 'ERROR']);
    expect(String(tuned.meta.trainer.algorithm)).toMatch(/^fine-tuned from tiny@1/);
    const tm = await loadModel({ bytes: tuned.bytes, origin: 'tuned' });
    const scorer = createScorer([tm]);
    const preds = await scorer.score(['quota for tenant-99 almost exhausted', 'tenant-99 report generated', 'connection to db-77 refused, giving up']);
    expect(preds.map((p) => p.predictedLevel)).toEqual(['WARN', 'INFO', 'ERROR']); // the new wording, and what the base knew
    await scorer.close();
    expect(() => trainLevelModel([{ message: 'x', level: 'FATAL' }, { message: 'y', level: 'INFO' }], { ...base, base: baseModel })).toThrow(/does not know/);
  });
  it("weighs the new data's words by the new data's idf, and keeps the base's idf for the rest", () => {
    const first = trainLevelModel(tiny, { ...base, groupShrink: 50 });
    const b = readBundle(first.bytes, 'tiny');
    const graph = readSoftmaxGraph(decodeModel(first.bytes) as unknown as Record<string, unknown>, spec.dims, b.meta.labels.length)!;
    const local: LabeledMessage[] = [];
    for (let i = 0; i < 20; i++) local.push({ message: `quota exhausted`, level: 'WARN' }, { message: `report generated`, level: 'INFO' });
    const tuned = trainLevelModel(local, { ...base, ...FINE_TUNE_DEFAULTS, base: { ref: 'tiny@1', sha256: b.sha256, featureSpec: b.meta.featureSpec, labels: b.meta.labels as Level[], graph } });
    const after = readSoftmaxGraph(decodeModel(tuned.bytes) as unknown as Record<string, unknown>, spec.dims, b.meta.labels.length)!;
    const quota = featurize('quota', spec).indices[0]!;
    const refused = featurize('refused', spec).indices[0]!;
    // 'quota': in half of the 40 new rows (dedupe off: all 40 count), ln((1+40)/(1+20)) + 1
    expect(after.idf[quota]).toBeCloseTo(Math.log(41 / 21) + 1, 5);
    expect(after.idf[refused]).toBe(graph.idf[refused]);
  });
});

describe('trainAnomalyModel', () => {
  const data: LabeledMessage[] = [];
  for (let i = 0; i < 60; i++) data.push({ message: `heartbeat ${i} ok from node-${i % 5}`, anomaly: false });
  for (let i = 0; i < 10; i++) data.push({ message: `kernel panic: data TLB error interrupt at ${i}`, anomaly: true });
  it('supervised: separates the labels', async () => {
    const result = trainAnomalyModel(data, { ...base, ...ANOMALY_DEFAULTS, unsupervised: false, noveltyQuantile: 0.99 });
    expect(result.meta.head).toBe('logistic');
    const model = await loadModel({ bytes: result.bytes, origin: 'a' });
    const e = await evaluateModel(model, data);
    expect(e.task).toBe('anomaly');
    if (e.task === 'anomaly') {
      expect(e.report.recall).toBe(1);
      expect(e.report.fpr).toBe(0);
    }
  });
  it('unsupervised: flags what it never saw, not what it saw', async () => {
    const normal = data.filter((d) => !d.anomaly).map((d) => ({ ...d, anomaly: null }));
    const result = trainAnomalyModel(normal, { ...base, ...ANOMALY_DEFAULTS, unsupervised: true, noveltyQuantile: 0.99 });
    expect(result.meta.head).toBe('rarity');
    const model = await loadModel({ bytes: result.bytes, origin: 'u' });
    const scorer = createScorer([model]);
    const [seen, novel] = await scorer.score(['heartbeat 999 ok from node-3', 'segfault in libfoo while unmapping shared segment']);
    expect(seen!.isAnomaly).toBe(false);
    expect(novel!.isAnomaly).toBe(true);
    expect(novel!.anomalyScore!).toBeGreaterThan(seen!.anomalyScore!);
  });
  it('unsupervised with unlabeled held-out lines: the held-out figure is their flag rate, with its n', () => {
    const normal = data.filter((d) => !d.anomaly).map((d) => ({ ...d, anomaly: null }));
    const result = trainAnomalyModel(normal, { ...base, ...ANOMALY_DEFAULTS, holdout: 0.25, unsupervised: true, noveltyQuantile: 0.99 });
    const h = result.meta.metrics.heldOut as Record<string, unknown>;
    expect(h.n).toBe(15);
    expect(h.labeled).toBe(0);
    expect(typeof h.flagRate).toBe('number');
    expect(h.flagRate as number).toBeLessThan(0.5); // heartbeats like the training ones
  });
});

describe('datasets', () => {
  it('parses anomaly labels', () => {
    expect(['1', 'true', 'YES', 'anomaly', 'KERNDTLB'].map(parseAnomalyLabel)).toEqual([true, true, true, true, true]);
    expect(['0', 'false', 'no', 'normal', '-'].map(parseAnomalyLabel)).toEqual([false, false, false, false, false]);
    expect(parseAnomalyLabel('')).toBeNull();
  });
  it('finds columns by name and normalises levels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-ds-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'l.csv');
    writeFileSync(file, 'Severity,Message,is_anomaly\nwarning,"disk, nearly full",0\nE,boom,1\n');
    const ds = loadCsvDataset(file);
    expect(ds.columns).toEqual({ text: 'Message', level: 'Severity', label: 'is_anomaly' });
    expect(ds.records.map((r) => [r.message, r.level, r.anomaly])).toEqual([['disk, nearly full', 'WARN', false], ['boom', 'ERROR', true]]);
  });
  it('names the missing column and the header it found', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-ds-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'l.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    expect(() => loadCsvDataset(file)).toThrow(/no text column found .* the header has: a, b/);
    expect(() => loadCsvDataset(file, { text: 'zzz' })).toThrow(/no column "zzz"/);
  });
});
