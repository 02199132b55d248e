/**
 * @file Pure statistics for `report` and `compare`: percentiles (as PostgreSQL's
 * percentile_cont), PSI and Jensen-Shannon distance over categorical counts, Kolmogorov-Smirnov
 * and Wasserstein-1 over binned scores or a quantile-defined reference, McNemar's test.
 * No I/O; every function is known-answer tested in stats.test.ts.
 */

/**
 * Shares below this replace empty bins in PSI (whose log ratio is infinite at 0), as is common
 * practice; the other shares are left as they are (no renormalisation).
 */
export const PSI_EPSILON = 1e-4;

/** Number of equal-width bins on [0, 1] that score distributions are kept in (resolution 0.001). */
export const SCORE_BINS = 1000;

/**
 * Percentile by linear interpolation between closest ranks, as PostgreSQL's percentile_cont.
 * @example percentile([1, 2, 3, 4], 0.5) // 2.5
 */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Counts to shares over `keys` (missing keys count 0). */
export function shares(counts: Readonly<Record<string, number>>, keys: readonly string[]): number[] {
  const total = keys.reduce((s, k) => s + (counts[k] ?? 0), 0);
  return keys.map((k) => (total === 0 ? 0 : (counts[k] ?? 0) / total));
}

/**
 * Population stability index of `actual` shares against `expected` shares (same order):
 * sum (a - e) * ln(a / e), with empty shares replaced by PSI_EPSILON.
 * @example psi([0.5, 0.5], [0.25, 0.75]) // 0.2747
 */
export function psi(actual: readonly number[], expected: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = Math.max(actual[i]!, PSI_EPSILON);
    const e = Math.max(expected[i]!, PSI_EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/**
 * Jensen-Shannon distance (square root of the divergence, log base 2, so 0..1), as scipy's
 * `jensenshannon(p, q, base=2)`. Empty shares need no epsilon (0 * log 0 = 0).
 * @example jsDistance([1, 0], [0, 1]) // 1
 */
export function jsDistance(p: readonly number[], q: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    if (p[i]! > 0) d += 0.5 * p[i]! * Math.log2(p[i]! / m);
    if (q[i]! > 0) d += 0.5 * q[i]! * Math.log2(q[i]! / m);
  }
  return Math.sqrt(Math.max(0, d));
}

/** Bin index of a score in SCORE_BINS equal bins over [0, 1] (values outside are clamped). */
export function scoreBin(score: number, bins = SCORE_BINS): number {
  if (!(score > 0)) return 0;
  if (score >= 1) return bins - 1;
  return Math.min(bins - 1, Math.floor(score * bins));
}

/** CDF of a binned distribution at each bin's right edge. */
export function binnedCdf(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Array<number>(counts.length);
  let run = 0;
  for (let i = 0; i < counts.length; i++) {
    run += counts[i]!;
    out[i] = total === 0 ? 0 : run / total;
  }
  return out;
}

/**
 * CDF at `x` of a distribution known only by quantiles (`qs[j]` is the `ps[j]` quantile),
 * linear between quantiles; ties jump to the highest p with that value.
 * @example quantileCdf([0, 1], [0, 1], 0.3) // 0.3 (uniform)
 */
export function quantileCdf(qs: readonly number[], ps: readonly number[], x: number): number {
  if (qs.length === 0 || x < qs[0]!) return 0;
  if (x >= qs[qs.length - 1]!) return 1;
  let j = 0;
  while (j + 1 < qs.length && qs[j + 1]! <= x) j++;
  const q0 = qs[j]!, q1 = qs[j + 1]!;
  return ps[j]! + ((ps[j + 1]! - ps[j]!) * (x - q0)) / (q1 - q0);
}

/** Both CDFs evaluated at the same grid points x_0..x_{k-1} with spacing `dx`. */
export interface CdfPair {
  current: readonly number[];
  reference: readonly number[];
  dx: number;
}

/** Kolmogorov-Smirnov statistic: the largest gap between the two CDFs on the grid. */
export function ksStatistic(c: CdfPair): number {
  let d = 0;
  for (let i = 0; i < c.current.length; i++) d = Math.max(d, Math.abs(c.current[i]! - c.reference[i]!));
  return d;
}

/** Wasserstein-1 (earth mover's) distance: the integral of |F - G| over the grid. */
export function wasserstein1(c: CdfPair): number {
  let s = 0;
  for (let i = 0; i < c.current.length; i++) s += Math.abs(c.current[i]! - c.reference[i]!) * c.dx;
  return s;
}

/**
 * Asymptotic p-value of a KS statistic `d` with effective sample size `ne` (n for one sample
 * against a fixed reference, n1*n2/(n1+n2) for two samples), with Stephens' correction.
 */
export function ksPValue(d: number, ne: number): number {
  if (ne <= 0) return 1;
  const sq = Math.sqrt(ne);
  const lambda = (sq + 0.12 + 0.11 / sq) * d;
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** Complementary error function (Numerical Recipes erfcc, fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export interface McNemarResult {
  /** A right, B wrong. */
  b: number;
  /** A wrong, B right. */
  c: number;
  method: 'exact binomial' | 'chi-square with continuity correction';
  /** Chi-square statistic, or for the exact test min(b, c). */
  statistic: number;
  pValue: number;
}

/** Below this many disagreements (b + c) McNemar uses the exact binomial test. */
export const MCNEMAR_EXACT_BELOW = 25;

/**
 * McNemar's test on the disagreements of two classifiers on the same sample: exact two-sided
 * binomial (p = 1/2) when b + c < 25, else chi-square (|b - c| - 1)^2 / (b + c) with 1 df.
 * @example mcnemar(10, 2).pValue // 0.0386 (exact)
 */
export function mcnemar(b: number, c: number): McNemarResult {
  const n = b + c;
  if (n < MCNEMAR_EXACT_BELOW) {
    const k = Math.min(b, c);
    // sum of C(n, i) / 2^n for i <= k, in logs to stay exact enough for any n here
    let tail = 0;
    let logC = 0; // log C(n, 0)
    for (let i = 0; i <= k; i++) {
      if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
      tail += Math.exp(logC - n * Math.LN2);
    }
    return { b, c, method: 'exact binomial', statistic: k, pValue: n === 0 ? 1 : Math.min(1, 2 * tail) };
  }
  const chi2 = (Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, method: 'chi-square with continuity correction', statistic: chi2, pValue: erfc(Math.sqrt(chi2 / 2)) };
}
