import { describe, expect, it } from 'vitest';
import { combineAnomaly, decideLevel, SEVERITY_FULL, severityOf, troubledReading, troubleShare } from './decision.js';
import { NoveltyCounter } from './novelty.js';

const LABELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

describe('decideLevel', () => {
  it('takes the most probable level without a trouble threshold', () => {
    expect(decideLevel([0.1, 0.35, 0.3, 0.25], 0, LABELS, undefined)).toBe(1);
  });
  it('calls a line trouble only when the trouble levels together reach the threshold', () => {
    // WARN + ERROR = 0.55 >= 0.5: the most probable trouble level, though INFO is the single most probable
    expect(decideLevel([0.1, 0.35, 0.3, 0.25], 0, LABELS, 0.5)).toBe(2);
    // 0.55 < 0.6: the most probable of the others
    expect(decideLevel([0.1, 0.35, 0.3, 0.25], 0, LABELS, 0.6)).toBe(1);
  });
  it('reads the row at the given offset', () => {
    expect(decideLevel([1, 0, 0, 0, 0, 0, 0.1, 0.9], 4, LABELS, 0.5)).toBe(3);
  });
  it('with weights, picks the level within the group by P x weight, never moving a line between groups', () => {
    // DEBUG 0.4 x 0.2 = 0.08 < INFO 0.3 x 1: INFO; trouble 0.3 < 0.5 decides the group as before
    expect(decideLevel([0.4, 0.3, 0.2, 0.1], 0, LABELS, 0.5, [0.2, 1, 1, 1])).toBe(1);
    expect(decideLevel([0.4, 0.3, 0.2, 0.1], 0, LABELS, 0.5)).toBe(0);
    // trouble 0.7 >= 0.5: ERROR 0.4 x 0.5 = 0.2 < WARN 0.3 x 1; a huge INFO weight changes nothing
    expect(decideLevel([0.1, 0.2, 0.3, 0.4], 0, LABELS, 0.5, [1, 100, 1, 0.5])).toBe(2);
  });
});

describe('troubledReading', () => {
  it("goes by the headline's row only when the headline reaches the threshold and the whole message does not", () => {
    const rows = [0.1, 0.6, 0.2, 0.1, /* headline: */ 0, 0.3, 0.3, 0.4];
    expect(troubleShare(rows, 0, LABELS)).toBeCloseTo(0.3, 12);
    expect(troubledReading(rows, 0, 4, LABELS, 0.5)).toBe(4);
    // both in trouble, or neither: the whole message's reading
    expect(troubledReading(rows, 0, 4, LABELS, 0.25)).toBe(0);
    expect(troubledReading(rows, 0, 4, LABELS, 0.8)).toBe(0);
    // a less troubled headline never wins
    expect(troubledReading([0, 0.3, 0.3, 0.4, 0.1, 0.6, 0.2, 0.1], 0, 4, LABELS, 0.5)).toBe(0);
    expect(troubledReading(rows, 0, -1, LABELS, 0.5)).toBe(0);
  });
});

describe('combineAnomaly', () => {
  it('is severity for a line seen once and decays with 1/sqrt(times seen)', () => {
    expect(combineAnomaly(0.9, null, 1)).toBeCloseTo(0.9);
    expect(combineAnomaly(0.9, null, 4)).toBeCloseTo(0.45);
    expect(combineAnomaly(0.9, null, 100)).toBeCloseTo(0.09);
  });
  it('joins the anomaly head by noisy-OR, and is the head alone without a level model', () => {
    expect(combineAnomaly(0.5, 0.5, 1)).toBeCloseTo(0.75);
    expect(combineAnomaly(null, 0.3, 50)).toBe(0.3);
    expect(combineAnomaly(0, 0.3, 1)).toBeCloseTo(0.3);
  });
});

describe('NoveltyCounter', () => {
  it('counts sightings per key', () => {
    const c = new NoveltyCounter(10);
    expect([c.observe('a'), c.observe('a'), c.observe('b'), c.observe('a')]).toEqual([1, 2, 1, 3]);
  });
  it('stays bounded and keeps counts of keys still being seen across a generation change', () => {
    const c = new NoveltyCounter(2);
    c.observe('a');
    c.observe('a');
    c.observe('b');
    c.observe('c'); // current full: a, b move to the previous generation
    expect(c.observe('a')).toBe(3);
    for (let i = 0; i < 10; i++) c.observe(`x${i}`);
    expect(c.observe('b')).toBe(1); // forgotten after two generations without a sighting
  });
});

describe('severityOf', () => {
  it('weighs ERROR and FATAL fully and WARN by half, full at SEVERITY_FULL', () => {
    expect(severityOf([0.7, 0.3, 0, 0], 0, LABELS)).toBeCloseTo(0);
    expect(severityOf([0, 0.4, 0.6, 0], 0, LABELS)).toBeCloseTo(0.3 / SEVERITY_FULL);
    expect(severityOf([0, 0, 0.2, 0.8], 0, LABELS)).toBe(1);
  });
});
