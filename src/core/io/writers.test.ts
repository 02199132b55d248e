/**
 * @file The table writer streams one fixed-width table: a large batch is rendered row by row
 * (no table library whose cost grows faster than its rows), one head line, every row present.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSink } from './sink.js';
import { predictionColumns } from '../types.js';
import { createWriter, type ScoredRecord } from './writers.js';

const TABLE_PAGE_ROWS = 256;

describe('table writer', () => {
  it('renders a large batch as one table with every row', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const writer = createWriter('table', createSink(out), { models: ['m@1'], templates: false, width: 100 });
    const n = TABLE_PAGE_ROWS * 3 + 7;
    const rows: ScoredRecord[] = Array.from({ length: n }, (_, i) => ({
      record: { source: 'a.log', line: i + 1, time: null, level: 'INFO', message: `event ${i}`, component: null },
      prediction: { predictedLevel: 'INFO', levelProbability: 0.9, anomalyScore: 0.1, isAnomaly: false },
      template: null,
    }));
    await writer.write({ records: rows.map((r) => r.record), predictions: predictionColumns(rows.map((r) => r.prediction)), templates: null, keep: null });
    await writer.end();
    expect(text.split('\n').filter((l) => /\bline\b.*\blevel\b.*\bmessage\b/.test(l))).toHaveLength(1);
    for (const i of [0, TABLE_PAGE_ROWS, n - 1]) expect(text).toContain(`a.log:${i + 1} `);
  });
});
