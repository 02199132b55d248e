/**
 * @file The pipeline behind `logml templates`, and the template stage `predict` uses: records
 * from the shared record stream are mined online (headers already split off by the format
 * parser, multi-line records mined as one); per record it writes source, line, template_id and
 * template, or with `summary` one row per template with its count, first and last seen, and an
 * example. The miner's state is loaded from and saved to a StateStore so ids survive restarts.
 */
import type { Readable, Writable } from 'node:stream';
import { outputWidth, TextTable } from '../io/text-table.js';
import { InputError } from '../errors.js';
import type { SkipCounts } from '../io/line-splitter.js';
import { createSink, type TextSink } from '../io/sink.js';
import { csvCell } from '../io/writers.js';
import type { InputFormat } from '../parse/index.js';
import { TemplateMiner, type StateStore, type TemplateMinerOptions } from '../templates/index.js';
import type { LogRecord } from '../types.js';
import type { TemplateStage } from './predict.js';
import { openRecordStream } from './records.js';

export const TEMPLATE_OUTPUT_FORMATS = ['ndjson', 'csv', 'table', 'json'] as const;
export type TemplateOutputFormat = (typeof TEMPLATE_OUTPUT_FORMATS)[number];

export interface TemplatesOptions {
  inputs: string[];
  inputFormat: InputFormat | 'auto';
  follow: boolean;
  output: TemplateOutputFormat;
  summary: boolean;
  batchSize: number;
  maxLineBytes?: number;
  signal?: AbortSignal;
  /** Called with the number of records mined so far, after each batch (progress lines). */
  onProgress?: ((records: number) => void) | undefined;
}

export interface TemplatesSummary {
  records: number;
  templates: number;
  skipped: SkipCounts;
  emptyInputs: string[];
  outputClosed: boolean;
}

/** A miner restored from `store` (or new), and a function that saves it back. */
export async function openMiner(store: StateStore | null, options: Partial<TemplateMinerOptions> = {}): Promise<{ miner: TemplateMiner; save: () => Promise<void> }> {
  const state = store ? await store.load() : null;
  const miner = state ? TemplateMiner.fromState(state, options) : new TemplateMiner(options);
  return { miner, save: async () => void (store ? await store.save(miner.toState()) : undefined) };
}

/** The template stage of `predict`: learns from every record, in order. */
export function templateStage(miner: TemplateMiner): TemplateStage {
  return {
    assign(messages) {
      return messages.map((m) => {
        const r = miner.add(m);
        return { id: r.templateId, text: r.template };
      });
    },
  };
}

interface SeenStats {
  count: number;
  first: string;
  last: string;
  example: string;
}

function seenAt(r: LogRecord): string {
  return r.time ?? `${r.source}:${r.line}`;
}

