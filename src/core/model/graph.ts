/**
 * @file Builds the ONNX graphs of logml's models: everything after feature hashing.
 *
 * Inputs (all heads): `indices` int32 [N, K] hash buckets (0 = padding), `values` float [N, K] tf.
 * Shared front: tfidf = values * idf[indices]; x = tfidf / max(||tfidf||2, 1e-12).
 * Heads:
 *  - softmax  (level):    probabilities [N, C] = Softmax(sum_k x_k * W[indices_k, :] + b)
 *  - logistic (anomaly):  score [N, 1] = Sigmoid(sum_k x_k * w[indices_k] + b)
 *  - rarity   (anomaly, unsupervised): raw = sum_k x_k^2 * r[indices_k] (a tf-idf weighted mean
 *    of token surprise); score [N, 1] = Sigmoid((raw - center) * sharpness)
 * Gather on the weight rows keeps the work proportional to the tokens present, not to dims.
 */
import { endianness } from 'node:os';
import { AttributeType, DataType, type ModelMsg, type NodeMsg, type TensorMsg, type ValueInfoMsg } from './onnx-proto.js';

export const OPSET = 17;
export const IR_VERSION = 8;

export type HeadSpec =
  | { kind: 'softmax'; weights: Float32Array; bias: Float32Array; classes: number }
  | { kind: 'logistic'; weights: Float32Array; bias: number }
  | { kind: 'rarity'; surprise: Float32Array; center: number; sharpness: number };

export interface GraphSpec {
  dims: number;
  idf: Float32Array;
  head: HeadSpec;
}

function floatTensor(name: string, dims: number[], data: Float32Array): TensorMsg {
  if (endianness() !== 'LE') throw new Error('logml writes ONNX tensors on little-endian machines only');
  return { name, data_type: DataType.FLOAT, dims, raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() };
}

function int64Tensor(name: string, values: number[]): TensorMsg {
  const buf = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, data_type: DataType.INT64, dims: [values.length], raw_data: new Uint8Array(buf.buffer).slice() };
}

function node(op: string, input: string[], output: string[], attrs: NodeMsg['attribute'] = []): NodeMsg {
  return { name: `${op}_${output[0]}`, op_type: op, input, output, attribute: attrs };
}

