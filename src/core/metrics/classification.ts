/**
 * @file Classification metrics computed from (actual, predicted) pairs: accuracy, macro-F1,
 * per-class precision/recall/F1 with support, the confusion matrix; binary precision, recall,
 * F1 and false-positive rate with their counts; Wilson 95% intervals for rates.
 * Every figure carries the sample size it was computed on.
 */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of records whose actual label is this one. */
  support: number;
  /** Number of records predicted as this label. */
  predicted: number;
}

export interface ClassificationReport {
  n: number;
  accuracy: number;
  accuracyCi95: [number, number];
  macroF1: number;
  /** Labels included in the macro average: those present in the actual or the predicted labels. */
  labels: string[];
  perClass: ClassMetrics[];
  /** confusion[i][j] = records of actual labels[i] predicted as labels[j]. */
  confusion: number[][];
}

/** Wilson score interval for `successes` out of `n` at 95% (z = 1.959964). */
export function wilson95(successes: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959963984540054;
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const center = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

function f1Of(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/**
 * Multi-class report. Labels in the macro average are the union of actual and predicted labels
 * (as scikit-learn does by default), ordered by `order` when given, else alphabetically.
 * @example classificationReport(['INFO','WARN'], ['INFO','INFO']).accuracy // 0.5
 */
export function classificationReport(actual: readonly string[], predicted: readonly string[], order?: readonly string[]): ClassificationReport {
  if (actual.length !== predicted.length) throw new Error(`internal: ${actual.length} actual vs ${predicted.length} predicted labels`);
  const present = new Set([...actual, ...predicted]);
  const labels = order ? [...order.filter((l) => present.has(l)), ...[...present].filter((l) => !order.includes(l)).sort()] : [...present].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = index.get(actual[i]!)!;
    const p = index.get(predicted[i]!)!;
    confusion[a]![p]!++;
    if (a === p) correct++;
  }
  const perClass = labels.map((label, i) => {
    const tp = confusion[i]![i]!;
    const support = confusion[i]!.reduce((s, v) => s + v, 0);
    const predictedCount = confusion.reduce((s, row) => s + row[i]!, 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    return { label, precision, recall, f1: f1Of(precision, recall), support, predicted: predictedCount };
  });
  const n = actual.length;
  return {
    n,
    accuracy: n === 0 ? 0 : correct / n,
    accuracyCi95: wilson95(correct, n),
    macroF1: perClass.length === 0 ? 0 : perClass.reduce((s, c) => s + c.f1, 0) / perClass.length,
    labels,
    perClass,
    confusion,
  };
}

export interface BinaryReport {
  n: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** False-positive rate: fp / (fp + tn), with its sample size (fp + tn) and Wilson 95% CI. */
  fpr: number;
  fprCi95: [number, number];
  recallCi95: [number, number];
  precisionCi95: [number, number];
  accuracy: number;
}

/** Binary report, positive class = true. */
export function binaryReport(actual: readonly boolean[], predicted: readonly boolean[]): BinaryReport {
  if (actual.length !== predicted.length) throw new Error(`internal: ${actual.length} actual vs ${predicted.length} predicted labels`);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i]) predicted[i] ? tp++ : fn++;
    else predicted[i] ? fp++ : tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    n: actual.length,
    tp, fp, tn, fn,
    precision,
    recall,
    f1: f1Of(precision, recall),
    fpr: fp + tn === 0 ? 0 : fp / (fp + tn),
    fprCi95: wilson95(fp, fp + tn),
    recallCi95: wilson95(tp, tp + fn),
    precisionCi95: wilson95(tp, tp + fp),
    accuracy: actual.length === 0 ? 0 : (tp + tn) / actual.length,
  };
}

/**
 * Area under the ROC curve of `scores` for the positive class (`actual` true): the chance that a
 * random positive scores above a random negative, ties counting half (Mann-Whitney U / n+ n-).
 * Threshold-free, so it separates how well a model ranks lines from where its threshold sits.
 * Null when either class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, actual: readonly boolean[]): number | null {
  if (scores.length !== actual.length) throw new Error(`internal: ${scores.length} scores vs ${actual.length} labels`);
  const order = Array.from(actual, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based; tied scores share their mean rank
    for (let k = i; k <= j; k++) if (actual[order[k]!]) { pos++; rankSum += midRank; }
    i = j + 1;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * The best F1 any single threshold on `scores` reaches (score >= threshold is positive), and that
 * threshold: an upper bound on what re-thresholding alone could do on these data.
 */
export function bestThresholdF1(scores: ArrayLike<number>, actual: readonly boolean[]): { f1: number; threshold: number } {
  const order = Array.from(actual, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const positives = actual.filter(Boolean).length;
  let best = { f1: 0, threshold: Infinity };
  let tp = 0;
  for (let i = 0; i < order.length; i++) {
    if (actual[order[i]!]) tp++;
    // only cut between distinct scores: every line at or above the threshold is called positive
    if (i + 1 < order.length && scores[order[i + 1]!] === scores[order[i]!]) continue;
    const f1 = (2 * tp) / (i + 1 + positives);
    if (f1 > best.f1) best = { f1, threshold: scores[order[i]!]! };
  }
  return best;
}
