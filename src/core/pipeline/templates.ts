/**
 * @file The pipeline behind `logml templates`, and the template stage `predict` uses: records
 * from the shared record stream are mined (headers already split off by the format parser,
 * multi-line records mined as one); files are mined in a first pass and written on a second one,
 * so every record carries its template's final id and text; pipes and --follow are written online.
 * Per record it writes source, line, template_id and template (and `params` on request), or with
 * `summary` one row per template with its count, first and last seen, and an example; filters
 * choose which records are written. The miner's state is loaded from and saved to a StateStore so ids survive restarts.
 */
import type { Readable, Writable } from 'node:stream';
import { outputWidth, TextTable } from '../io/text-table.js';
import type { SkipCounts } from '../io/line-splitter.js';
import { createSink, type TextSink } from '../io/sink.js';
import { csvCell } from '../io/writers.js';
import type { InputFormat } from '../parse/index.js';
import { TemplateMiner, templateParams, type StateStore, type TemplateMinerOptions } from '../templates/index.js';
import type { LogRecord } from '../types.js';
import type { TemplateStage } from './predict.js';
import { recordPasses, type RecordFilter } from './record-filter.js';
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
  /** Add each record's parameter values (`params`, in template order; null when they cannot be read). */
  params?: boolean;
  /** Only records that pass are written (or counted, with `summary`); all are mined. */
  filter?: RecordFilter | null;
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

/**
 * predict (and serve) mine templates on the thread that also parses and writes: smaller limits
 * than `logml templates` keep its memory bounded on endless inputs (least recently seen evicted).
 */
export const PREDICT_MINER_LIMITS: Partial<TemplateMinerOptions> = { maxClusters: 20_000, maxCacheEntries: 20_000, maxClusterBytes: 16 * 1024 * 1024, maxCacheBytes: 4 * 1024 * 1024 };

/** A miner restored from `store` (or new), and a function that saves it back. */
export async function openMiner(store: StateStore | null, options: Partial<TemplateMinerOptions> = {}): Promise<{ miner: TemplateMiner; save: () => Promise<void> }> {
  const state = store ? await store.load() : null;
  const miner = state ? TemplateMiner.fromState(state, options) : new TemplateMiner(options);
  return { miner, save: async () => void (store ? await store.save(miner.toState()) : undefined) };
}

