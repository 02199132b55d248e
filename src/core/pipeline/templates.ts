/**
 * @file The pipeline behind `logml templates`, and the template stage `predict` uses: records
 * from the shared record stream are mined online (headers already split off by the format
 * parser, multi-line records mined as one); per record it writes source, line, template_id and
 * template, or with `summary` one row per template with its count, first and last seen, and an
 * example. The miner's state is loaded from and saved to a StateStore so ids survive restarts.
 */
import type { Readable, Writable } from 'node:stream';
import Table from 'cli-table3';
import type { SkipCounts } from '../io/line-splitter.js';
import { createSink, type TextSink } from '../io/sink.js';
import { csvCell } from '../io/writers.js';
import type { InputFormat } from '../parse/index.js';
import { TemplateMiner, type StateStore, type TemplateMinerOptions } from '../templates/index.js';
import type { LogRecord } from '../types.js';
import type { TemplateStage } from './predict.js';
import { checkSomethingRead, openRecordStream } from './records.js';

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
  try {
    for await (const records of batches) {
      let out = '';
      const table = options.output === 'table' && !options.summary ? new Table({ head: ['line', 'template_id', 'template'], style: { head: [], border: [], compact: true } }) : null;
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
            table!.push([`${r.source === '-' ? '' : r.source + ':'}${r.line}`, templateId, template.split('\n')[0]!.slice(0, 120)]);
            break;
        }
      }
      if (table && table.length > 0) out += table.toString() + '\n';
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
  if (!summary.outputClosed && !options.signal?.aborted) checkSomethingRead(stats, options.inputs, summary.records, 'mine');
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
    const t = new Table({ head: ['count', 'template_id', 'first seen', 'last seen', 'template'], style: { head: [], border: [], compact: true } });
    for (const r of rows) t.push([String(r.count), r.template_id, r.first_seen, r.last_seen, r.template.split('\n')[0]!.slice(0, 100)]);
    await sink.write(`${rows.length} templates\n${t.toString()}\n`);
  }
}
