/**
 * @file The hot-path writers (NDJSON and CSV encoded into a ByteSink) must write exactly the bytes
 * of the reference writers (a string per row on a text sink): on every record of the fixtures,
 * and on hostile values (quotes, control characters, lone surrogates, commas, line breaks, a
 * message longer than the sink's buffers, scores out of range, templates that change text).
 */
import { closeSync, openSync, readFileSync, readdirSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openRecordStream } from '../pipeline/records.js';
import { templateStage } from '../pipeline/templates.js';
import { TemplateMiner } from '../templates/index.js';
import { predictionColumns, type LogRecord, type Prediction } from '../types.js';
import { ByteSink } from './byte-sink.js';
import { createSink } from './sink.js';
import { createWriter, type OutputFormat, type RecordTemplate, type ScoredBatch } from './writers.js';

const root = join(__dirname, '..', '..', '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'logml-fastw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function prediction(i: number): Prediction {
  const levels = ['INFO', 'WARN', 'ERROR', null] as const;
  const odd = [0, 1, 0.00005, 0.99995, 1.5, -0.2, Number.NaN, 1e-7];
  return {
    predictedLevel: levels[i % 4]!,
    levelProbability: i % 7 === 0 ? null : i % 11 === 0 ? odd[i % odd.length]! : (i * 0.6180339) % 1,
    anomalyScore: i % 5 === 0 ? null : i % 13 === 0 ? odd[(i + 3) % odd.length]! : (i * 0.4142135) % 1,
    isAnomaly: i % 5 === 0 ? null : i % 3 === 0,
  };
}

let outFiles = 0;
async function collect(sinkFor: (out: Writable) => ByteSink | ReturnType<typeof createSink>, format: OutputFormat, batches: ScoredBatch[], templates: boolean, params: boolean, toFile: boolean): Promise<Buffer> {
  const models = ['level-x@1', 'anomaly "y",z@2'];
  if (toFile) {
    const path = join(dir, `out-${++outFiles}`);
    const fd = openSync(path, 'w');
    const stream = createWriteStream('', { fd, autoClose: false });
    const writer = createWriter(format, sinkFor(stream), { models, templates, params });
    for (const b of batches) await writer.write(b);
    await writer.end();
    await new Promise<void>((r) => stream.end(() => r()));
    closeSync(fd);
    return readFileSync(path);
  }
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
  const writer = createWriter(format, sinkFor(out), { models, templates, params });
  for (const b of batches) await writer.write(b);
  await writer.end();
  return Buffer.concat(chunks);
}

async function expectSameBytes(batches: ScoredBatch[]): Promise<void> {
  for (const format of ['ndjson', 'csv'] as const) {
    for (const [templates, params] of [[false, false], [true, false], [true, true]] as const) {
      const reference = await collect((s) => createSink(s), format, batches, templates, params, false);
      const viaPipe = await collect((s) => new ByteSink(s), format, batches, templates, params, false);
      const viaFile = await collect((s) => new ByteSink(s), format, batches, templates, params, true);
      expect(viaPipe.equals(reference), `${format} templates=${templates} params=${params} (stream)`).toBe(true);
      expect(viaFile.equals(reference), `${format} templates=${templates} params=${params} (file descriptor, reused buffers)`).toBe(true);
    }
  }
}

function batchesOf(records: LogRecord[], size: number, templatesOf: (rs: LogRecord[]) => RecordTemplate[], filter = false): ScoredBatch[] {
  const out: ScoredBatch[] = [];
  for (let at = 0; at < records.length; at += size) {
    const rs = records.slice(at, at + size);
    const ps = rs.map((_, k) => prediction(at + k));
    out.push({ records: rs, predictions: predictionColumns(ps), templates: templatesOf(rs), keep: filter ? rs.map((_, k) => k).filter((k) => (at + k) % 3 !== 1) : null });
  }
  return out;
}

describe('fast NDJSON / CSV writers', () => {
  it('write the reference bytes for every record of the fixtures', async () => {
    const paths = [
      ...readdirSync(join(root, 'handwritten')).filter((f) => /\.(log|jsonl)$/.test(f)).map((f) => join(root, 'handwritten', f)),
      ...readdirSync(join(root, 'formats')).filter((f) => /\.(log|ndjson)$/.test(f) && !f.includes('expected')).map((f) => join(root, 'formats', f)),
      join(root, 'loghub-2k', 'HDFS_2k.log'),
      join(root, 'loghub-2k', 'Windows_2k.log'),
    ];
    const { batches } = await openRecordStream({ inputs: paths, inputFormat: 'auto', follow: false, batchSize: 100_000 });
    const records: LogRecord[] = [];
    for await (const b of batches) records.push(...b);
    expect(records.length).toBeGreaterThan(4000);
    const stage = templateStage(new TemplateMiner(), { params: true });
    const templates = stage.assign(records.map((r) => r.message));
    let k = 0;
    await expectSameBytes(batchesOf(records, 997, (rs) => rs.map(() => templates[k++]!), true));
  });

  it('write the reference bytes for hostile values', async () => {
    const long = 'x'.repeat(700_000) + '"é\u2028';
    const messages = ['plain', 'quote " and \\ backslash', 'tab\tnew\nline\r', '\u0000\u001f ctrl', 'lone \ud800 surrogate', 'pair 😀 é ü 日本', 'comma, "csv" cell', long, '', '\u007f del'];
    const records: LogRecord[] = messages.flatMap((message, i) => [
      { source: i % 2 ? 'a "b".log' : 'plain.log', line: i + 1, time: i % 3 ? null : i % 2 ? '2024-01-01T00:00:00.000Z' : 'weird "time"\u0001', level: i % 4 ? 'INFO' : null, message, ...(i % 2 ? { status: 500 } : {}) },
      { source: 'é/日本.log', line: 1e12 + i, time: '2024-06-01T12:00:00.123Z', level: 'ERROR', message: message + ' again' },
    ]);
    let n = 0;
    const texts = ['id <*> "q"', 'id, <*>\nnext', 'id changed <*>'];
    const templatesOf = (rs: LogRecord[]) => rs.map(() => {
      n++;
      return n % 9 === 0 ? { id: 'same', text: texts[n % 3]!, params: null } : { id: `t${n % 4}`, text: texts[n % 2]!, params: n % 2 ? ['a"b', 'c,d'] : [] };
    });
    await expectSameBytes(batchesOf(records, 3, templatesOf));
  });
});
