import { describe, expect, it } from 'vitest';
import { createProgress, recordsLine } from './progress.js';
import { progressLine } from '../db/run.js';

function stream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { isTTY, ...(columns ? { columns } : {}), writes, write: (s: string) => writes.push(s) };
}

describe('progress line', () => {
  it('nothing at all when the stream is not a terminal', () => {
    const s = stream(false);
    const p = createProgress(s);
    p.update('predict: 1 records', true);
    p.done();
    expect(p.active).toBe(false);
    expect(s.writes).toEqual([]);
  });

  it('on a terminal: rewritten in place, cut to the width, at most every interval, erased at the end', () => {
    let t = 0;
    const s = stream(true, 30);
    const p = createProgress(s, { now: () => t, intervalMs: 200 });
    p.update('predict: 1 records');
    t = 100;
    p.update('predict: 2 records'); // too soon
    t = 300;
    p.update('predict: 3 records and a tail that is far too long for thirty columns');
    p.done();
    expect(s.writes).toEqual(['\rpredict: 1 records\x1b[K', `\r${'predict: 3 records and a tail'.slice(0, 28)}…\x1b[K`, '\r\x1b[K']);
    expect([...s.writes[1]!.slice(1, -3)].length).toBe(29);
  });

  it('no rate before 2 s (a first batch\'s rate is noise), then records per second', () => {
    expect(recordsLine('predict', 5000, 1999)).toBe('predict: 5,000 records');
    expect(recordsLine('predict', 5000, 4000)).toBe('predict: 5,000 records, 1,250/s');
  });

  it('backfill: no rate nor ETA before 2 s and a first chunk', () => {
    const base = { scored: 2000, total: 100000, chunksDone: 1, fraction: 0.02, rate: 1e6, etaS: 0.1, retries: 0 };
    expect(progressLine({ ...base, elapsedMs: 2 })).toBe('backfill   2%  scored 2,000 of ≤100,000');
    expect(progressLine({ ...base, elapsedMs: 5000, rate: 400, etaS: 245 })).toBe('backfill   2%  scored 2,000 of ≤100,000  400 logs/s  ETA 4m05s');
  });
});
