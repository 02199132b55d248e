/**
 * @file The model bundle: one .onnx file holding the graph and, in `metadata_props`, all that is
 * needed to use and judge the model (name, version, task, labels, feature spec and its hash,
 * training-data fingerprint, metrics, reference profile). Writes are byte-for-byte
 * deterministic; reads check everything and throw InputError with a hint on any mismatch.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { DEFAULT_FEATURE_SPEC, specHash, unsupportedSpecReason, type FeatureSpec } from '../features/spec.js';
import type { ModelTask } from '../types.js';
import { buildGraph, IR_VERSION, OPSET, type GraphSpec } from './graph.js';
import { decodeModel, encodeModel } from './onnx-proto.js';

export type HeadKind = 'softmax' | 'logistic' | 'rarity';

/** Figures measured on a labeled set, each with its sample size. */
export interface MeasuredMetrics {
  n: number;
  [metric: string]: unknown;
}

/** What the model saw in training, for drift reports. */
export interface ReferenceProfile {
  /** Share of each predicted label on the training data. */
  predictedLabelShares?: Record<string, number>;
  /** Quantiles (0, 0.01, 0.05, 0.1 .. 0.9, 0.95, 0.99, 1) of the anomaly score on the training data. */
  scoreQuantiles?: number[];
  /** Histogram of scores in 20 equal bins over [0, 1]: counts. */
  scoreHistogram?: number[];
  n: number;
}

export interface ModelMetadata {
  name: string;
  version: string;
  task: ModelTask;
  head: HeadKind;
  /** Output classes in graph order (level), or ['normal', 'anomaly']. */
  labels: string[];
  featureSpec: FeatureSpec;
  featureSpecHash: string;
  /** Decision threshold on the anomaly score (anomaly models). */
  threshold?: number;
  /**
   * Level models: one positive factor per label (graph order) by which the level is chosen among
   * the trouble levels, or among the others, once the trouble threshold has decided which group a
   * line is in (see decideLevel). Absent: the most probable level of the group.
   */
  levelWeights?: number[];
  /** Level models: also read each message's headline, which can lift a line into WARN or above (decision.ts troubledReading). */
  readHeadline?: boolean;
  trainingData: { fingerprint: string; records: number; labelCounts: Record<string, number>; description: string };
  metrics: { training?: MeasuredMetrics; heldOut?: MeasuredMetrics & { split: string } };
  referenceProfile: ReferenceProfile;
  trainer: Record<string, unknown>;
  seed: number;
  logmlVersion: string;
}

const KEYS = ['name', 'version', 'task', 'head', 'labels', 'featureSpec', 'featureSpecHash', 'threshold', 'levelWeights', 'readHeadline', 'trainingData', 'metrics', 'referenceProfile', 'trainer', 'seed', 'logmlVersion'] as const;
const PREFIX = 'logml.';

/** Serialise graph + metadata to ONNX bytes. */
export function writeBundle(meta: ModelMetadata, graph: GraphSpec): Uint8Array {
  const built = buildGraph(graph);
  const metadataProps = KEYS.filter((k) => meta[k] !== undefined).map((k) => ({
    key: PREFIX + k,
    value: typeof meta[k] === 'string' ? (meta[k] as string) : JSON.stringify(meta[k]),
  }));
  return encodeModel({
    ir_version: IR_VERSION,
    producer_name: 'logml',
    producer_version: meta.logmlVersion,
    domain: 'dev.logml',
    model_version: 1,
    doc_string: `logml ${meta.task} model ${meta.name}@${meta.version}`,
    graph: built.graph,
    opset_import: [{ domain: '', version: OPSET }],
    metadata_props: metadataProps,
  });
}

export interface LoadedBundle {
  meta: ModelMetadata;
  sha256: string;
  bytes: Uint8Array;
  outputName: string;
}

