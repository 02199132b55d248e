/**
 * @file The scoring pipeline behind `logml predict`: record stream -> scorer (+ template miner)
 * -> filters -> writer. Streams in batches (memory stays flat for any input size), keeps up to
 * three batches being scored while the next is parsed, writes in input order, stops quietly when
 * the reader of the output goes away, and returns counts for the command to report.
 * Never touches the terminal: the caller passes the output stream.
 */
import type { Readable, Writable } from 'node:stream';
import { noSkips, type SkipCounts } from '../io/line-splitter.js';
import { ByteSink } from '../io/byte-sink.js';
import { createWriter, type OutputFormat } from '../io/writers.js';
import type { InputFormat } from '../parse/index.js';
import { withStatusBounds } from './status-bounds.js';
import { levelRank, predictionColumns, type Level, type LogRecord, type Prediction, type PredictionColumns, type Scorer } from '../types.js';
import { checkSomethingRead, openRecordStream } from './records.js';

export { checkInputs } from './records.js';

export interface PredictOptions {
  inputs: string[];
  inputFormat: InputFormat | 'auto';
  follow: boolean;
  output: OutputFormat;
  onlyAnomalies: boolean;
  minLevel: Level | null;
  /** Records scored per model call. */
  batchSize: number;
  maxLineBytes?: number;
  /** Follow mode ends when this aborts (SIGINT/SIGTERM in the CLI). */
  signal?: AbortSignal;
  /** Optional template stage: gives each record its template id and text. */
  templates?: TemplateStage | null;
  /** Called with the number of records scored so far, after each batch (progress lines). */
  onProgress?: ((records: number) => void) | undefined;
}

/** Assigns template ids, in record order (a miner learns as it goes); `params` when asked for. */
export interface TemplateStage {
  readonly params?: boolean;
  assign(messages: readonly string[]): Array<{ id: string; text: string; params?: string[] | null }>;
}

export interface PredictIO {
  stdout: Writable;
  stdin?: Readable;
}

export interface PredictSummary {
  records: number;
  written: number;
  skipped: SkipCounts;
  emptyInputs: string[];
  /** True when the output's reader went away before the end (e.g. `| head`). */
  outputClosed: boolean;
}

const MAX_IN_FLIGHT = 3;
/** Characters of messages in flight at most (beyond one batch): long lines are held on both threads while scored. */
const MAX_IN_FLIGHT_CHARS = 2 * 1024 * 1024;

export async function runPredict(options: PredictOptions, scorer: Scorer, io: PredictIO): Promise<PredictSummary> {
  const { batches, stats } = await openRecordStream({ ...options, stdin: io.stdin });
  const score: ScoreFn = (records, templates) => {
    const messages = records.map((r) => r.message);
    const keys = templates?.map((t) => t.id);
    return scorer.scoreColumns ? scorer.scoreColumns(messages, keys) : scorer.score(messages, keys);
  };
  const summary = await scoreRecords(batches, score, scorer.models, options, io.stdout);
  summary.skipped = stats.skipped;
  summary.emptyInputs = stats.emptyInputs;
  if (!summary.outputClosed && !options.signal?.aborted) checkSomethingRead(stats, options.inputs, summary.records, 'score');
  return summary;
}

/**
 * Read `paths` (logs of a normal period) and count their records as seen by the scorer (by
 * template when `templates` is given), so
 * their kinds of line are no longer novel when the real input is scored. Returns the count.
 */
export async function observeBaseline(paths: readonly string[], inputFormat: InputFormat | 'auto', scorer: Scorer, batchSize: number, templates: TemplateStage | null = null): Promise<number> {
  const { batches } = await openRecordStream({ inputs: paths, inputFormat, follow: false, batchSize });
  let n = 0;
  for await (const records of batches) {
    const messages = records.map((r) => r.message);
    // with the template stage on, the miner learns the baseline's templates and novelty counts them
    await scorer.observe(messages, templates?.assign(messages).map((t) => t.id));
    n += records.length;
  }
  return n;
}

/** Scores a batch; `templates` (same order) when the template stage is on, for stores that keep them. */
export type ScoreFn = (records: LogRecord[], templates: ReadonlyArray<{ id: string; text: string }> | null) => Promise<Prediction[] | PredictionColumns>;
export type ScoreRecordsOptions = Pick<PredictOptions, 'follow' | 'output' | 'onlyAnomalies' | 'minLevel' | 'templates' | 'onProgress'>;

/**
 * The back half of every predict: batches of records -> score -> filters -> writer, in input
 * order, with up to MAX_IN_FLIGHT batches being scored while the next one is read. Used for files
 * and pipes (runPredict) and for database ranges (src/core/db).
 */
export async function scoreRecords(batches: AsyncIterable<LogRecord[]>, score: ScoreFn, models: readonly string[], options: ScoreRecordsOptions, stdout: Writable): Promise<PredictSummary> {
  const sink = new ByteSink(stdout, options.follow);
  const writer = createWriter(options.output, sink, { models, templates: Boolean(options.templates), params: Boolean(options.templates?.params) });
  const summary: PredictSummary = { records: 0, written: 0, skipped: noSkips(), emptyInputs: [], outputClosed: false };
  const minRank = options.minLevel ? levelRank(options.minLevel) : -1;

  // Writes stay in input order: each batch's write is chained on the previous one's.
  const inFlight: Array<Promise<void>> = [];
  const inFlightChars: number[] = [];
  let chain: Promise<void> = Promise.resolve();
  function submit(records: LogRecord[]): void {
    let chars = 0;
    for (let i = 0; i < records.length; i++) chars += records[i]!.message.length;
    inFlightChars.push(chars);
    const templates = options.templates ? options.templates.assign(records.map((r) => r.message)) : null;
    const scoring = score(records, templates);
    scoring.catch(() => undefined); // observed through the chain below
    chain = chain.then(async () => {
      const scored = await scoring;
      const predictions = withStatusBounds(Array.isArray(scored) ? predictionColumns(scored) : (scored as PredictionColumns), records);
      summary.records += records.length;
      options.onProgress?.(summary.records);
      let keep: number[] | null = null;
      if (options.onlyAnomalies || minRank >= 0) {
        keep = [];
        for (let i = 0; i < records.length; i++) {
          if (options.onlyAnomalies && predictions.isAnomaly(i) !== true) continue;
          if (minRank >= 0) {
            const effective = predictions.predictedLevel(i) ?? records[i]!.level;
            if (!effective || levelRank(effective) < minRank) continue;
          }
          keep.push(i);
        }
      }
      summary.written += keep ? keep.length : records.length;
      if (!sink.closed) await writer.write({ records, predictions, templates, keep });
    });
    chain.catch(() => undefined);
    inFlight.push(chain);
  }
  const settleOne = async () => {
    inFlightChars.shift();
    await inFlight.shift();
  };
  const drain = async () => {
    while (inFlight.length > 0) await settleOne();
  };
  const overBudget = () => inFlight.length >= MAX_IN_FLIGHT || (inFlight.length > 1 && inFlightChars.reduce((a, b) => a + b, 0) > MAX_IN_FLIGHT_CHARS);

  try {
    for await (const records of batches) {
      submit(records);
      if (options.follow) await drain(); // follow: every record out as soon as it is read
      while (overBudget()) await settleOne();
      if (sink.closed) break;
    }
  } finally {
    // on damaged input too: what was read before the damage is written before the error
    await drain();
    await writer.end();
  }
  summary.outputClosed = sink.closed;
  return summary;
}
