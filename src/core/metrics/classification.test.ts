import { describe, expect, it } from 'vitest';
import { bestThresholdF1, binaryReport, classificationReport, rocAuc, wilson95 } from './classification.js';

describe('classificationReport (hand-computed)', () => {
  // actual:    A A A B B C
  // predicted: A A B B C C
  const r = classificationReport(['A', 'A', 'A', 'B', 'B', 'C'], ['A', 'A', 'B', 'B', 'C', 'C']);
  it('accuracy and confusion', () => {
    expect(r.n).toBe(6);
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    expect(r.confusion).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
  });
  it('per class and macro-F1', () => {
    // A: P=2/2 R=2/3 F1=0.8; B: P=1/2 R=1/2 F1=0.5; C: P=1/2 R=1 F1=2/3
    const [a, b, c] = r.perClass;
    expect(a!.precision).toBe(1);
    expect(a!.recall).toBeCloseTo(2 / 3, 12);
    expect(a!.f1).toBeCloseTo(0.8, 12);
    expect(b!.f1).toBeCloseTo(0.5, 12);
    expect(c!.f1).toBeCloseTo(2 / 3, 12);
    expect(r.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });
  it('a label only predicted still counts in the macro average', () => {
    const s = classificationReport(['INFO', 'INFO'], ['INFO', 'WARN']);
    expect(s.labels).toEqual(['INFO', 'WARN']);
    expect(s.macroF1).toBeCloseTo((2 / 3 + 0) / 2, 12);
  });
  it('uses the given label order', () => {
    expect(classificationReport(['WARN', 'INFO'], ['WARN', 'INFO'], ['INFO', 'WARN']).labels).toEqual(['INFO', 'WARN']);
  });
});

describe('binaryReport (hand-computed)', () => {
  it('counts and rates', () => {
    const b = binaryReport([true, true, false, false, false], [true, false, true, false, false]);
    expect([b.tp, b.fn, b.fp, b.tn]).toEqual([1, 1, 1, 2]);
    expect(b.precision).toBe(0.5);
    expect(b.recall).toBe(0.5);
    expect(b.f1).toBe(0.5);
    expect(b.fpr).toBeCloseTo(1 / 3, 12);
  });
  it('no positives predicted: precision 0, not NaN', () => {
    const b = binaryReport([true, false], [false, false]);
    expect(b.precision).toBe(0);
    expect(b.f1).toBe(0);
  });
});

describe('wilson95', () => {
  it('matches a textbook value: 81/263 -> [0.2553, 0.3662]', () => {
    const [lo, hi] = wilson95(81, 263);
    expect(lo).toBeCloseTo(0.2553, 3);
    expect(hi).toBeCloseTo(0.3662, 3);
  });
  it('n = 0 is the whole interval', () => expect(wilson95(0, 0)).toEqual([0, 1]));
  it('0 of 10 has a positive upper bound', () => {
    const [lo, hi] = wilson95(0, 10);
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo(0.2775, 3);
  });
});

describe('rocAuc (hand-computed)', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5], [true, false, false])).toBe(0.5);
  });
  it('counts pairs: positives 0.4 and 0.8 against negatives 0.2, 0.6 and 0.4 (tie)', () => {
    // pairs won: 0.4>0.2 (1), 0.4=0.4 (0.5), 0.8 beats all three (3): 4.5 of 6
    expect(rocAuc([0.4, 0.8, 0.2, 0.6, 0.4], [true, true, false, false, false])).toBeCloseTo(4.5 / 6, 12);
  });
  it('is null without both classes', () => {
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });
});

describe('bestThresholdF1 (hand-computed)', () => {
  it('finds the cut that separates a perfect ranking', () => {
    expect(bestThresholdF1([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toEqual({ f1: 1, threshold: 0.8 });
  });
  it('never cuts between tied scores', () => {
    // at 0.5 all three are positive: P 1/3 R 1, F1 0.5; no cut can split the tie
    expect(bestThresholdF1([0.5, 0.5, 0.5], [true, false, false])).toEqual({ f1: 0.5, threshold: 0.5 });
  });
  it('trades precision against recall: scores 0.9 T, 0.7 F, 0.6 T, 0.1 F', () => {
    // cut 0.9: F1 2/3; cut 0.7: 0.5; cut 0.6: 2*2/(3+2) = 0.8; cut 0.1: 2*2/(4+2) = 0.667
    expect(bestThresholdF1([0.9, 0.7, 0.6, 0.1], [true, false, true, false])).toEqual({ f1: 0.8, threshold: 0.6 });
  });
});
