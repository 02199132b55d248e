/**
 * @file Drift of the current window against a reference (the training profile stored in a model,
 * or a baseline window): predicted levels and templates by PSI and Jensen-Shannon distance (plus
 * new and vanished templates), anomaly scores by Kolmogorov-Smirnov and Wasserstein-1.
 * Pure: takes Snapshots and profiles, returns figures with their sample sizes.
 */
import type { ReferenceProfile } from '../model/bundle.js';
import type { Snapshot } from './snapshot.js';
import { binnedCdf, jsDistance, ksPValue, ksStatistic, psi, quantileCdf, SCORE_BINS, shares, wasserstein1, type CdfPair } from './stats.js';

export type DriftStatus = 'ok' | 'warn' | 'alert';

/** Status thresholds; defaults from common practice (PSI 0.1 warn / 0.25 alert; JS 0.1; KS 0.1). */
export interface DriftThresholds {
  psiWarn: number;
  psiAlert: number;
  jsAlert: number;
  ksAlert: number;
}
export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = { psiWarn: 0.1, psiAlert: 0.25, jsAlert: 0.1, ksAlert: 0.1 };

/** The quantile levels `logml train` stores in referenceProfile.scoreQuantiles. */
export const PROFILE_QUANTILE_LEVELS = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];

export type Reference =
  | { kind: 'profile'; description: string; profiles: Array<{ model: string; profile: ReferenceProfile }> }
  | { kind: 'baseline'; description: string; snapshot: Snapshot };

export interface CategoricalDrift {
  /** Current records counted. */
  n: number;
  referenceN: number;
  psi: number;
  js: number;
  status: DriftStatus;
  categories: Array<{ key: string; reference: number; current: number }>;
}

export interface TemplateDrift extends CategoricalDrift {
  newTemplates: Array<{ id: string; count: number; template: string | null }>;
  vanishedTemplates: Array<{ id: string; referenceCount: number; template: string | null }>;
  newCount: number;
  vanishedCount: number;
}

export interface ScoreDrift {
  n: number;
  referenceN: number;
  ks: number;
  ksPValue: number;
  wasserstein: number;
  status: DriftStatus;
  /** How the reference was known, e.g. "15 stored quantiles (approximate)". */
  method: string;
  /** Shares in 20 equal bins over [0, 1], for charts. */
  referenceHistogram: number[];
  currentHistogram: number[];
}

export interface DriftReport {
  reference: { kind: Reference['kind']; description: string };
  thresholds: DriftThresholds;
  level: CategoricalDrift | null;
  template: TemplateDrift | null;
  score: ScoreDrift | null;
  notes: string[];
}