function intAttr(name: string, i: number) {
  return { name, type: AttributeType.INT, i };
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>): ValueInfoMsg {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

export interface BuiltGraph {
  graph: ModelMsg['graph'];
  outputName: string;
}

export function buildGraph(spec: GraphSpec): BuiltGraph {
  const { dims, idf, head } = spec;
  if (idf.length !== dims) throw new Error(`internal: idf has ${idf.length} entries, dims is ${dims}`);
  const init: TensorMsg[] = [floatTensor('idf', [dims], idf), int64Tensor('axis1', [1])];
  const nodes: NodeMsg[] = [
    node('Gather', ['idf', 'indices'], ['idf_k'], [intAttr('axis', 0)]),
    node('Mul', ['values', 'idf_k'], ['tfidf']),
    node('Mul', ['tfidf', 'tfidf'], ['tfidf_sq']),
    node('ReduceSum', ['tfidf_sq', 'axis1'], ['sumsq'], [intAttr('keepdims', 1)]),
    node('Max', ['sumsq', 'eps'], ['sumsq_safe']),
    node('Sqrt', ['sumsq_safe'], ['norm']),
    node('Div', ['tfidf', 'norm'], ['x']),
  ];
  init.push(floatTensor('eps', [], new Float32Array([1e-24])));
  let outputName: string;
  let output: ValueInfoMsg;
  if (head.kind === 'softmax') {
    if (head.weights.length !== dims * head.classes) throw new Error('internal: softmax weights shape');
    init.push(floatTensor('W', [dims, head.classes], head.weights), floatTensor('b', [head.classes], head.bias), int64Tensor('axis2', [2]));
    nodes.push(
      node('Gather', ['W', 'indices'], ['W_k'], [intAttr('axis', 0)]),
      node('Unsqueeze', ['x', 'axis2'], ['x3']),
      node('Mul', ['W_k', 'x3'], ['contrib']),
      node('ReduceSum', ['contrib', 'axis1'], ['logits_nb'], [intAttr('keepdims', 0)]),
      node('Add', ['logits_nb', 'b'], ['logits']),
      node('Softmax', ['logits'], ['probabilities'], [intAttr('axis', 1)]),
    );
    outputName = 'probabilities';
    output = valueInfo(outputName, DataType.FLOAT, ['N', head.classes]);
  } else if (head.kind === 'logistic') {
    if (head.weights.length !== dims) throw new Error('internal: logistic weights shape');
    init.push(floatTensor('w', [dims], head.weights), floatTensor('b', [1], new Float32Array([head.bias])));
    nodes.push(
      node('Gather', ['w', 'indices'], ['w_k'], [intAttr('axis', 0)]),
      node('Mul', ['w_k', 'x'], ['contrib']),
      node('ReduceSum', ['contrib', 'axis1'], ['logit_nb'], [intAttr('keepdims', 1)]),
      node('Add', ['logit_nb', 'b'], ['logit']),
      node('Sigmoid', ['logit'], ['score']),
    );
    outputName = 'score';
    output = valueInfo(outputName, DataType.FLOAT, ['N', 1]);
  } else {
    if (head.surprise.length !== dims) throw new Error('internal: rarity table shape');
    init.push(
      floatTensor('r', [dims], head.surprise),
      floatTensor('center', [1], new Float32Array([head.center])),
      floatTensor('sharpness', [1], new Float32Array([head.sharpness])),
    );
    nodes.push(
      node('Gather', ['r', 'indices'], ['r_k'], [intAttr('axis', 0)]),
      node('Mul', ['x', 'x'], ['x_sq']),
      node('Mul', ['x_sq', 'r_k'], ['contrib']),
      node('ReduceSum', ['contrib', 'axis1'], ['raw'], [intAttr('keepdims', 1)]),
      node('Sub', ['raw', 'center'], ['centered']),
      node('Mul', ['centered', 'sharpness'], ['logit']),
      node('Sigmoid', ['logit'], ['score']),
    );
    outputName = 'score';
    output = valueInfo(outputName, DataType.FLOAT, ['N', 1]);
  }
  return {
    outputName,
    graph: {
      name: `logml_${head.kind}`,
      node: nodes,
      initializer: init,
      input: [valueInfo('indices', DataType.INT32, ['N', 'K']), valueInfo('values', DataType.FLOAT, ['N', 'K'])],
      output: [output],
    },
  };
}

/**
 * The same computation in TypeScript, row by row: the reference the ONNX graph is tested
 * against (to 1e-5), and what trainers use to score while they fit.
 */
export function referenceForward(spec: GraphSpec, indices: Int32Array, values: Float32Array): number[] {
  const k = indices.length;
  const x = new Float64Array(k);
  let sumsq = 0;
  for (let i = 0; i < k; i++) {
    x[i] = values[i]! * spec.idf[indices[i]!]!;
    sumsq += x[i]! * x[i]!;
  }
  const norm = Math.sqrt(Math.max(sumsq, 1e-24));
  for (let i = 0; i < k; i++) x[i]! /= norm;
  const head = spec.head;
  if (head.kind === 'softmax') {
    const logits = Array.from(head.bias);
    for (let i = 0; i < k; i++) {
      const row = indices[i]! * head.classes;
      for (let c = 0; c < head.classes; c++) logits[c]! += x[i]! * head.weights[row + c]!;
    }
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  }
  if (head.kind === 'logistic') {
    let logit = head.bias;
    for (let i = 0; i < k; i++) logit += x[i]! * head.weights[indices[i]!]!;
    return [1 / (1 + Math.exp(-logit))];
  }
  let raw = 0;
  for (let i = 0; i < k; i++) raw += x[i]! * x[i]! * head.surprise[indices[i]!]!;
  return [1 / (1 + Math.exp(-(raw - head.center) * head.sharpness))];
}

/** The float initializer `name` of a decoded model, copied out (little-endian raw_data). */
function initializer(decoded: Record<string, unknown>, name: string): Float32Array | null {
  const graph = decoded.graph as { initializer?: Array<{ name?: string; raw_data?: Uint8Array }> } | undefined;
  const t = graph?.initializer?.find((i) => i.name === name);
  if (!t?.raw_data || t.raw_data.byteLength % 4 !== 0) return null;
  const copy = new Uint8Array(t.raw_data); // aligned copy
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

/**
 * The GraphSpec of a softmax (level) model written by buildGraph, read back from its decoded
 * ONNX message: what fine-tuning starts from. Null when the graph is not one of ours.
 */
export function readSoftmaxGraph(decoded: Record<string, unknown>, dims: number, classes: number): GraphSpec | null {
  const idf = initializer(decoded, 'idf');
  const W = initializer(decoded, 'W');
  const b = initializer(decoded, 'b');
  if (!idf || !W || !b || idf.length !== dims || W.length !== dims * classes || b.length !== classes) return null;
  return { dims, idf, head: { kind: 'softmax', classes, weights: W, bias: b } };
}
