/**
 * The shipped models are what `npm run train:default` builds from fixtures/loghub-2k, byte for
 * byte: their metadata (metrics, fingerprints) was really measured, and nobody edited them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDefaultModels } from '../scripts/train-default.js';
import { ROOT } from './helpers/run-cli.js';

describe('shipped default models', () => {
  it('are reproduced byte for byte by the training script', () => {
    const { levelModel, anomalyModel } = buildDefaultModels();
    expect(Buffer.from(levelModel.bytes).equals(readFileSync(join(ROOT, 'models', 'level.onnx')))).toBe(true);
    expect(Buffer.from(anomalyModel.bytes).equals(readFileSync(join(ROOT, 'models', 'anomaly.onnx')))).toBe(true);
    expect(levelModel.meta.metrics.heldOut?.n).toBe(3200);
    expect(anomalyModel.meta.metrics.heldOut?.n).toBe(4800);
  }, 120_000);
});
