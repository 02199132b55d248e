/**
 * @file Reading a level model back as the starting point of fine-tuning (`logml train --base`):
 * its feature spec, labels, trouble threshold and graph weights, checked to be a softmax graph
 * that logml wrote. Fine-tuning keeps the base's features and idf, so what the user's own lines
 * teach is added to what the base knows, not learned from nothing.
 */
import { InputError, UsageError } from '../errors.js';
import { readBundle, readModelFile } from '../model/bundle.js';
import { readSoftmaxGraph } from '../model/graph.js';
import { decodeModel } from '../model/onnx-proto.js';
import type { Level } from '../types.js';
import type { BaseLevelModel } from './trainers.js';

/** The level model at `path`, ready to fine-tune; InputError / UsageError with a hint otherwise. */
export function loadBaseLevelModel(path: string): BaseLevelModel {
  return baseLevelModel(readModelFile(path), path);
}

/** A level model's bytes as a fine-tuning base; `path` names it in errors. */
export function baseLevelModel(bytes: Uint8Array, path: string): BaseLevelModel {
  const bundle = readBundle(bytes, path);
  const m = bundle.meta;
  if (m.task !== 'level' || m.head !== 'softmax') throw new UsageError(`--base ${path} is a ${m.task} model; only level models can be fine-tuned`, 'give a level model, e.g. models/level.onnx');
  const graph = readSoftmaxGraph(decodeModel(bytes) as unknown as Record<string, unknown>, m.featureSpec.dims, m.labels.length);
  if (!graph) throw new InputError(`--base ${path}: its graph is not a logml softmax graph (weights missing or of the wrong shape)`, 'give a level model written by `logml train`');
  return { ref: `${m.name}@${m.version}`, sha256: bundle.sha256, featureSpec: m.featureSpec, labels: m.labels as Level[], graph, ...(m.threshold !== undefined ? { threshold: m.threshold } : {}), ...(m.levelWeights ? { levelWeights: m.levelWeights } : {}), ...(m.readHeadline ? { readHeadline: true } : {}) };
}
