/**
 * @file The HTTP status bounds of an access record (NCSA, JSON access logs, W3C): the level
 * model reads the request text, where the status is a number that masking hides, yet the status
 * is the request's outcome. A 5xx record is predicted ERROR at least; a 1xx-3xx record INFO at
 * most (a URL or a message the model misreads, such as Caddy's "handled request", does not make
 * a served request trouble). 4xx stays with the model (clients' mistakes, mostly routine). Where
 * a bound moved the level, the model's probability is not that of the level shown, so
 * `level_probability` is null. The anomaly score is the scorer's, unchanged.
 */
import { levelRank, type Level, type LogRecord, type PredictionColumns } from '../types.js';

const ERROR_RANK = levelRank('ERROR');
const INFO_RANK = levelRank('INFO');

/** The level an access record's status bounds `level` to, or null when it stays. */
function bounded(status: number | undefined, level: Level | null): Level | null {
  if (status === undefined || level === null) return null;
  if (status >= 500 && status <= 599) return levelRank(level) < ERROR_RANK ? 'ERROR' : null;
  if (status >= 100 && status <= 399) return levelRank(level) > INFO_RANK ? 'INFO' : null;
  return null;
}

/** The predictions with each access record's level held within its status's bounds (the same object when no record has a status). */
export function withStatusBounds(predictions: PredictionColumns, records: readonly LogRecord[]): PredictionColumns {
  let any = false;
  for (let i = 0; i < records.length && !any; i++) any = records[i]!.status !== undefined;
  if (!any) return predictions;
  const moved = (i: number) => bounded(records[i]!.status, predictions.predictedLevel(i));
  return {
    length: predictions.length,
    predictedLevel: (i) => moved(i) ?? predictions.predictedLevel(i),
    levelProbability: (i) => (moved(i) !== null ? null : predictions.levelProbability(i)),
    anomalyScore: (i) => predictions.anomalyScore(i),
    isAnomaly: (i) => predictions.isAnomaly(i),
  };
}
