/**
 * @file W3C extended logs (IIS): detected by their directives, rows read by the #Fields: columns.
 */
import { describe, expect, it } from 'vitest';
import { createRecordParser } from './index.js';
import { isW3cLog } from './w3c-document.js';

const IIS = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Date: 2026-12-03 10:00:00',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken',
  '2026-12-03 10:00:01 10.0.0.4 GET /default.aspx - 443 - 203.0.113.5 Mozilla/5.0 200 0 0 15',
  '2026-12-03 10:00:02 10.0.0.4 POST /api/order id=7 443 - 203.0.113.5 Mozilla/5.0 500 0 0 1203',
  '#Software: Microsoft Internet Information Services 10.0',
  '#Fields: time cs-method cs-uri-stem sc-status date',
  '10:05:00 GET /health 200 2026-12-03',
];

describe('W3C extended log (IIS)', () => {
  it('is told by its directives, one of them #Fields:', () => {
    expect(isW3cLog(IIS.slice(0, 5))).toBe(true);
    expect(isW3cLog(['#Version: 1.0', 'plain line'])).toBe(false);
    expect(isW3cLog(['# a comment', '#Fields: date time'])).toBe(false);
  });
  it('reads each row by the fields named before it; directives are not records', () => {
    const p = createRecordParser({ source: 'iis.log', format: 'auto', year: 2026 });
    const recs = IIS.flatMap((l, i) => p.push(l, i + 1)).concat(p.flush());
    expect(recs.map((r) => r.line)).toEqual([5, 6, 9]);
    expect(recs[0]).toMatchObject({ time: '2026-12-03T10:00:01.000Z', message: 'GET /default.aspx 200', status: 200 });
    expect(recs[1]).toMatchObject({ message: 'POST /api/order?id=7 500', status: 500 });
    expect(recs[2]).toMatchObject({ time: '2026-12-03T10:05:00.000Z', message: 'GET /health 200', status: 200 }); // the restart's own fields
  });
});
