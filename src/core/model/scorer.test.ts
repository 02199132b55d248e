import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SPEC } from '../features/index.js';
import { DEFAULT_TRAIN_OPTIONS, trainLevelModel, type LabeledMessage } from '../train/trainers.js';
import { loadModel } from './load.js';
import { createScorer } from './scorer.js';

const data: LabeledMessage[] = [];
for (let i = 0; i < 15; i++) data.push({ message: `request ${i} served`, level: 'INFO' }, { message: `connection ${i} refused`, level: 'ERROR' });
const opts = { ...DEFAULT_TRAIN_OPTIONS, name: 't', version: '1', holdout: 0, description: 't', logmlVersion: 't', featureSpec: { ...DEFAULT_FEATURE_SPEC, dims: 1 << 12 }, epochs: 10 };

describe('createScorer', () => {
  it('gives each message the prediction it gets alone, however a batch mixes short and very long lines', async () => {
    const model = await loadModel({ bytes: trainLevelModel(data, opts).bytes, origin: 't' });
    const messages = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `connection ${i} refused ` + 'word '.repeat(i * 7) : `request ${i} served`));
    const batch = await createScorer([model], { cacheSize: 0 }).score(messages);
    const alone = createScorer([model], { cacheSize: 0 });
    for (const i of [0, 1, 2, 150, 297, 298, 299]) {
      const [p] = await alone.score([messages[i]!]);
      expect(batch[i]!.predictedLevel).toBe(p!.predictedLevel);
      expect(batch[i]!.levelProbability).toBeCloseTo(p!.levelProbability!, 6);
    }
    await model.session.release();
  });

  it('counts novelty in call order when batches are scored concurrently (a later batch of cache hits does not overtake)', async () => {
    const model = await loadModel({ bytes: trainLevelModel(data, opts).bytes, origin: 't' });
    const warm = ['request 1 served', 'connection 2 refused'];
    const first = ['brand new line 1', 'request 1 served', 'another new line 2'];
    const second = ['request 1 served', 'connection 2 refused', 'request 1 served'];
    const sequential = createScorer([model]);
    await sequential.score(warm);
    const a1 = await sequential.score(first);
    const a2 = await sequential.score(second);
    const concurrent = createScorer([model]);
    await concurrent.score(warm);
    // the first batch awaits the model (misses); the second is all cache hits
    const [b1, b2] = await Promise.all([concurrent.score(first), concurrent.score(second)]);
    expect(b1.map((p) => p.anomalyScore)).toEqual(a1.map((p) => p.anomalyScore));
    expect(b2.map((p) => p.anomalyScore)).toEqual(a2.map((p) => p.anomalyScore));
    await model.session.release();
  });
});

describe('createScorer scoped views', () => {
  it('score as a fresh run would, whatever the scorer saw before, and count cache hits', async () => {
    const model = await loadModel({ bytes: trainLevelModel(data, opts).bytes, origin: 't' });
    const messages = ['connection 7 refused', 'connection 7 refused', 'request 3 served'];
    const fresh = await createScorer([model]).score(messages);
    const shared = createScorer([model]);
    await shared.score(messages);
    const again = await shared.score(messages); // the run's own counts: now seen, less novel
    expect(again[0]!.anomalyScore).toBeLessThan(fresh[0]!.anomalyScore!);
    const view = shared.scoped!();
    expect(await view.score(messages)).toEqual(fresh);
    expect(await shared.scoped!().score(messages)).toEqual(fresh);
    const stats = shared.cacheStats!();
    expect(stats.lookups).toBe(12);
    // the first call missed the two distinct texts (its repeat was answered by the same model call)
    expect(stats.hits).toBe(9);
    await model.session.release();
  });
});

describe('createScorer with models of two masking versions', () => {
  it('masks for each model by its own version: a v1 model reads "0 failed" as its v1 text, a v2 model without the zero count', async () => {
    const trouble: LabeledMessage[] = [];
    for (let i = 0; i < 15; i++) trouble.push({ message: `job ${i} done`, level: 'INFO' }, { message: `job ${i} failed`, level: 'ERROR' });
    const v1 = { ...opts, featureSpec: { ...opts.featureSpec, masking: 'logml-mask-v1' as const } };
    const v1Model = await loadModel({ bytes: trainLevelModel(trouble, v1).bytes, origin: 'v1' });
    const v2Model = await loadModel({ bytes: trainLevelModel(trouble, opts).bytes, origin: 'v2' });
    const message = 'job 3 done, 0 failed';
    const [p1] = await createScorer([v1Model], { cacheSize: 0 }).score([message]);
    const [p1Text] = await createScorer([v1Model], { cacheSize: 0 }).score(['job 3 done, 7 failed']);
    const [p2] = await createScorer([v2Model], { cacheSize: 0 }).score([message]);
    const [p2Text] = await createScorer([v2Model], { cacheSize: 0 }).score(['job 3 done, ']);
    expect(p1!.levelProbability).toBeCloseTo(p1Text!.levelProbability!, 6); // v1: the 0 is <NUM> like any count
    expect(p2!.predictedLevel).toBe('INFO');
    expect(p2!.levelProbability).toBeCloseTo(p2Text!.levelProbability!, 6);
    await v1Model.session.release();
    await v2Model.session.release();
  });
});