/** The template stage of `predict`: learns from every record, in order; with `params`, each record's parameter values. */
export function templateStage(miner: TemplateMiner, options: { params?: boolean } = {}): TemplateStage {
  const params = Boolean(options.params);
  return {
    params,
    assign(messages) {
      return messages.map((m) => {
        const r = miner.add(m);
        return params ? { id: r.templateId, text: r.template, params: templateParams(r.template, m) } : { id: r.templateId, text: r.template };
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

/** Characters the --summary stats may hold before the ones of templates the miner forgot are dropped. */
const MAX_SEEN_CHARS = 16 * 1024 * 1024;

/**
 * Per-template stats of `--summary`, bounded: the summary lists only templates the miner still
 * holds (ids merged into one count as it), so when the stats pass MAX_SEEN_CHARS the ones of
 * templates the miner evicted are dropped (an endless stream of new kinds of line made this map
 * grow without end). What is left is bounded by the miner's own limits.
 */
class SeenTemplates {
  readonly map = new Map<string, SeenStats>();
  private chars = 0;
  private limit = MAX_SEEN_CHARS;
  constructor(private readonly miner: TemplateMiner) {}

  count(templateId: string, r: LogRecord): void {
    const s = this.map.get(templateId);
    if (s) {
      s.count++;
      this.chars += seenAt(r).length - s.last.length;
      s.last = seenAt(r);
      return;
    }
    // a copy: a slice would keep the whole line alive
    const example = r.message.length > 1024 ? Buffer.from(r.message.slice(0, 1024)).toString() + '…' : r.message;
    const at = seenAt(r);
    this.map.set(templateId, { count: 1, first: at, last: at, example });
    this.chars += templateId.length + 2 * at.length + example.length;
    if (this.chars > this.limit) this.prune();
  }

  private prune(): void {
    const live = new Set(this.miner.templates().map((t) => t.templateId));
    for (const [id, s] of this.map) {
      if (live.has(this.miner.resolveId(id))) continue;
      this.map.delete(id);
      this.chars -= id.length + s.first.length + s.last.length + s.example.length;
    }
    // all live: the miner bounds them; look again when they have grown as much again
    this.limit = Math.max(MAX_SEEN_CHARS, 2 * this.chars);
  }
}

/**
 * The template of each record, final: ids are resolved (a template merged into another gives that
 * one's id) and texts are the templates' last form. With `secondPass`, every input is mined
 * first and written on a second read, so the first lines of an event that was generalised later
 * share its final id; otherwise (pipes, --follow) each record is written with what the miner
 * knows when it arrives.
 */
class TemplateAssigner {
  /** Pass-one template of record k, as an index into `ids`. */
  private readonly codes: number[] = [];
  private readonly ids: string[] = [];
  private readonly codeOf = new Map<string, number>();
  private readonly lastText = new Map<string, string>();
  private finalText: Map<string, string> | null = null;
  private next = 0;

  constructor(private readonly miner: TemplateMiner) {}

  /** Pass one: learn a record and remember which template it went to. */
  learn(message: string): void {
    const { templateId, template } = this.miner.add(message);
    let code = this.codeOf.get(templateId);
    if (code === undefined) {
      code = this.ids.length;
      this.ids.push(templateId);
      this.codeOf.set(templateId, code);
    }
    this.lastText.set(templateId, template);
    this.codes.push(code);
  }

  /** Between the passes: freeze the final template texts. */
  finish(): void {
    this.finalText = new Map(this.miner.templates().map((t) => [t.templateId, t.template]));
  }

  /** The next record's final template (pass two), or an online `add` when there was no pass one. */
  assign(message: string): { templateId: string; template: string } {
    if (this.finalText === null || this.next >= this.codes.length) {
      // no first pass, or the file grew since it: online
      const r = this.miner.add(message);
      return { templateId: this.miner.resolveId(r.templateId), template: r.template };
    }
    const first = this.ids[this.codes[this.next++]!]!;
    const templateId = this.miner.resolveId(first);
    const template = this.finalText.get(templateId) ?? this.lastText.get(templateId) ?? this.lastText.get(first)!;
    return { templateId, template };
  }
}

/** Files can be read twice; stdin and followed files cannot (or never end). */
function canReadTwice(options: TemplatesOptions): boolean {
  return !options.follow && options.inputs.every((p) => p !== '-');
}

function recordRow(r: LogRecord, templateId: string, template: string, params: string[] | null | undefined): string {
  const p = params === undefined ? '' : `,"params":${JSON.stringify(params)}`;
  const status = r.status === undefined ? '' : `,"status":${r.status}`;
  return `{"source":${JSON.stringify(r.source)},"line":${r.line}${status},"template_id":"${templateId}","template":${JSON.stringify(template)}${p}}`;
}

export async function runTemplates(options: TemplatesOptions, miner: TemplateMiner, io: { stdout: Writable; stdin?: Readable }): Promise<TemplatesSummary> {
  const assigner = new TemplateAssigner(miner);
  if (canReadTwice(options)) {
    const first = await openRecordStream({ ...options, stdin: io.stdin });
    try {
      for await (const records of first.batches) for (const r of records) assigner.learn(r.message);
    } catch {
      // damaged input: the second pass writes the records before the damage, then raises the error
    }
    assigner.finish();
  }
  const { batches, stats } = await openRecordStream({ ...options, stdin: io.stdin });
  const sink = createSink(io.stdout, { flushEachWrite: options.follow && !options.summary });
  const seen = new SeenTemplates(miner);
  const summary: TemplatesSummary = { records: 0, templates: 0, skipped: stats.skipped, emptyInputs: stats.emptyInputs, outputClosed: false };
  const filter = options.filter ?? null;
  const wantParams = Boolean(options.params);
  const csvHeader = `source,line,template_id,template${wantParams ? ',params' : ''}\n`;
  let headerDone = false;
  let first = true;
  // one table for the whole stream, fitted to the terminal
  const table = options.output === 'table' && !options.summary ? new TextTable([{ head: 'line', width: 22, align: 'right', cut: 'start' }, { head: 'template_id', width: 16 }, { head: 'template' }, ...(wantParams ? [{ head: 'params', width: 30 }] : [])], outputWidth()) : null;
  try {
    for await (const records of batches) {
      let out = '';
      for (const r of records) {
        const { templateId, template } = assigner.assign(r.message);
        summary.records++;
        if (filter !== null && !(recordPasses(filter, r) && (filter.templateId === null || miner.resolveId(filter.templateId) === templateId))) continue;
        if (options.summary) {
          seen.count(templateId, r);
          continue;
        }
        const params = wantParams ? templateParams(template, r.message) : undefined;
        switch (options.output) {
          case 'ndjson':
            out += recordRow(r, templateId, template, params) + '\n';
            break;
          case 'json':
            out += `${first ? '[\n' : ',\n'}${recordRow(r, templateId, template, params)}`;
            first = false;
            break;
          case 'csv':
            if (!headerDone) out += csvHeader;
            headerDone = true;
            out += `${csvCell(r.source)},${r.line},${templateId},${csvCell(template)}${wantParams ? ',' + csvCell(params === null ? '' : JSON.stringify(params)) : ''}\n`;
            break;
          case 'table':
            if (!headerDone) out += table!.header();
            headerDone = true;
            out += table!.row([`${r.source === '-' ? '' : r.source + ':'}${r.line}`, templateId, template.split('\n')[0]!, ...(wantParams ? [params === null ? '' : params!.join(' | ')] : [])]);
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
      if (options.output === 'csv' && !headerDone) await sink.write(csvHeader);
    }
  }
  if (options.summary) await writeSummary(sink, miner, seen.map, options.output);
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