/** Parse and check a bundle's metadata. `origin` names the file or registry entry in errors. */
export function readBundle(bytes: Uint8Array, origin: string): LoadedBundle {
  const hint = 'use a model written by `logml train`, or the shipped models/level.onnx and models/anomaly.onnx';
  if (bytes.length === 0) throw new InputError(`model ${origin} is empty`, hint);
  let decoded: Record<string, unknown>;
  try {
    decoded = decodeModel(bytes) as unknown as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`model ${origin} is not a valid ONNX file (${(err as Error).message})`, hint);
  }
  const props = (decoded.metadata_props as Array<{ key: string; value: string }> | undefined) ?? [];
  const map = new Map(props.map((p) => [p.key, p.value]));
  if (!map.has(PREFIX + 'task')) {
    throw new InputError(`model ${origin} is an ONNX file but not a logml model (no logml metadata)`, hint);
  }
  const meta: Record<string, unknown> = {};
  for (const key of KEYS) {
    const raw = map.get(PREFIX + key);
    if (raw === undefined) continue;
    if (key === 'name' || key === 'version' || key === 'task' || key === 'head' || key === 'featureSpecHash' || key === 'logmlVersion') meta[key] = raw;
    else {
      try {
        meta[key] = JSON.parse(raw);
      } catch {
        throw new InputError(`model ${origin} has corrupt metadata field ${key}`, hint);
      }
    }
  }
  const m = meta as unknown as ModelMetadata;
  if (m.task !== 'level' && m.task !== 'anomaly') throw new InputError(`model ${origin} has unknown task "${String(m.task)}"`, hint);
  if (!m.featureSpec || typeof m.featureSpec !== 'object') throw new InputError(`model ${origin} has no feature spec`, hint);
  if (specHash(m.featureSpec) !== m.featureSpecHash) {
    throw new InputError(`model ${origin}: feature spec does not match its recorded hash (the file was altered)`, hint);
  }
  const reason = unsupportedSpecReason(m.featureSpec);
  if (reason) {
    throw new InputError(`model ${origin} needs a feature spec this logml cannot reproduce: ${reason}`, 'retrain it with this version: `logml train ...`');
  }
  if (!Array.isArray(m.labels) || m.labels.length === 0) throw new InputError(`model ${origin} has no labels`, hint);
  const problem = metadataProblem(m, decoded);
  if (problem) throw new InputError(`model ${origin}: ${problem}`, hint);
  const outputName = m.head === 'softmax' ? 'probabilities' : 'score';
  return { meta: m, sha256: createHash('sha256').update(bytes).digest('hex'), bytes, outputName };
}

const LEVEL_NAMES = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
type Initializer = { name?: string; dims?: Array<number | { toNumber(): number }> };

/**
 * What in the metadata contradicts itself or the graph, or null: every field the scorer relies
 * on is checked at load, so a tampered or mismatched file is refused in one line instead of
 * scoring nonsense (labels that are not the graph's outputs, a threshold of "abc") or failing
 * inside onnxruntime.
 */
function metadataProblem(m: ModelMetadata, decoded: Record<string, unknown>): string | null {
  const heads: Record<string, HeadKind[]> = { level: ['softmax'], anomaly: ['logistic', 'rarity'] };
  if (!heads[m.task]!.includes(m.head)) return `${m.task === 'anomaly' ? 'an' : 'a'} ${m.task} model cannot have a ${String(m.head)} head (expected ${heads[m.task]!.join(' or ')})`;
  if (m.task === 'level') {
    if (!m.labels.every((l) => typeof l === 'string' && LEVEL_NAMES.has(l)) || new Set(m.labels).size !== m.labels.length) return `its labels ${JSON.stringify(m.labels)} are not distinct level names (TRACE..FATAL)`;
  } else if (JSON.stringify(m.labels) !== '["normal","anomaly"]') return `an anomaly model's labels must be ["normal","anomaly"], got ${JSON.stringify(m.labels)}`;
  if (m.threshold !== undefined && !(typeof m.threshold === 'number' && Number.isFinite(m.threshold) && m.threshold >= 0 && m.threshold <= 1)) return `its threshold ${JSON.stringify(m.threshold)} is not a number from 0 to 1`;
  if (m.levelWeights !== undefined && !(m.task === 'level' && Array.isArray(m.levelWeights) && m.levelWeights.length === m.labels.length && m.levelWeights.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0))) return `its levelWeights ${JSON.stringify(m.levelWeights).slice(0, 80)} are not ${m.labels.length} positive numbers (one per label of a level model)`;
  if (m.readHeadline !== undefined && !(m.task === 'level' && typeof m.readHeadline === 'boolean')) return `its readHeadline ${JSON.stringify(m.readHeadline).slice(0, 40)} is not true or false on a level model`;
  const graph = decoded.graph as { initializer?: Initializer[] } | undefined;
  const dimsOf = (name: string) => graph?.initializer?.find((t) => t.name === name)?.dims?.map((d) => (typeof d === 'number' ? d : d.toNumber()));
  const d = m.featureSpec.dims;
  const idf = dimsOf('idf');
  if (!idf || idf.length !== 1 || idf[0] !== d) return `its graph's idf table has shape ${JSON.stringify(idf ?? null)}, the feature spec says ${d} buckets`;
  const weights = m.head === 'softmax' ? dimsOf('W') : m.head === 'logistic' ? dimsOf('w') : dimsOf('r');
  const expected = m.head === 'softmax' ? [d, m.labels.length] : [d];
  if (JSON.stringify(weights) !== JSON.stringify(expected)) return `its graph's weights have shape ${JSON.stringify(weights ?? null)}, expected ${JSON.stringify(expected)} (${m.labels.length} labels, ${d} buckets)`;
  return null;
}

/** A model file's bytes, with InputErrors that name the path (no runtime is loaded). */
export function readModelFile(path: string): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(`model file ${path} does not exist`, 'give a path to a .onnx written by `logml train`, or leave --model out to use the shipped models');
  }
  if (st.isDirectory()) throw new InputError(`model ${path} is a directory`, 'give the path of a .onnx file');
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(`model ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'check the file permissions');
  }
}

export { DEFAULT_FEATURE_SPEC };
