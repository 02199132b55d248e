/**
 * @file What `logml retrain` decides, and why: pure functions of measured figures (the drift
 * gates of the production model's window, the candidate's gates on the labeled sample, McNemar's
 * test of candidate against production on that same sample). No I/O; unit tested beside.
 */
import type { GateResult } from '../report/gates.js';
import type { McNemarResult } from '../report/stats.js';

/** The outcomes, each with its exit code (README "Exit codes"). */
export type RetrainDecision = 'promoted' | 'unchanged' | 'registered' | 'skipped-no-drift' | 'skipped-locked';

export const RETRAIN_EXIT: Readonly<Record<RetrainDecision, number>> = {
  promoted: 0,
  // the candidate is byte for byte the production model (a re-run on the same data): nothing to do
  unchanged: 0,
  registered: 4,
  'skipped-no-drift': 5,
  'skipped-locked': 6,
};

export interface DecisionInput {
  /** sha256 of the candidate's bytes. */
  candidateSha256: string;
  /** The production model (name@alias) before this run, or null when the alias points nowhere. */
  production: { ref: string; sha256: string } | null;
  /** McNemar's test, A = production, B = candidate (b: production right, candidate wrong). Null without production. */
  mcnemar: McNemarResult | null;
  /** Sample size of the comparison. */
  n: number;
  alpha: number;
  /** The report's gates, on the candidate's figures on the labeled sample. */
  gates: readonly GateResult[];
}

export interface Decision {
  decision: RetrainDecision;
  /** One sentence per reason, most important first. */
  reasons: string[];
}

const p3 = (p: number) => (p < 0.001 ? p.toExponential(2) : p.toFixed(3));

function gateLine(g: GateResult): string {
  const op = g.gate.startsWith('--max') ? (g.passed ? '<=' : '>') : g.passed ? '>=' : '<';
  return `${g.gate}: ${g.figure} ${Number(g.value.toFixed(4))} ${op} ${g.threshold} (n=${g.n})`;
}

/**
 * Promote only a candidate that passes every gate and is significantly better than production
 * (McNemar p < alpha, and right more often where the two disagree: c > b). With no production
 * model, a candidate that passes the gates is promoted.
 * @example decide({ candidateSha256: 'b', production: { ref: 'lvl@production', sha256: 'a' }, mcnemar: { b: 2, c: 40, statistic: 32.6, pValue: 1e-8, method: 'chi-square' }, n: 500, alpha: 0.05, gates: [] })
 *   // { decision: 'promoted', reasons: ['the candidate is significantly better than lvl@production ...'] }
 */
export function decide(i: DecisionInput): Decision {
  if (i.production && i.production.sha256 === i.candidateSha256) {
    return { decision: 'unchanged', reasons: [`the candidate is the production model already (same bytes as ${i.production.ref}): nothing to promote`] };
  }
  const failed = i.gates.filter((g) => !g.passed);
  const gateReasons = failed.length
    ? [`${failed.length} gate${failed.length === 1 ? '' : 's'} breached: ${failed.map(gateLine).join('; ')}`]
    : i.gates.length
      ? [`gates passed: ${i.gates.map(gateLine).join('; ')}`]
      : [];
  if (!i.production || !i.mcnemar) {
    if (failed.length) return { decision: 'registered', reasons: ['no production model to compare with', ...gateReasons] };
    return { decision: 'promoted', reasons: ['no production model yet: the candidate becomes it', ...gateReasons] };
  }
  const m = i.mcnemar;
  const split = `${m.c} records where only the candidate is right, ${m.b} where only ${i.production.ref} is`;
  let better: string | null = null;
  let notBetter: string | null = null;
  if (m.b + m.c === 0) notBetter = `the candidate and ${i.production.ref} agree on every one of the ${i.n} labeled records`;
  else if (m.pValue >= i.alpha) notBetter = `the candidate is not significantly better than ${i.production.ref} (McNemar p=${p3(m.pValue)} >= ${i.alpha}; ${split}, of ${i.n})`;
  else if (m.c < m.b) notBetter = `the candidate is significantly worse than ${i.production.ref} (McNemar p=${p3(m.pValue)} < ${i.alpha}; ${split}, of ${i.n})`;
  else better = `the candidate is significantly better than ${i.production.ref} (McNemar p=${p3(m.pValue)} < ${i.alpha}; ${split}, of ${i.n})`;
  if (better && !failed.length) return { decision: 'promoted', reasons: [better, ...gateReasons] };
  return { decision: 'registered', reasons: [...(failed.length ? gateReasons : []), ...(notBetter ? [notBetter] : [better!]), ...(failed.length ? [] : gateReasons)] };
}

/**
 * Whether `--when-drift` lets the run go on: true when any drift gate is breached.
 * @example driftBreached([{ gate: '--max-psi', figure: 'level PSI', value: 0.4, threshold: 0.25, n: 900, passed: false }]) // true
 */
export function driftBreached(gates: readonly GateResult[]): boolean {
  return gates.some((g) => !g.passed);
}

/** The sentence for the drift check. */
export function driftReason(gates: readonly GateResult[]): string {
  const breached = gates.filter((g) => !g.passed);
  if (breached.length) return `drift: ${breached.map(gateLine).join('; ')}`;
  return `no drift: ${gates.map(gateLine).join('; ')}`;
}
