/**
 * @file The table writer renders in pages (cli-table3's cost grows faster than linearly with
 * the rows of one table): a head line every TABLE_PAGE_ROWS rows, every row present.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSink } from './sink.js';
import { createWriter, TABLE_PAGE_ROWS, type ScoredRecord } from './writers.js';

describe('table writer', () => {
  it('renders a large batch as pages of TABLE_PAGE_ROWS rows', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const writer = createWriter('table', createSink(out), { models: ['m@1'], templates: false });
    const n = TABLE_PAGE_ROWS * 3 + 7;
    const rows: ScoredRecord[] = Array.from({ length: n }, (_, i) => ({
      record: { source: 'a.log', line: i + 1, time: null, level: 'INFO', message: `event ${i}`, component: null },
      prediction: { predictedLevel: 'INFO', levelProbability: 0.9, anomalyScore: 0.1, isAnomaly: false },
      template: null,
    }));
    await writer.write(rows);
    await writer.end();
    expect(text.split('\n').filter((l) => /\bline\b.*\blevel\b.*\bmessage\b/.test(l))).toHaveLength(4);
    for (const i of [0, TABLE_PAGE_ROWS, n - 1]) expect(text).toContain(`a.log:${i + 1} `);
  });
});
