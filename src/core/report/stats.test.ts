/**
 * @file Known-answer tests for the report's statistics, each worked out by hand on a small case
 * (the arithmetic is in the comments), plus coverage counting.
 */
import { describe, expect, it } from 'vitest';
import { SnapshotBuilder } from './snapshot.js';
import { binnedCdf, erfc, jsDistance, ksPValue, ksStatistic, mcnemar, percentile, psi, PSI_EPSILON, quantileCdf, SCORE_BINS, scoreBin, shares, wasserstein1 } from './stats.js';

describe('percentile (as percentile_cont)', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5); // pos 1.5: 2 + 0.5 * (3 - 2)
    expect(percentile([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48, 10); // pos 3.8: 40 + 0.8 * 10
    expect(percentile([10, 20, 30, 40, 50], 0.99)).toBeCloseTo(49.6, 10); // pos 3.96
    expect(percentile([10, 20, 30, 40, 50], 0)).toBe(10);
    expect(percentile([10, 20, 30, 40, 50], 1)).toBe(50);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('PSI', () => {
  it('0.5/0.5 against 0.25/0.75 is 0.25 ln 2 + 0.25 ln 1.5 = 0.274653', () => {
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.274653, 6);
  });
  it('is 0 for identical shares and symmetric', () => {
    expect(psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(psi([0.25, 0.75], [0.5, 0.5]), 12);
  });
  it('replaces an empty bin by epsilon 1e-4: [1, 0] vs [0.5, 0.5] = 0.5 ln 2 + (1e-4 - 0.5) ln(2e-4) = 4.604319', () => {
    expect(PSI_EPSILON).toBe(1e-4);
    expect(psi([1, 0], [0.5, 0.5])).toBeCloseTo(4.604319, 5);
  });
  it('shares over the union of keys', () => {
    expect(shares({ a: 1, b: 3 }, ['a', 'b', 'c'])).toEqual([0.25, 0.75, 0]);
    expect(shares({}, ['a'])).toEqual([0]);
  });
});

describe('Jensen-Shannon distance (base 2)', () => {
  it('disjoint distributions are 1 apart, identical ones 0', () => {
    expect(jsDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
    expect(jsDistance([0.3, 0.7], [0.3, 0.7])).toBe(0);
  });
  it('[0.5, 0.5] vs [1, 0]: m = [0.75, 0.25]; JSD = 0.5(0.5 log2(2/3) + 0.5 log2 2) + 0.5 log2(4/3) = 0.311278; distance 0.557923', () => {
    expect(jsDistance([0.5, 0.5], [1, 0])).toBeCloseTo(0.557923, 5);
  });
});

describe('scores: KS and Wasserstein-1', () => {
  const bins = (scores: number[]) => {
    const b = new Array<number>(SCORE_BINS).fill(0);
    for (const s of scores) b[scoreBin(s)]!++;
    return b;
  };
  it('bins [0, 1] in 1000 bins, clamping outside values', () => {
    expect(scoreBin(0)).toBe(0);
    expect(scoreBin(0.0005)).toBe(0);
    expect(scoreBin(0.25)).toBe(250);
    expect(scoreBin(1)).toBe(999);
    expect(scoreBin(-3)).toBe(0);
    expect(scoreBin(Number.NaN)).toBe(0);
  });
  it('point masses at 0 and at 1: KS 1, W1 0.999 (exact 1, less one bin width)', () => {
    const pair = { current: binnedCdf(bins([0, 0])), reference: binnedCdf(bins([1])), dx: 1 / SCORE_BINS };
    expect(ksStatistic(pair)).toBe(1);
    expect(wasserstein1(pair)).toBeCloseTo(0.999, 9);
  });
  it('half at 0.25, half at 0.75 against uniform [0, 1]: KS 0.25; W1 = 1/32 + 1/16 + 1/32 = 0.125', () => {
    const cur = binnedCdf(bins([0.25, 0.75]));
    const ref = Array.from({ length: SCORE_BINS }, (_, i) => quantileCdf([0, 1], [0, 1], (i + 1) / SCORE_BINS));
    const pair = { current: cur, reference: ref, dx: 1 / SCORE_BINS };
    expect(ksStatistic(pair)).toBeCloseTo(0.25, 9);
    expect(wasserstein1(pair)).toBeCloseTo(0.125, 2);
  });
  it('a distribution against itself: 0 and 0', () => {
    const c = binnedCdf(bins([0.1, 0.2, 0.2, 0.9]));
    expect(ksStatistic({ current: c, reference: c, dx: 0.001 })).toBe(0);
    expect(wasserstein1({ current: c, reference: c, dx: 0.001 })).toBe(0);
  });
  it('quantile CDF: linear between quantiles, ties jump to the highest p', () => {
    expect(quantileCdf([0, 1], [0, 1], 0.3)).toBeCloseTo(0.3, 12);
    expect(quantileCdf([0, 0, 0.5, 1], [0, 0.5, 0.75, 1], 0)).toBe(0.5);
    expect(quantileCdf([0, 0, 0.5, 1], [0, 0.5, 0.75, 1], 0.25)).toBeCloseTo(0.625, 12);
    expect(quantileCdf([0.2, 0.4], [0, 1], 0.1)).toBe(0);
    expect(quantileCdf([0.2, 0.4], [0, 1], 0.4)).toBe(1);
  });
  it('KS p-value: the 5% critical value of the Kolmogorov distribution is 1.3581 / sqrt(n)', () => {
    const n = 1e8;
    expect(ksPValue(1.3581 / Math.sqrt(n), n)).toBeCloseTo(0.05, 3);
    expect(ksPValue(0, 100)).toBe(1);
  });
});

describe('McNemar', () => {
  it('exact below 25 disagreements: b=10, c=2 -> 2 (C(12,0)+C(12,1)+C(12,2)) / 2^12 = 2 * 79 / 4096 = 0.038574', () => {
    const r = mcnemar(10, 2);
    expect(r.method).toBe('exact binomial');
    expect(r.pValue).toBeCloseTo(0.038574, 6);
    expect(mcnemar(2, 10).pValue).toBeCloseTo(0.038574, 6);
  });
  it('no disagreements: p = 1; equal counts: p = 1', () => {
    expect(mcnemar(0, 0).pValue).toBe(1);
    expect(mcnemar(5, 5).pValue).toBe(1);
  });
  it('chi-square with continuity correction from 25: b=30, c=10 -> (20 - 1)^2 / 40 = 9.025, p = 0.002663', () => {
    const r = mcnemar(30, 10);
    expect(r.method).toBe('chi-square with continuity correction');
    expect(r.statistic).toBeCloseTo(9.025, 12);
    expect(r.pValue).toBeCloseTo(0.002663, 5);
  });
  it('erfc known values', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299, 6);
    expect(erfc(-1)).toBeCloseTo(1.842701, 6);
  });
});

describe('coverage counting', () => {
  it('counts covered logs and the missing ones per day', () => {
    const b = new SnapshotBuilder();
    const rec = (time: string | null, covered: boolean) => ({ time, predictedLevel: covered ? 'INFO' : null, anomalyScore: null, isAnomaly: null, templateId: null });
    b.add(rec('2024-05-01T10:00:00Z', true));
    b.add(rec('2024-05-01T11:00:00Z', false));
    b.add(rec('2024-05-02T00:00:00Z', true));
    b.add(rec('2024-05-02T00:30:00Z', true));
    b.add(rec(null, false));
    const s = b.build();
    expect(s.total).toBe(5);
    expect(s.covered).toBe(3);
    expect(s.perDay).toEqual([
      { day: '2024-05-01', total: 2, missing: 1 },
      { day: '2024-05-02', total: 2, missing: 0 },
      { day: 'unknown', total: 1, missing: 1 },
    ]);
    expect(s.perHour).toEqual([
      { hour: '2024-05-01T10:00:00Z', count: 1 },
      { hour: '2024-05-01T11:00:00Z', count: 1 },
      { hour: '2024-05-02T00:00:00Z', count: 2 },
    ]);
  });
});