export async function runTemplates(options: TemplatesOptions, miner: TemplateMiner, io: { stdout: Writable; stdin?: Readable }): Promise<TemplatesSummary> {
  const { batches, stats } = await openRecordStream({ ...options, stdin: io.stdin });
  const sink = createSink(io.stdout, { flushEachWrite: options.follow && !options.summary });
  const seen = new Map<string, SeenStats>();
  const summary: TemplatesSummary = { records: 0, templates: 0, skipped: stats.skipped, emptyInputs: stats.emptyInputs, outputClosed: false };
  let headerDone = false;
  let first = true;
  // one table for the whole stream, fitted to the terminal
  const table = options.output === 'table' && !options.summary ? new TextTable([{ head: 'line', width: 22, align: 'right', cut: 'start' }, { head: 'template_id', width: 16 }, { head: 'template' }], outputWidth()) : null;
  try {
    for await (const records of batches) {
      let out = '';
      for (const r of records) {
        const { templateId, template } = miner.add(r.message);
        summary.records++;
        if (options.summary) {
          const s = seen.get(templateId);
          if (s) {
            s.count++;
            s.last = seenAt(r);
          } else seen.set(templateId, { count: 1, first: seenAt(r), last: seenAt(r), example: r.message });
          continue;
        }
        switch (options.output) {
          case 'ndjson':
            out += `{"source":${JSON.stringify(r.source)},"line":${r.line},"template_id":"${templateId}","template":${JSON.stringify(template)}}\n`;
            break;
          case 'json':
            out += `${first ? '[\n' : ',\n'}{"source":${JSON.stringify(r.source)},"line":${r.line},"template_id":"${templateId}","template":${JSON.stringify(template)}}`;
            first = false;
            break;
          case 'csv':
            if (!headerDone) out += 'source,line,template_id,template\n';
            headerDone = true;
            out += `${csvCell(r.source)},${r.line},${templateId},${csvCell(template)}\n`;
            break;
          case 'table':
            if (!headerDone) out += table!.header();
            headerDone = true;
            out += table!.row([`${r.source === '-' ? '' : r.source + ':'}${r.line}`, templateId, template.split('\n')[0]!]);
            break;
        }
      }
      options.onProgress?.(summary.records);
      if (out) await sink.write(out);
      if (sink.closed) break;
    }
  } finally {
    if (!options.summary) {
      if (options.output === 'json') await sink.write(first ? '[]\n' : '\n]\n');
      if (options.output === 'csv' && !headerDone) await sink.write('source,line,template_id,template\n');
    }
  }
  if (options.summary) await writeSummary(sink, miner, seen, options.output);
  await sink.end();
  summary.templates = miner.templates().length;
  summary.outputClosed = sink.closed;
  if (summary.emptyInputs.length === options.inputs.length && !summary.outputClosed && !options.signal?.aborted) {
    const names = summary.emptyInputs.map((p) => (p === '-' ? 'standard input' : p)).join(', ');
    throw new InputError(`${names}: empty input, nothing to mine`, 'give a log file with at least one line, or pipe logs in');
  }
  return summary;
}

async function writeSummary(sink: TextSink, miner: TemplateMiner, seen: Map<string, SeenStats>, format: TemplateOutputFormat): Promise<void> {
  // fold the stats of ids merged away into the id they were merged into
  const merged = new Map<string, SeenStats>();
  for (const [id, s] of seen) {
    const to = miner.resolveId(id);
    const m = merged.get(to);
    if (!m) merged.set(to, { ...s });
    else {
      m.count += s.count;
      if (s.first < m.first) m.first = s.first;
      if (s.last > m.last) m.last = s.last;
    }
  }
  const rows = miner
    .templates()
    .filter((t) => merged.has(t.templateId))
    .map((t) => ({ template_id: t.templateId, template: t.template, count: merged.get(t.templateId)!.count, first_seen: merged.get(t.templateId)!.first, last_seen: merged.get(t.templateId)!.last, example: merged.get(t.templateId)!.example }))
    .sort((a, b) => b.count - a.count || (a.template_id < b.template_id ? -1 : 1));
  if (format === 'ndjson') await sink.write(rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
  else if (format === 'json') await sink.write(JSON.stringify(rows, null, 2) + '\n');
  else if (format === 'csv') {
    const keys = ['template_id', 'count', 'first_seen', 'last_seen', 'template', 'example'] as const;
    await sink.write(keys.join(',') + '\n' + rows.map((r) => keys.map((k) => csvCell(r[k])).join(',')).join('\n') + (rows.length ? '\n' : ''));
  } else {
    // the columns as wide as their widest cell (times: at most 24), the template takes the rest
    const shortTime = (t: string) => t.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.0+)?Z$/, '$1 $2');
    const widest = (k: 'count' | 'first_seen' | 'last_seen', head: string) => Math.min(24, Math.max(head.length, ...rows.map((r) => shortTime(String(r[k])).length)));
    const t = new TextTable(
      [
        { head: 'count', width: widest('count', 'count'), align: 'right' },
        { head: 'template_id', width: 16 },
        { head: 'first seen', width: widest('first_seen', 'first seen'), cut: 'start', optional: true },
        { head: 'last seen', width: widest('last_seen', 'last seen'), cut: 'start', optional: true },
        { head: 'template' },
      ],
      outputWidth(),
    );
    let out = `${rows.length} templates\n${t.header()}`;
    for (const r of rows) out += t.row([String(r.count), r.template_id, shortTime(r.first_seen), shortTime(r.last_seen), r.template.split('\n')[0]!]);
    await sink.write(out);
  }
}
