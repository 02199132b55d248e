/**
 * @file The decisions made on the models' raw outputs, shared by the scorer and the trainers
 * (a model is measured exactly as it scores): which level a line gets from the level model's
 * probabilities, and how its anomaly score is made.
 */

export const TROUBLE_LEVELS: ReadonlySet<string> = new Set(['WARN', 'ERROR', 'FATAL']);

/** P(WARN) + P(ERROR) + P(FATAL) of the row at `offset`. */
export function troubleShare(probs: ArrayLike<number>, offset: number, labels: readonly string[]): number {
  let t = 0;
  for (let j = 0; j < labels.length; j++) if (TROUBLE_LEVELS.has(labels[j]!)) t += probs[offset + j]!;
  return t;
}

/**
 * Which reading of a line a level model with `readHeadline` goes by: the whole message's row, or
 * its headline's (features/headline.ts) when the headline alone reaches the trouble threshold
 * and the whole message does not. The headline can only lift a line into WARN or above; every
 * other line keeps the whole message's reading. Returns the offset of the chosen row;
 * `headOffset` < 0 when the line has no headline. Without a threshold, 0.5.
 */
export function troubledReading(probs: ArrayLike<number>, wholeOffset: number, headOffset: number, labels: readonly string[], troubleThreshold: number | undefined): number {
  if (headOffset < 0) return wholeOffset;
  const t = troubleThreshold ?? 0.5;
  return troubleShare(probs, headOffset, labels) >= t && troubleShare(probs, wholeOffset, labels) < t ? headOffset : wholeOffset;
}

/**
 * Error mass at which a line counts as fully trouble in the anomaly score: severity =
 * min(1, (P(ERROR) + P(FATAL) + P(WARN) / 2) / SEVERITY_FULL). The level model's probabilities
 * are spread (a statement corpus teaches it that most wordings occur at several levels), so a
 * line whose error mass is 0.6 already reads as plainly wrong.
 */
export const SEVERITY_FULL = 0.6;

/** Severity of one row of level probabilities (see SEVERITY_FULL). */
export function severityOf(probs: ArrayLike<number>, offset: number, labels: readonly string[]): number {
  let mass = 0;
  for (let j = 0; j < labels.length; j++) {
    const l = labels[j];
    if (l === 'ERROR' || l === 'FATAL') mass += probs[offset + j]!;
    else if (l === 'WARN') mass += probs[offset + j]! / 2;
  }
  return Math.min(1, mass / SEVERITY_FULL);
}

/**
 * The anomaly score of a line: `severity x novelty` (novelty = 1 / sqrt(times this masked text
 * was seen in the run, this one included)) joined with the anomaly head's score by noisy-OR:
 * 1 - (1 - severity x novelty) (1 - head). Either part alone when only one model is loaded.
 */
export function combineAnomaly(severity: number | null, head: number | null, seenCount: number): number | null {
  if (severity === null) return head;
  const rare = severity / Math.sqrt(Math.max(1, seenCount));
  return head === null ? rare : 1 - (1 - rare) * (1 - head);
}

/**
 * Default decision threshold on the joined anomaly score when the level model is part of it: a
 * line is flagged on its first sighting when it reads plainly as an error (severity >= 0.7), or
 * when the head and severity together reach it. Measured (bench:quality section 5): at 0.5 the
 * head trained on one system's labels tips a fifth of another supercomputer's routine lines over.
 */
export const JOINED_ANOMALY_THRESHOLD = 0.7;

/**
 * The threshold `is_anomaly` uses: the user's, else the joined default when a level model is
 * loaded, else the anomaly model's own (chosen when it was trained), else 0.5.
 */
export function anomalyThresholdOf(override: number | undefined, hasLevelModel: boolean, headThreshold: number | undefined): number {
  if (override !== undefined) return override;
  if (hasLevelModel) return headThreshold === undefined ? JOINED_ANOMALY_THRESHOLD : Math.max(JOINED_ANOMALY_THRESHOLD, headThreshold);
  return headThreshold ?? 0.5;
}

/**
 * The level decision: with a trouble threshold t (a level model's metadata `threshold`), a line
 * is WARN or above only when P(WARN) + P(ERROR) + P(FATAL) >= t, and then its most probable
 * trouble level; else its most probable other level. Without t: the most probable level.
 * With `weights` (a level model's metadata `levelWeights`), the level within the chosen group is
 * the one with the highest P(level) x weight: the trainer sets them to correct its balanced class
 * prior back to how often each level occurs in real logs, so that a routine line of a system the
 * model never saw reads INFO rather than DEBUG, and an error ERROR rather than FATAL. The weights
 * never move a line between the groups. Returns the chosen class index.
 */
export function decideLevel(probs: ArrayLike<number>, offset: number, labels: readonly string[], troubleThreshold: number | undefined, weights?: readonly number[]): number {
  const c = labels.length;
  let best = 0;
  if (troubleThreshold === undefined) {
    for (let j = 1; j < c; j++) if (probs[offset + j]! > probs[offset + best]!) best = j;
    return best;
  }
  const want = troubleShare(probs, offset, labels) >= troubleThreshold;
  best = -1;
  for (let j = 0; j < c; j++) {
    if (TROUBLE_LEVELS.has(labels[j]!) !== want) continue;
    if (best < 0 || probs[offset + j]! * (weights?.[j] ?? 1) > probs[offset + best]! * (weights?.[best] ?? 1)) best = j;
  }
  return best < 0 ? 0 : best;
}
