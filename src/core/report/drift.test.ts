/**
 * @file Drift detection power and false alarms in seeded trials, and the drift figures on small
 * known cases (new / vanished templates, profile quantiles).
 */
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../train/prng.js';
import { computeDrift, DEFAULT_DRIFT_THRESHOLDS, PROFILE_QUANTILE_LEVELS } from './drift.js';
import { evaluateGates } from './gates.js';
import { SnapshotBuilder, type Snapshot } from './snapshot.js';
import type { ReportResult } from './types.js';

const REF = { INFO: 0.7, WARN: 0.2, ERROR: 0.1 };
const SHIFTED = { INFO: 0.5, WARN: 0.3, ERROR: 0.2 }; // PSI 0.177, JS distance 0.178 against REF
const TRIALS = 200;
const N = 500;

function draw(rng: Rng, shares: Record<string, number>): string {
  let u = rng();
  for (const [k, p] of Object.entries(shares)) {
    if ((u -= p) < 0) return k;
  }
  return Object.keys(shares).at(-1)!;
}

function sample(rng: Rng, n: number, levelShares: Record<string, number>, score: (u: number) => number): Snapshot {
  const b = new SnapshotBuilder();
  for (let i = 0; i < n; i++) b.add({ time: null, predictedLevel: draw(rng, levelShares), anomalyScore: score(rng()), isAnomaly: null, templateId: null });
  return b.build();
}

/** Uniform scores: the training quantiles of a uniform [0, 1] score are the quantile levels themselves. */
const profile = { kind: 'profile' as const, description: 'test profile', profiles: [{ model: 'm@1', profile: { n: 10000, predictedLabelShares: REF, scoreQuantiles: PROFILE_QUANTILE_LEVELS } }] };

function tripped(s: Snapshot): { psi: boolean; js: boolean; ks: boolean } {
  const drift = computeDrift(s, profile);
  const r = { drift } as unknown as ReportResult;
  const gates = evaluateGates(r, { maxPsi: 0.1, maxJs: 0.1, maxKs: 0.1 });
  const breached = (gate: string) => gates.some((g) => g.gate === gate && !g.passed);
  return { psi: breached('--max-psi'), js: breached('--max-js'), ks: breached('--max-ks') };
}

describe(`drift gates in ${TRIALS} seeded trials of n=${N} (gates --max-psi 0.1, --max-js 0.1, --max-ks 0.1)`, () => {
  it(`a sample from the reference (levels INFO/WARN/ERROR 0.7/0.2/0.1, scores uniform [0,1]) trips each gate in at most 5% of trials`, () => {
    const rng = createRng(20240501);
    const hits = { psi: 0, js: 0, ks: 0 };
    for (let t = 0; t < TRIALS; t++) {
      const r = tripped(sample(rng, N, REF, (u) => u));
      hits.psi += Number(r.psi);
      hits.js += Number(r.js);
      hits.ks += Number(r.ks);
    }
    expect(hits.psi / TRIALS).toBeLessThanOrEqual(0.05);
    expect(hits.js / TRIALS).toBeLessThanOrEqual(0.05);
    expect(hits.ks / TRIALS).toBeLessThanOrEqual(0.05);
  });
  it(`a shifted sample (levels 0.5/0.3/0.2: PSI 0.177; scores u + 0.15 capped at 1: KS 0.15) trips each gate in at least 95% of trials`, () => {
    const rng = createRng(7);
    const hits = { psi: 0, js: 0, ks: 0 };
    for (let t = 0; t < TRIALS; t++) {
      const r = tripped(sample(rng, N, SHIFTED, (u) => Math.min(1, u + 0.15)));
      hits.psi += Number(r.psi);
      hits.js += Number(r.js);
      hits.ks += Number(r.ks);
    }
    expect(hits.psi / TRIALS).toBeGreaterThanOrEqual(0.95);
    expect(hits.js / TRIALS).toBeGreaterThanOrEqual(0.95);
    expect(hits.ks / TRIALS).toBeGreaterThanOrEqual(0.95);
  });
});

describe('drift against a baseline', () => {
  it('finds new and vanished templates and computes template PSI over the union', () => {
    const mk = (ids: string[]) => {
      const b = new SnapshotBuilder();
      for (const id of ids) b.add({ time: null, predictedLevel: 'INFO', anomalyScore: 0.1, isAnomaly: false, templateId: id, template: `t ${id}` });
      return b.build();
    };
    const base = mk(['a', 'a', 'b', 'b']);
    const cur = mk(['a', 'a', 'c', 'c']);
    const d = computeDrift(cur, { kind: 'baseline', description: 'b', snapshot: base }, DEFAULT_DRIFT_THRESHOLDS);
    expect(d.template!.newTemplates).toEqual([{ id: 'c', count: 2, template: 't c' }]);
    expect(d.template!.vanishedTemplates).toEqual([{ id: 'b', referenceCount: 2, template: 't b' }]);
    // shares a 0.5/0.5, b 0/0.5, c 0.5/0: 2 * (0.5 - 1e-4) * ln(0.5 / 1e-4)
    expect(d.template!.psi).toBeCloseTo(2 * (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 9);
    expect(d.level!.psi).toBe(0);
    expect(d.score!.ks).toBe(0);
    expect(d.template!.status).toBe('alert');
  });
  it('says what it cannot compute', () => {
    const empty = new SnapshotBuilder().build();
    const d = computeDrift(empty, profile);
    expect(d.level).toBeNull();
    expect(d.score).toBeNull();
    expect(d.notes.join(' ')).toMatch(/no predicted levels/);
  });
});
