/**
 * @file The NDJSON and CSV writers of the hot path: each record is encoded straight into the
 * ByteSink's buffer from cached fragments (per source, per level, per template: the record's
 * tail is one cached run of bytes) and the few per-record values (line, time, message, scores).
 * Numbers rounded to 4 decimals come from a table of their 10,001 texts. The bytes are exactly
 * those of the reference writers in writers.ts (ndjsonLine, fieldValues + csvCell), which a test
 * checks on every fixture.
 */
import type { LogRecord, PredictionColumns } from '../types.js';
import type { ByteSink } from './byte-sink.js';
import type { RecordTemplate, RecordWriter, ScoredBatch, WriterOptions } from './writers.js';

/** Texts of round4(v) for v in [0, 1]: k / 1e4 as JavaScript prints it. */
const R4: readonly string[] = Array.from({ length: 10_001 }, (_, k) => String(k / 1e4));

/** The text of Math.round(v * 1e4) / 1e4 (as `'' + number` gives it). */
function num4(v: number): string {
  const k = Math.round(v * 1e4);
  return k >= 0 && k <= 10_000 ? R4[k]! : String(k / 1e4);
}

/** Characters JSON.stringify escapes (and surrogates, which it may): messages without them are written as they are. */
const JSON_ESCAPED = /[\u0000-\u001f"\\\ud800-\udfff]/;
const CSV_QUOTED = /[",\r\n]/;

/** Printable ASCII but `"` and `\`: written inside quotes unchanged (times, ids). */
function plainAscii(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || c > 126) return false;
  }
  return true;
}

