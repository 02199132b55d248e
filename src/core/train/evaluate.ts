/**
 * @file Honest evaluation of a loaded model on labeled records: the model runs in onnxruntime
 * exactly as in `predict`; figures come with their sample sizes. Records without the label the
 * task needs are counted as unlabeled and left out of the figures.
 */
import { UsageError } from '../errors.js';
import { binaryReport, classificationReport, type BinaryReport, type ClassificationReport } from '../metrics/index.js';
import type { LoadedModel } from '../model/load.js';
import { TROUBLE_LEVELS } from '../model/decision.js';
import { createScorer } from '../model/scorer.js';
import { LEVELS } from '../types.js';
import type { LabeledMessage } from './trainers.js';

export type Evaluation =
  | { task: 'level'; model: string; n: number; unlabeled: number; report: ClassificationReport; trouble: BinaryReport }
  | { task: 'anomaly'; model: string; n: number; unlabeled: number; threshold: number; report: BinaryReport };

/** Records per scoring call. */
const EVAL_BATCH = 4096;

export async function evaluateModel(model: LoadedModel, data: readonly LabeledMessage[]): Promise<Evaluation> {
  const scorer = createScorer([model]);
  const task = model.meta.task;
  const labeled = data.filter((d) => (task === 'level' ? Boolean(d.level) : d.anomaly === true || d.anomaly === false));
  const unlabeled = data.length - labeled.length;
  if (labeled.length === 0) {
    throw new UsageError(
      `no records with ${task === 'level' ? 'a level' : 'an anomaly label'} to evaluate ${model.ref} on (${data.length} records read)`,
      task === 'level' ? 'use logs whose lines carry levels, or a CSV with a level column' : 'use a CSV with an anomaly label column (--label-column)',
    );
  }
  // in batches, as predict scores: one call over a whole sample pads every row to its longest message
  const predictions = [];
  for (let i = 0; i < labeled.length; i += EVAL_BATCH) predictions.push(...(await scorer.score(labeled.slice(i, i + EVAL_BATCH).map((d) => d.message))));
  if (task === 'level') {
    const report = classificationReport(labeled.map((d) => d.level!), predictions.map((p) => p.predictedLevel!), LEVELS);
    // the decision most users act on (--min-level WARN, alerts): WARN or above against below
    const trouble = binaryReport(labeled.map((d) => TROUBLE_LEVELS.has(d.level!)), predictions.map((p) => TROUBLE_LEVELS.has(p.predictedLevel!)));
    return { task, model: model.ref, n: labeled.length, unlabeled, report, trouble };
  }
  const report = binaryReport(labeled.map((d) => d.anomaly === true), predictions.map((p) => p.isAnomaly === true));
  return { task, model: model.ref, n: labeled.length, unlabeled, threshold: model.meta.threshold ?? 0.5, report };
}
