/**
 * @file Report gates (--min-coverage, --max-fpr, --min-f1, ...): each compares one measured
 * figure with its threshold. A gate whose figure cannot be computed is a usage error naming it,
 * never a pass; a breach is a GateBreachedError (exit 3) naming every breached gate.
 */
import { GateBreachedError, UsageError } from '../errors.js';
import type { ReportResult } from './types.js';

export interface GateSpec {
  minCoverage?: number | undefined;
  minAccuracy?: number | undefined;
  /** Level macro-F1. */
  minF1?: number | undefined;
  minAnomalyF1?: number | undefined;
  minRecall?: number | undefined;
  maxFpr?: number | undefined;
  /** Applies to level PSI and template PSI, each where computed. */
  maxPsi?: number | undefined;
  maxJs?: number | undefined;
  maxKs?: number | undefined;
}

export interface GateResult {
  gate: string;
  figure: string;
  value: number;
  threshold: number;
  /** Sample size the figure was computed on. */
  n: number;
  passed: boolean;
}

/**
 * What the gates read: a whole report, or (for `retrain`) only the accuracy of a model on a
 * labeled sample and/or the drift of a window.
 */
export type GateInput = Pick<ReportResult, 'accuracy' | 'drift'> & { coverage?: ReportResult['coverage'] };

type Getter = (r: GateInput) => Array<{ figure: string; value: number; n: number }>;

const one = (figure: string, f: (r: GateInput) => { value: number; n: number } | null): Getter => (r) => {
  const v = f(r);
  return v && v.n > 0 ? [{ figure, ...v }] : [];
};

const GATES: Array<{ key: keyof GateSpec; flag: string; max: boolean; get: Getter; why: string }> = [
  { key: 'minCoverage', flag: '--min-coverage', max: false, get: one('coverage', (r) => (r.coverage ? { value: r.coverage.share, n: r.coverage.n } : null)), why: 'no logs in the window' },
  { key: 'minAccuracy', flag: '--min-accuracy', max: false, get: one('level accuracy', (r) => (r.accuracy?.level ? { value: r.accuracy.level.accuracy, n: r.accuracy.level.n } : null)), why: 'no level labels joined to predictions (give --labels with a level column)' },
  { key: 'minF1', flag: '--min-f1', max: false, get: one('level macro-F1', (r) => (r.accuracy?.level ? { value: r.accuracy.level.macroF1, n: r.accuracy.level.n } : null)), why: 'no level labels joined to predictions (give --labels with a level column)' },
  { key: 'minAnomalyF1', flag: '--min-anomaly-f1', max: false, get: one('anomaly F1', (r) => (r.accuracy?.anomaly ? { value: r.accuracy.anomaly.f1, n: r.accuracy.anomaly.n } : null)), why: 'no is_anomaly labels joined to predictions' },
  { key: 'minRecall', flag: '--min-recall', max: false, get: one('anomaly recall', (r) => (r.accuracy?.anomaly ? { value: r.accuracy.anomaly.recall, n: r.accuracy.anomaly.tp + r.accuracy.anomaly.fn } : null)), why: 'no anomalous labels joined to predictions' },
  { key: 'maxFpr', flag: '--max-fpr', max: true, get: one('anomaly false-positive rate', (r) => (r.accuracy?.anomaly ? { value: r.accuracy.anomaly.fpr, n: r.accuracy.anomaly.fp + r.accuracy.anomaly.tn } : null)), why: 'no normal (is_anomaly=false) labels joined to predictions' },
  {
    key: 'maxPsi', flag: '--max-psi', max: true, why: 'no drift reference with level or template distributions (give --model-file or a baseline)',
    get: (r) => [
      ...(r.drift?.level ? [{ figure: 'level PSI', value: r.drift.level.psi, n: r.drift.level.n }] : []),
      ...(r.drift?.template ? [{ figure: 'template PSI', value: r.drift.template.psi, n: r.drift.template.n }] : []),
    ],
  },
  {
    key: 'maxJs', flag: '--max-js', max: true, why: 'no drift reference with level or template distributions (give --model-file or a baseline)',
    get: (r) => [
      ...(r.drift?.level ? [{ figure: 'level JS distance', value: r.drift.level.js, n: r.drift.level.n }] : []),
      ...(r.drift?.template ? [{ figure: 'template JS distance', value: r.drift.template.js, n: r.drift.template.n }] : []),
    ],
  },
  { key: 'maxKs', flag: '--max-ks', max: true, get: one('anomaly score KS', (r) => (r.drift?.score ? { value: r.drift.score.ks, n: r.drift.score.n } : null)), why: 'no anomaly scores or no score reference' },
];

/** Evaluate the gates that were given; throws UsageError for a gate that cannot be computed. */
export function evaluateGates(report: GateInput, spec: GateSpec): GateResult[] {
  const out: GateResult[] = [];
  for (const g of GATES) {
    const threshold = spec[g.key];
    if (threshold === undefined) continue;
    const figures = g.get(report);
    if (figures.length === 0) throw new UsageError(`gate ${g.flag} cannot be checked: ${g.why}`, `a figure that cannot be computed is not a pass; remove ${g.flag} or give the data it needs`);
    for (const f of figures) out.push({ gate: g.flag, figure: f.figure, value: f.value, threshold, n: f.n, passed: g.max ? f.value <= threshold : f.value >= threshold });
  }
  return out;
}

/** The exit-3 error naming each breached gate, or null when all passed. */
export function gateBreach(gates: readonly GateResult[]): GateBreachedError | null {
  const breached = gates.filter((g) => !g.passed);
  if (breached.length === 0) return null;
  const parts = breached.map((g) => `${g.gate}: ${g.figure} ${fmt(g.value)} ${g.gate.startsWith('--max') ? '>' : '<'} ${fmt(g.threshold)} (n=${g.n})`);
  return new GateBreachedError(`${breached.length} gate${breached.length === 1 ? '' : 's'} breached: ${parts.join('; ')}`, 'the report above has the figures and their sample sizes');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}