function csvCell(s: string): string {
  return CSV_QUOTED.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** A small map of encoded fragments, emptied when it holds too many (bounded memory on any input). */
class FragmentCache<K> {
  private map = new Map<K, Buffer>();
  private bytes = 0;
  constructor(private readonly maxEntries: number, private readonly maxBytes: number) {}
  get(key: K): Buffer | undefined {
    return this.map.get(key);
  }
  set(key: K, b: Buffer): Buffer {
    if (this.map.size >= this.maxEntries || this.bytes + b.length > this.maxBytes) {
      this.map = new Map();
      this.bytes = 0;
    }
    this.map.set(key, b);
    this.bytes += b.length;
    return b;
  }
}

/** Template fragments: by id, checked against the template's current text (a miner generalises as it learns). */
class TemplateFragments {
  private map = new Map<string, { text: string; bytes: Buffer }>();
  private bytes = 0;
  constructor(private readonly encode: (t: RecordTemplate) => string) {}
  get(t: RecordTemplate): Buffer {
    const hit = this.map.get(t.id);
    if (hit !== undefined && hit.text === t.text) return hit.bytes;
    const bytes = Buffer.from(this.encode(t));
    if (bytes.length > 4096) return bytes; // a long template rarely repeats: not worth holding
    if (this.map.size >= 8192 || this.bytes + bytes.length > 2 * 1024 * 1024) {
      this.map = new Map();
      this.bytes = 0;
    }
    this.map.set(t.id, { text: t.text, bytes });
    this.bytes += bytes.length;
    return bytes;
  }
}

function forEachKept(batch: ScoredBatch, each: (r: LogRecord, p: PredictionColumns, i: number, t: RecordTemplate | null) => void): void {
  const { records, predictions, templates, keep } = batch;
  if (keep === null) {
    for (let i = 0; i < records.length; i++) each(records[i]!, predictions, i, templates ? templates[i]! : null);
  } else {
    for (let k = 0; k < keep.length; k++) {
      const i = keep[k]!;
      each(records[i]!, predictions, i, templates ? templates[i]! : null);
    }
  }
}

export function createNdjsonWriter(sink: ByteSink, options: WriterOptions): RecordWriter {
  const modelJson = JSON.stringify(options.models);
  const withTemplates = options.templates;
  const withParams = options.templates && Boolean(options.params);
  const sources = new FragmentCache<string>(256, 1 << 20);
  const levels = new Map<string | null, Buffer>();
  const predicted = new Map<string | null, Buffer>();
  const tail = Buffer.from(',"model":' + modelJson + '}\n');
  const nullTemplate = Buffer.from(',"template_id":null,"template":null' + (withParams ? '' : ',"model":' + modelJson + '}\n'));
  const templates = new TemplateFragments((t) => ',"template_id":' + JSON.stringify(t.id) + ',"template":' + JSON.stringify(t.text) + (withParams ? '' : ',"model":' + modelJson + '}\n'));
  const IS_ANOMALY: Record<string, Buffer> = { true: Buffer.from(',"is_anomaly":true'), false: Buffer.from(',"is_anomaly":false'), null: Buffer.from(',"is_anomaly":null') };
  const ANOMALY = ',"anomaly_score":';
  const STATUS = ',"status":';

  function encode(r: LogRecord, p: PredictionColumns, i: number, t: RecordTemplate | null): void {
    sink.bytes(sources.get(r.source) ?? sources.set(r.source, Buffer.from('{"source":' + JSON.stringify(r.source) + ',"line":')));
    sink.utf8('' + r.line);
    const time = r.time;
    if (time === null || time === undefined) sink.utf8(',"time":null');
    else if (plainAscii(time)) {
      sink.room(time.length + 10);
      sink.ascii(',"time":"');
      sink.ascii(time);
      sink.byte(34);
    } else sink.utf8(',"time":' + JSON.stringify(time));
    let lf = levels.get(r.level);
    if (lf === undefined) levels.set(r.level, (lf = Buffer.from(',"level":' + (r.level === null ? 'null' : '"' + r.level + '"') + ',"message":')));
    sink.bytes(lf);
    const m = r.message;
    if (JSON_ESCAPED.test(m)) sink.utf8(JSON.stringify(m));
    else {
      sink.room(m.length * 3 + 2);
      sink.byte(34);
      sink.utf8(m);
      sink.byte(34);
    }
    if (r.status !== undefined) sink.utf8(STATUS + r.status);
    const level = p.predictedLevel(i);
    let pf = predicted.get(level);
    if (pf === undefined) predicted.set(level, (pf = Buffer.from(',"predicted_level":' + (level === null ? 'null' : '"' + level + '"') + ',"level_probability":')));
    sink.bytes(pf);
    sink.room(96);
    const lp = p.levelProbability(i);
    sink.ascii(lp === null ? 'null' : num4(lp));
    sink.ascii(ANOMALY);
    const a = p.anomalyScore(i);
    sink.ascii(a === null ? 'null' : num4(a));
    sink.bytes(IS_ANOMALY[String(p.isAnomaly(i))]!);
    if (!withTemplates) {
      sink.bytes(tail);
      return;
    }
    sink.bytes(t === null ? nullTemplate : templates.get(t));
    if (withParams) {
      sink.utf8(',"params":' + JSON.stringify(t?.params ?? null));
      sink.bytes(tail);
    }
  }

  return {
    async write(batch) {
      if (sink.closed) return;
      forEachKept(batch, encode);
      await sink.settle();
    },
    end: () => sink.end(),
  };
}

export function createCsvWriter(sink: ByteSink, options: WriterOptions, header: string): RecordWriter {
  const modelCell = csvCell(options.models.join(' '));
  const withTemplates = options.templates;
  const withParams = options.templates && Boolean(options.params);
  const sources = new FragmentCache<string>(256, 1 << 20);
  const tail = Buffer.from(',' + modelCell + '\n');
  const nullTemplate = Buffer.from(',,' + (withParams ? '' : ',' + modelCell + '\n'));
  const templates = new TemplateFragments((t) => ',' + csvCell(t.id) + ',' + csvCell(t.text) + (withParams ? '' : ',' + modelCell + '\n'));
  let headerDone = false;

  function encode(r: LogRecord, p: PredictionColumns, i: number, t: RecordTemplate | null): void {
    sink.bytes(sources.get(r.source) ?? sources.set(r.source, Buffer.from(csvCell(r.source) + ',')));
    sink.utf8('' + r.line + ',');
    if (r.time !== null && r.time !== undefined) sink.utf8(csvCell(r.time));
    sink.utf8(r.level === null ? ',,' : ',' + r.level + ',');
    sink.utf8(csvCell(r.message));
    sink.room(80);
    sink.byte(44);
    const level = p.predictedLevel(i);
    if (level !== null) sink.ascii(level);
    sink.byte(44);
    const lp = p.levelProbability(i);
    if (lp !== null) sink.ascii(num4(lp));
    sink.byte(44);
    const a = p.anomalyScore(i);
    if (a !== null) sink.ascii(num4(a));
    sink.byte(44);
    const flagged = p.isAnomaly(i);
    if (flagged !== null) sink.ascii(flagged ? 'true' : 'false');
    if (!withTemplates) {
      sink.bytes(tail);
      return;
    }
    sink.bytes(t === null ? nullTemplate : templates.get(t));
    if (withParams) {
      sink.utf8(',' + (t?.params ? csvCell(JSON.stringify(t.params)) : ''));
      sink.bytes(tail);
    }
  }

  return {
    async write(batch) {
      if (sink.closed) return;
      if (!headerDone) sink.utf8(header);
      headerDone = true;
      forEachKept(batch, encode);
      await sink.settle();
    },
    async end() {
      if (!headerDone) sink.utf8(header);
      headerDone = true;
      await sink.end();
    },
  };
}
