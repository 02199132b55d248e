/** @file The retrain decision: promote only a significantly better candidate that passes every gate. */
import { describe, expect, it } from 'vitest';
import type { GateResult } from '../report/gates.js';
import { mcnemar } from '../report/stats.js';
import { decide, driftBreached, driftReason, RETRAIN_EXIT, type DecisionInput } from './decision.js';

const prod = { ref: 'lvl@production', sha256: 'a'.repeat(64) };
const gate = (passed: boolean, value = passed ? 0.95 : 0.7): GateResult => ({ gate: '--min-accuracy', figure: 'level accuracy', value, threshold: 0.9, n: 200, passed });
const input = (over: Partial<DecisionInput>): DecisionInput => ({ candidateSha256: 'b'.repeat(64), production: prod, mcnemar: mcnemar(3, 40), n: 200, alpha: 0.05, gates: [], ...over });

describe('decide', () => {
  it('promotes a candidate right on significantly more of the disagreements (c > b, p < alpha)', () => {
    const d = decide(input({ gates: [gate(true)] }));
    expect(d.decision).toBe('promoted');
    expect(d.reasons[0]).toMatch(/^the candidate is significantly better than lvl@production \(McNemar p=.* < 0\.05; 40 records where only the candidate is right, 3 where only lvl@production is, of 200\)$/);
    expect(d.reasons[1]).toBe('gates passed: --min-accuracy: level accuracy 0.95 >= 0.9 (n=200)');
  });

  it('a significant difference the other way (b > c) is "worse": registered only', () => {
    const d = decide(input({ mcnemar: mcnemar(40, 3) }));
    expect(d.decision).toBe('registered');
    expect(d.reasons[0]).toMatch(/^the candidate is significantly worse than lvl@production/);
  });

  it('better but not significantly (p >= alpha): registered only', () => {
    const m = mcnemar(10, 14);
    expect(m.pValue).toBeGreaterThan(0.05);
    const d = decide(input({ mcnemar: m }));
    expect(d.decision).toBe('registered');
    expect(d.reasons[0]).toMatch(/^the candidate is not significantly better than lvl@production \(McNemar p=0\.\d+ >= 0\.05; 14 records where only the candidate is right, 10/);
  });

  it('alpha decides: the same figures promote at 0.2 and not at 0.05', () => {
    const m = mcnemar(8, 16);
    expect(m.pValue).toBeGreaterThan(0.05);
    expect(m.pValue).toBeLessThan(0.2);
    expect(decide(input({ mcnemar: m, alpha: 0.2 })).decision).toBe('promoted');
    expect(decide(input({ mcnemar: m, alpha: 0.05 })).decision).toBe('registered');
  });

  it('a breached gate blocks promotion even when the candidate is significantly better; the gate comes first', () => {
    const d = decide(input({ gates: [gate(false)] }));
    expect(d.decision).toBe('registered');
    expect(d.reasons[0]).toBe('1 gate breached: --min-accuracy: level accuracy 0.7 < 0.9 (n=200)');
    expect(d.reasons[1]).toMatch(/significantly better/);
  });

  it('no disagreement at all: registered, with the reason', () => {
    const d = decide(input({ mcnemar: mcnemar(0, 0) }));
    expect(d).toEqual({ decision: 'registered', reasons: ['the candidate and lvl@production agree on every one of the 200 labeled records'] });
  });

  it('the same bytes as production: unchanged (exit 0)', () => {
    const d = decide(input({ candidateSha256: prod.sha256 }));
    expect(d.decision).toBe('unchanged');
    expect(RETRAIN_EXIT.unchanged).toBe(0);
  });

  it('no production model: promoted when the gates pass, else registered', () => {
    expect(decide(input({ production: null, mcnemar: null })).decision).toBe('promoted');
    expect(decide(input({ production: null, mcnemar: null, gates: [gate(false)] }))).toEqual({
      decision: 'registered',
      reasons: ['no production model to compare with', '1 gate breached: --min-accuracy: level accuracy 0.7 < 0.9 (n=200)'],
    });
  });

  it('exit codes are distinct per outcome', () => {
    expect(RETRAIN_EXIT).toEqual({ promoted: 0, unchanged: 0, registered: 4, 'skipped-no-drift': 5, 'skipped-locked': 6 });
  });
});

describe('drift', () => {
  const psi = (value: number): GateResult => ({ gate: '--max-psi', figure: 'level PSI', value, threshold: 0.25, n: 900, passed: value <= 0.25 });
  it('breached when any drift gate is', () => {
    expect(driftBreached([psi(0.01)])).toBe(false);
    expect(driftBreached([psi(0.01), psi(0.4)])).toBe(true);
    expect(driftReason([psi(0.4)])).toBe('drift: --max-psi: level PSI 0.4 > 0.25 (n=900)');
    expect(driftReason([psi(0.0123456)])).toBe('no drift: --max-psi: level PSI 0.0123 <= 0.25 (n=900)');
  });
});
