/**
 * @file The HTTP status floor: an access record (NCSA, JSON access log, W3C) whose status code is
 * 5xx is predicted ERROR at least. The level model reads the request text, where the status is
 * a number that masking hides; a 500 is the request's outcome, not something its wording says.
 * The record's model probability is then not that of the level shown, so `level_probability` is
 * null for a raised record. 4xx stays with the model (clients' mistakes, mostly routine).
 * The anomaly score is the scorer's, unchanged.
 */
import { levelRank, type Level, type LogRecord, type PredictionColumns } from '../types.js';

const ERROR_RANK = levelRank('ERROR');

const isServerError = (r: LogRecord) => r.status !== undefined && r.status >= 500 && r.status <= 599;

/** The predictions with 5xx access records raised to ERROR (the same object when none is). */
export function withStatusFloor(predictions: PredictionColumns, records: readonly LogRecord[]): PredictionColumns {
  let any = false;
  for (let i = 0; i < records.length && !any; i++) any = isServerError(records[i]!);
  if (!any) return predictions;
  const raised = (i: number): boolean => {
    if (!isServerError(records[i]!)) return false;
    const level = predictions.predictedLevel(i);
    return level !== null && levelRank(level) < ERROR_RANK;
  };
  return {
    length: predictions.length,
    predictedLevel: (i): Level | null => (raised(i) ? 'ERROR' : predictions.predictedLevel(i)),
    levelProbability: (i) => (raised(i) ? null : predictions.levelProbability(i)),
    anomalyScore: (i) => predictions.anomalyScore(i),
    isAnomaly: (i) => predictions.isAnomaly(i),
  };
}
