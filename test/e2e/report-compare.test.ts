/**
 * @file End-to-end `logml compare` with the built binary: the shipped level model against one
 * trained on HDFS only, on BGL's labeled lines; McNemar's b and c agree with the two accuracies,
 * the p-value with the formula, and a model against itself is "no difference".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcnemar } from '../../src/core/report/stats.js';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
let other: string;
const DATA = ['--labels', 'fixtures/loghub-2k/BGL_2k.log_structured.csv', '--text-column', 'Content', '--level-column', 'Level'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logml-e2e-compare-'));
  other = join(dir, 'hdfs-level.onnx');
  const t = await runCli(['train', '--task', 'level', '--data', 'fixtures/loghub-2k/HDFS_2k.log', '--out', other], { timeoutMs: 120_000 });
  expect(t.code).toBe(0);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('logml compare (built binary)', () => {
  it('prints b, c, statistic, p-value and a verdict consistent with the two accuracies', async () => {
    const r = await runCli(['compare', 'models/level.onnx', other, ...DATA, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.n).toBe(2000);
    const { b, c } = j.mcnemar;
    expect(j.a.correct - j.b.correct).toBe(b - c);
    expect(j.bothRight + j.bothWrong + b + c).toBe(j.n);
    expect(j.mcnemar.pValue).toBeCloseTo(mcnemar(b, c).pValue, 12);
    expect(j.verdict).toMatch(/is better than|No significant difference/);
    const text = await runCli(['compare', 'models/level.onnx', other, ...DATA, '--format', 'table']);
    expect(text.stdout).toContain('b: A right, B wrong');
    expect(text.stdout).toContain('p-value');
  });

  it('a model against itself: no disagreements, p = 1', async () => {
    const r = await runCli(['compare', 'models/level.onnx', 'models/level.onnx', ...DATA, '--format', 'json']);
    const j = JSON.parse(r.stdout);
    expect(j.mcnemar).toMatchObject({ b: 0, c: 0, pValue: 1 });
    expect(j.verdict).toContain('agree on every one');
  });

  it('refuses models of different tasks, and registry refs without --db (exit 2)', async () => {
    const r = await runCli(['compare', 'models/level.onnx', 'models/anomaly.onnx', ...DATA]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a level model and');
    const s = await runCli(['compare', 'level@production', 'models/level.onnx', ...DATA]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('no --db');
  });
});
