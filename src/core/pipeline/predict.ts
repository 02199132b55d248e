/**
 * @file The scoring pipeline behind `logml predict`: line sources -> record parser -> scorer ->
 * filters -> writer. Streams in batches (memory stays flat for any input size), stops quietly
 * when the reader of the output goes away, and returns counts for the command to report.
 * Never touches the terminal: the caller passes the output stream.
 */
import type { Readable, Writable } from 'node:stream';
import { InputError } from '../errors.js';
import { checkInputPath, openLineSource, type LineSource } from '../io/line-source.js';
import { totalSkipped, type SkipCounts } from '../io/line-splitter.js';
import { createSink } from '../io/sink.js';
import { createWriter, type OutputFormat, type ScoredRecord } from '../io/writers.js';
import { createRecordParser, type InputFormat } from '../parse/index.js';
import { levelRank, type Level, type LogRecord, type Scorer } from '../types.js';

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
}

export interface TemplateStage {
  assign(messages: readonly string[]): Array<{ id: string; text: string }>;
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

/** Check that every input path exists and is a readable file (stdin '-' always passes). */
export async function checkInputs(paths: readonly string[]): Promise<void> {
  for (const path of paths) if (path !== '-') await checkInputPath(path);
}

export async function runPredict(options: PredictOptions, scorer: Scorer, io: PredictIO): Promise<PredictSummary> {
  if (options.follow && options.inputs.some((p) => p === '-')) {
    // stdin is followed by nature; --follow only changes files
  }
  // open (and so check) every input before writing anything
  const sources: Array<{ path: string; source: LineSource }> = [];
  for (const path of options.inputs) {
    sources.push({ path, source: await openLineSource({ path, follow: options.follow && path !== '-', maxLineBytes: options.maxLineBytes, signal: options.signal, stdin: io.stdin }) });
  }
  const sink = createSink(io.stdout, { flushEachWrite: options.follow });
  const writer = createWriter(options.output, sink, { models: scorer.models, templates: Boolean(options.templates) });
  const summary: PredictSummary = { records: 0, written: 0, skipped: { invalidUtf8: 0, nulBytes: 0, tooLong: 0 }, emptyInputs: [], outputClosed: false };
  const minRank = options.minLevel ? levelRank(options.minLevel) : -1;

  let pending: LogRecord[] = [];
  // Up to MAX_IN_FLIGHT batches are being scored while the next one is parsed; writes stay in
  // input order because each batch's write is chained on the previous one's.
  const MAX_IN_FLIGHT = 3;
  const inFlight: Array<Promise<void>> = [];
  let chain: Promise<void> = Promise.resolve();
  function submit(records: LogRecord[]): void {
    if (records.length === 0) return;
    const scoring = scorer.score(records.map((r) => r.message));
    scoring.catch(() => undefined); // observed through the chain below
    const templates = options.templates ? options.templates.assign(records.map((r) => r.message)) : null;
    chain = chain.then(async () => {
      const predictions = await scoring;
      summary.records += records.length;
      const rows: ScoredRecord[] = [];
      for (let i = 0; i < records.length; i++) {
        const p = predictions[i]!;
        if (options.onlyAnomalies && p.isAnomaly !== true) continue;
        if (minRank >= 0) {
          const effective = p.predictedLevel ?? records[i]!.level;
          if (!effective || levelRank(effective) < minRank) continue;
        }
        rows.push({ record: records[i]!, prediction: p, template: templates ? templates[i]! : null });
      }
      summary.written += rows.length;
      if (!sink.closed) await writer.write(rows);
    });
    chain.catch(() => undefined);
    inFlight.push(chain);
  }
  async function scoreAndWrite(records: LogRecord[]): Promise<void> {
    submit(records);
    while (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
  }
  async function drain(): Promise<void> {
    while (inFlight.length > 0) await inFlight.shift();
  }

  for (const { path, source } of sources) {
    if (sink.closed) break;
    const parser = createRecordParser({ source: path, format: options.inputFormat });
    let lines = 0;
    try {
      for await (const batch of source.batches) {
        lines += batch.lines.length;
        if (batch.lines.length === 0) {
          // an idle tick in follow mode: emit what is pending now, so it is not held back
          pending.push(...parser.flush());
        } else {
          for (let i = 0; i < batch.lines.length; i++) {
            const done = parser.push(batch.lines[i]!, batch.lineNos[i]!);
            for (let j = 0; j < done.length; j++) pending.push(done[j]!);
          }
        }
        if (pending.length >= options.batchSize || (options.follow && pending.length > 0)) {
          await scoreAndWrite(pending);
          pending = [];
          if (options.follow) await drain(); // follow: every record out as soon as it is read
        }
        if (sink.closed) break;
      }
    } catch (err) {
      // damaged input (e.g. a truncated .gz): what was read before the damage is still written
      pending.push(...parser.flush());
      await scoreAndWrite(pending);
      await drain();
      await writer.end();
      throw err;
    }
    pending.push(...parser.flush());
    await scoreAndWrite(pending);
    await drain();
    pending = [];
    for (const key of Object.keys(summary.skipped) as Array<keyof SkipCounts>) summary.skipped[key] += source.skipped[key];
    if (lines === 0 && totalSkipped(source.skipped) === 0) summary.emptyInputs.push(path);
  }
  await writer.end();
  summary.outputClosed = sink.closed;
  if (summary.emptyInputs.length === options.inputs.length && !summary.outputClosed && !options.signal?.aborted) {
    const names = summary.emptyInputs.map((p) => (p === '-' ? 'standard input' : p)).join(', ');
    throw new InputError(`${names}: empty input, nothing to score`, 'give a log file with at least one line, or pipe logs in');
  }
  return summary;
}
