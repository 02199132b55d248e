import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SPEC } from '../features/index.js';
import { ANOMALY_DEFAULTS, DEFAULT_TRAIN_OPTIONS, trainAnomalyModel, trainLevelModel, type LabeledMessage } from '../train/trainers.js';
import { readBundle, writeBundle, type ModelMetadata } from './bundle.js';
import { readSoftmaxGraph, type GraphSpec } from './graph.js';
import { decodeModel } from './onnx-proto.js';

const spec = { ...DEFAULT_FEATURE_SPEC, dims: 1 << 10 };
const opts = { ...DEFAULT_TRAIN_OPTIONS, name: 't', version: '1', holdout: 0, description: 't', logmlVersion: 't', featureSpec: spec, epochs: 2 };
const data: LabeledMessage[] = [];
for (let i = 0; i < 6; i++) data.push({ message: `ok ${i}`, level: 'INFO', anomaly: false }, { message: `failed ${i}`, level: 'ERROR', anomaly: i === 0 });

const level = trainLevelModel(data, opts);
const meta = readBundle(level.bytes, 'level').meta;
const graph = readSoftmaxGraph(decodeModel(level.bytes) as unknown as Record<string, unknown>, spec.dims, meta.labels.length)!;
const again = (m: Partial<ModelMetadata>, g: GraphSpec = graph) => () => readBundle(writeBundle({ ...meta, ...m } as ModelMetadata, g), 'x.onnx');

describe('readBundle checks the metadata against itself and the graph', () => {
  it('accepts what the trainers write', () => {
    expect(again({})).not.toThrow();
    const anomaly = trainAnomalyModel(data, { ...opts, ...ANOMALY_DEFAULTS, featureSpec: spec, unsupervised: false, noveltyQuantile: 0.99 });
    expect(() => readBundle(anomaly.bytes, 'a')).not.toThrow();
  });
  it('refuses labels that are not the graph outputs', () => {
    expect(again({ labels: ['INFO', 'ERROR', 'WARN'] })).toThrow(/model x.onnx: its graph's weights have shape \[1024,2\], expected \[1024,3\]/);
    expect(again({ labels: ['I', 'E'] })).toThrow(/not distinct level names/);
    expect(again({ labels: ['INFO', 'INFO'] })).toThrow(/not distinct level names/);
  });
  it('refuses a task that does not fit the head, and a threshold outside 0..1', () => {
    expect(again({ task: 'anomaly', labels: ['normal', 'anomaly'] })).toThrow(/an anomaly model cannot have a softmax head/);
    expect(again({ threshold: 'abc' as unknown as number })).toThrow(/threshold/);
    expect(again({ threshold: -1 })).toThrow(/threshold -1/);
  });
  it('refuses levelWeights that are not one positive number per label', () => {
    expect(again({ levelWeights: [1, 0.5] })).not.toThrow();
    expect(again({ levelWeights: [1] })).toThrow(/levelWeights \[1\] are not 2 positive numbers/);
    expect(again({ levelWeights: [1, -1] })).toThrow(/levelWeights/);
    expect(again({ levelWeights: [1, 'x' as unknown as number] })).toThrow(/levelWeights/);
  });
  it('refuses a readHeadline that is not a boolean', () => {
    expect(again({ readHeadline: true })).not.toThrow();
    expect(again({ readHeadline: 1 as unknown as boolean })).toThrow(/readHeadline 1 is not true or false/);
  });
  it('refuses a graph whose tables do not have the spec\'s size', () => {
    const spec2 = { ...spec, dims: 2048 };
    expect(again({ featureSpec: spec2, featureSpecHash: readBundle(trainLevelModel(data, { ...opts, featureSpec: spec2 }).bytes, 'y').meta.featureSpecHash })).toThrow(/idf table has shape \[1024\], the feature spec says 2048/);
  });
});
