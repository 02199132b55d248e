import { describe, expect, it } from 'vitest';
import { featurize, packBatch, DEFAULT_FEATURE_SPEC } from '../features/index.js';
import { createRng } from '../train/prng.js';
import { buildGraph, referenceForward, type GraphSpec, type HeadSpec } from './graph.js';
import { encodeModel } from './onnx-proto.js';
import { createSession } from './session.js';

const DIMS = 1024;
const spec = { ...DEFAULT_FEATURE_SPEC, dims: DIMS };

function randomArray(n: number, rng: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng() * 2 - 1) * scale;
  return a;
}

function graphSpec(head: HeadSpec, rng: () => number): GraphSpec {
  const idf = randomArray(DIMS, rng, 3).map((v) => Math.abs(v) + 0.5);
  idf[0] = 0;
  return { dims: DIMS, idf, head };
}

async function runBoth(gs: GraphSpec, outputName: string, width: number) {
  const built = buildGraph(gs);
  const bytes = encodeModel({
    ir_version: 8, producer_name: 'test', producer_version: '0', domain: '', model_version: 1, doc_string: '',
    graph: built.graph, opset_import: [{ domain: '', version: 17 }], metadata_props: [],
  });
  const session = await createSession(bytes, outputName, 'test');
  const messages = ['Received block blk_-1608 of size 91178 from /10.250.10.6', 'connection refused', 'PacketResponder 1 for block terminating', 'x'];
  const rows = messages.map((m) => featurize(m, spec));
  const batch = packBatch(rows);
  const out = await session.run(batch);
  await session.release();
  const perRow = out.length / rows.length;
  expect(perRow).toBe(width);
  rows.forEach((r, i) => {
    const ref = referenceForward(gs, r.indices, r.values);
    for (let c = 0; c < width; c++) expect(Math.abs(out[i * width + c]! - ref[c]!)).toBeLessThan(1e-5);
  });
}

describe('ONNX graphs match the TypeScript reference to 1e-5', () => {
  it('softmax head', async () => {
    const rng = createRng(1);
    await runBoth(graphSpec({ kind: 'softmax', classes: 4, weights: randomArray(DIMS * 4, rng, 2), bias: randomArray(4, rng) }, rng), 'probabilities', 4);
  });
  it('logistic head', async () => {
    const rng = createRng(2);
    await runBoth(graphSpec({ kind: 'logistic', weights: randomArray(DIMS, rng, 3), bias: 0.3 }, rng), 'score', 1);
  });
  it('rarity head', async () => {
    const rng = createRng(3);
    await runBoth(graphSpec({ kind: 'rarity', surprise: randomArray(DIMS, rng, 5).map(Math.abs), center: 2, sharpness: 1.5 }, rng), 'score', 1);
  });
  it('encoding is deterministic', () => {
    const a = buildGraph(graphSpec({ kind: 'logistic', weights: randomArray(DIMS, createRng(5)), bias: 0 }, createRng(6)));
    const b = buildGraph(graphSpec({ kind: 'logistic', weights: randomArray(DIMS, createRng(5)), bias: 0 }, createRng(6)));
    const enc = (g: typeof a) => Buffer.from(encodeModel({ ir_version: 8, producer_name: 't', producer_version: '0', domain: '', model_version: 1, doc_string: '', graph: g.graph, opset_import: [{ domain: '', version: 17 }], metadata_props: [{ key: 'k', value: 'v' }] }));
    expect(enc(a).equals(enc(b))).toBe(true);
  });
});
