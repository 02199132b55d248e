/**
 * @file Shared record and prediction types: the contract between pipeline stages.
 * Pure types and tiny helpers only; nothing here does I/O.
 */

/** Severity names, as OpenTelemetry's short names, lowest first. */
export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type Level = (typeof LEVELS)[number];

/** Rank of a level (TRACE=0 .. FATAL=5), for `--min-level` comparisons. */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

/** One log record (a line, or a line plus its continuation lines), header fields split off. */
export interface LogRecord {
  /** File path, `-` for stdin, or `db:<table>` for rows read from PostgreSQL. */
  source: string;
  /** 1-based number of the record's first line in its source (the row id for database rows). */
  line: number;
  /** ISO 8601 time, or null when the record carries none that could be read. */
  time: string | null;
  /** The record's own explicit level, normalised; null when it has none. */
  level: Level | null;
  /** The message: header (time, level, pid, component) removed; continuation lines joined by '\n'. */
  message: string;
  /** Component / logger name when the format carries one. */
  component?: string | null;
  /** HTTP status code, for access-log lines (NCSA common/combined); absent otherwise. */
  status?: number;
  /** Database row id (as text, ids may exceed 2^53) for records read from a table. */
  id?: string;
}

/** What the models say about one record. Fields are null when no model of that task ran. */
export interface Prediction {
  predictedLevel: Level | null;
  levelProbability: number | null;
  anomalyScore: number | null;
  isAnomaly: boolean | null;
}

/**
 * Predictions of a batch as columns (what the scoring thread sends back: typed arrays), read by
 * index; the hot output path reads these without an object per record.
 */
export interface PredictionColumns {
  readonly length: number;
  predictedLevel(i: number): Level | null;
  levelProbability(i: number): number | null;
  anomalyScore(i: number): number | null;
  isAnomaly(i: number): boolean | null;
}

/** Columns over an array of Prediction objects. */
export function predictionColumns(predictions: readonly Prediction[]): PredictionColumns {
  return {
    length: predictions.length,
    predictedLevel: (i) => predictions[i]!.predictedLevel,
    levelProbability: (i) => predictions[i]!.levelProbability,
    anomalyScore: (i) => predictions[i]!.anomalyScore,
    isAnomaly: (i) => predictions[i]!.isAnomaly,
  };
}

/** The ML tasks a model bundle can serve. */
export type ModelTask = 'level' | 'anomaly';

/**
 * Scores messages with one or more loaded models (see src/core/model).
 * `score` keeps order: result i belongs to messages[i]. Batches of any size are accepted.
 */
export interface Scorer {
  /** `name@version` of each model used, in the order level, anomaly. */
  readonly models: readonly string[];
  /**
   * `noveltyKeys[i]` (optional, e.g. the record's template id) names the kind of line whose
   * sightings the novelty part of the anomaly score counts; default: the masked message.
   */
  score(messages: readonly string[], noveltyKeys?: readonly string[]): Promise<Prediction[]>;
  /** The same predictions as columns, when the scorer can give them without objects (the scoring thread). */
  scoreColumns?(messages: readonly string[], noveltyKeys?: readonly string[]): Promise<PredictionColumns>;
  /** Count messages as seen (a baseline of normal logs) without scoring them: they stop being novel. */
  observe(messages: readonly string[], noveltyKeys?: readonly string[]): Promise<void>;
  close(): Promise<void>;
  /**
   * A view on the same loaded models and caches whose novelty counts start empty and cover only
   * what is scored through it, so what it returns is what a fresh run would (one request of
   * `logml serve` is one `logml predict` run). Its `close()` forgets those counts and leaves the
   * models loaded. Optional: scorers without it (test fakes) are used as they are.
   */
  scoped?(): Scorer;
  /** Messages looked up in the score cache so far and how many were found there (all views together). */
  cacheStats?(): CacheStats;
}

export interface CacheStats {
  lookups: number;
  hits: number;
}