function statusOf(psiValue: number, js: number, t: DriftThresholds): DriftStatus {
  if (psiValue >= t.psiAlert || js >= t.jsAlert) return 'alert';
  if (psiValue >= t.psiWarn) return 'warn';
  return 'ok';
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** PSI and JS between two count tables over the union of their keys. */
export function categoricalDrift(current: Readonly<Record<string, number>>, reference: Readonly<Record<string, number>>, referenceN: number, t: DriftThresholds): CategoricalDrift {
  const keys = [...new Set([...Object.keys(reference), ...Object.keys(current)])].sort();
  const cur = shares(current, keys);
  const ref = shares(reference, keys);
  const p = psi(cur, ref);
  const js = jsDistance(cur, ref);
  return { n: sum(Object.values(current)), referenceN, psi: p, js, status: statusOf(p, js, t), categories: keys.map((key, i) => ({ key, reference: ref[i]!, current: cur[i]! })) };
}

function to20(bins: ArrayLike<number>): number[] {
  const out = new Array<number>(20).fill(0);
  const per = bins.length / 20;
  let total = 0;
  for (let i = 0; i < bins.length; i++) {
    out[Math.floor(i / per)]! += bins[i]!;
    total += bins[i]!;
  }
  return out.map((v) => (total === 0 ? 0 : v / total));
}

/** Score drift of current binned scores against a baseline's binned scores. */
export function scoreDriftBinned(current: Snapshot, reference: Snapshot, t: DriftThresholds): ScoreDrift {
  const pair: CdfPair = { current: binnedCdf(current.scoreBins), reference: binnedCdf(reference.scoreBins), dx: 1 / SCORE_BINS };
  const ks = ksStatistic(pair);
  const ne = (current.scoreN * reference.scoreN) / (current.scoreN + reference.scoreN);
  return {
    n: current.scoreN,
    referenceN: reference.scoreN,
    ks,
    ksPValue: ksPValue(ks, ne),
    wasserstein: wasserstein1(pair),
    status: ks >= t.ksAlert ? 'alert' : 'ok',
    method: `two samples, scores in ${SCORE_BINS} bins over [0, 1]`,
    referenceHistogram: to20(reference.scoreBins),
    currentHistogram: to20(current.scoreBins),
  };
}

/** Score drift against a reference known only by its stored quantiles (the model's training profile). */
export function scoreDriftQuantiles(current: Snapshot, quantiles: readonly number[], referenceN: number, histogram20: readonly number[] | undefined, t: DriftThresholds): ScoreDrift {
  const ps = quantiles.length === PROFILE_QUANTILE_LEVELS.length ? PROFILE_QUANTILE_LEVELS : quantiles.map((_, i) => i / (quantiles.length - 1));
  const grid = Array.from({ length: SCORE_BINS }, (_, i) => (i + 1) / SCORE_BINS);
  const pair: CdfPair = { current: binnedCdf(current.scoreBins), reference: grid.map((x) => quantileCdf(quantiles, ps, x)), dx: 1 / SCORE_BINS };
  const ks = ksStatistic(pair);
  const refHist = histogram20 && histogram20.length === 20 ? histogram20.map((v) => v / Math.max(1, sum(histogram20))) : pair.reference.filter((_, i) => (i + 1) % 50 === 0).map((v, i, a) => v - (i === 0 ? 0 : a[i - 1]!));
  return {
    n: current.scoreN,
    referenceN,
    ks,
    ksPValue: ksPValue(ks, current.scoreN),
    wasserstein: wasserstein1(pair),
    status: ks >= t.ksAlert ? 'alert' : 'ok',
    method: `against the ${quantiles.length} training quantiles stored in the model (approximate: linear between quantiles)`,
    referenceHistogram: refHist,
    currentHistogram: to20(current.scoreBins),
  };
}

/** All drift figures that the data allows; what cannot be computed is said in `notes`. */
export function computeDrift(current: Snapshot, reference: Reference, t: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS): DriftReport {
  const notes: string[] = [];
  let level: CategoricalDrift | null = null;
  let template: TemplateDrift | null = null;
  let score: ScoreDrift | null = null;
  const curLevelN = sum(Object.values(current.levels));
  if (reference.kind === 'baseline') {
    const ref = reference.snapshot;
    const refLevelN = sum(Object.values(ref.levels));
    if (curLevelN > 0 && refLevelN > 0) level = categoricalDrift(current.levels, ref.levels, refLevelN, t);
    else notes.push(`level drift: no predicted levels in the ${curLevelN === 0 ? 'current window' : 'baseline'}`);
    if (current.templates && ref.templates) {
      const base = categoricalDrift(current.templates, ref.templates, sum(Object.values(ref.templates)), t);
      const fresh = Object.entries(current.templates).filter(([id]) => !(id in ref.templates!)).sort((a, b) => b[1] - a[1]);
      const gone = Object.entries(ref.templates).filter(([id]) => !(id in current.templates!)).sort((a, b) => b[1] - a[1]);
      template = {
        ...base,
        categories: [...base.categories].sort((a, b) => Math.abs(b.current - b.reference) - Math.abs(a.current - a.reference)).slice(0, 20),
        newTemplates: fresh.slice(0, 20).map(([id, count]) => ({ id, count, template: current.templateText[id] ?? null })),
        vanishedTemplates: gone.slice(0, 20).map(([id, referenceCount]) => ({ id, referenceCount, template: ref.templateText[id] ?? null })),
        newCount: fresh.length,
        vanishedCount: gone.length,
      };
    } else notes.push('template drift: template ids missing in the current window or the baseline');
    if (current.scoreN > 0 && ref.scoreN > 0) score = scoreDriftBinned(current, ref, t);
    else notes.push('score drift: no anomaly scores in the current window or the baseline');
  } else {
    const levelProfile = reference.profiles.find((p) => p.profile.predictedLabelShares);
    const scoreProfile = reference.profiles.find((p) => p.profile.scoreQuantiles && p.profile.scoreQuantiles.length >= 2);
    if (levelProfile && curLevelN > 0) level = categoricalDrift(current.levels, levelProfile.profile.predictedLabelShares!, levelProfile.profile.n, t);
    else notes.push(levelProfile ? 'level drift: no predicted levels in the current window' : 'level drift: no model given with a predicted-level profile (a level model)');
    notes.push('template drift: the training profile holds no template distribution; use a baseline window for template drift');
    if (scoreProfile && current.scoreN > 0) {
      score = scoreDriftQuantiles(current, scoreProfile.profile.scoreQuantiles!, scoreProfile.profile.n, scoreProfile.profile.scoreHistogram, t);
      notes.push('score drift is measured against the training quantiles stored in the model, not the training scores themselves');
    } else notes.push(scoreProfile ? 'score drift: no anomaly scores in the current window' : 'score drift: no model given with a score profile (an anomaly model)');
  }
  return { reference: { kind: reference.kind, description: reference.description }, thresholds: t, level, template, score, notes };
}
