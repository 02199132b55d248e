/**
 * @file normalizeTime tables: every supported shape, invalid input, injected and default years.
 */
import { describe, expect, it, vi } from 'vitest';
import { normalizeTime } from './index.js';

describe('normalizeTime', () => {
  const table: Array<[unknown, string | null]> = [
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05.123456789Z', '2024-01-02T03:04:05.123Z'],
    ['2024-01-02T03:04:05+02:00', '2024-01-02T01:04:05.000Z'],
    ['2024-01-02T03:04:05.5-0700', '2024-01-02T10:04:05.500Z'],
    ['2024-01-02 03:04:05', '2024-01-02T03:04:05.000Z'],
    ['2015-10-18 18:01:47,978', '2015-10-18T18:01:47.978Z'],
    ['2016-09-28 04:30:30,', '2016-09-28T04:30:30.000Z'],
    ['2024/01/02', '2024-01-02T00:00:00.000Z'],
    ['2024/01/02 03:04:05', '2024-01-02T03:04:05.000Z'],
    ['2005.06.03', '2005-06-03T00:00:00.000Z'],
    ['2005-06-03-15.42.50.675872', '2005-06-03T15:42:50.675Z'],
    ['17/06/09 20:10:40', '2017-06-09T20:10:40.000Z'],
    ['081109 203615', '2008-11-09T20:36:15.000Z'],
    ['Sun Dec 04 04:47:44 2005', '2005-12-04T04:47:44.000Z'],
    ['10/Oct/2000:13:55:36 -0700', '2000-10-10T20:55:36.000Z'],
    ['20171223-22:15:29:606', '2017-12-23T22:15:29.606Z'],
    [1117838570, '2005-06-03T22:42:50.000Z'],
    [1117838570.5, '2005-06-03T22:42:50.500Z'],
    [1700000000000, '2023-11-14T22:13:20.000Z'],
    ['1700000000000', '2023-11-14T22:13:20.000Z'],
    ['1700000000', '2023-11-14T22:13:20.000Z'],
    ['1700000000123456789', '2023-11-14T22:13:20.123Z'],
    // invalid or not a time
    ['2024-02-30 00:00:00', null], ['2024-13-01', null], ['2024-01-01 25:00:00', null],
    ['hello', null], ['', null], ['081109', null], ['12345', null], [null, null], [{}, null],
    [-5, null], [Infinity, null], ['9'.repeat(5_000_000), null], ['2024-01-01T00:00:00Z' + ' '.repeat(100), null],
  ];
  it.each(table)('%j -> %j', (raw, expected) => {
    expect(normalizeTime(raw)).toBe(expected);
  });

  it('reads 12-hour clocks: en-US dates (month first unless it cannot be) and java.util.logging text dates', () => {
    expect(normalizeTime('12/3/2026 10:00:00 AM')).toBe('2026-12-03T10:00:00.000Z');
    expect(normalizeTime('12/3/2026 12:05:01 AM')).toBe('2026-12-03T00:05:01.000Z');
    expect(normalizeTime('3/12/2026 1:00:00 PM')).toBe('2026-03-12T13:00:00.000Z');
    expect(normalizeTime('25/12/2026 1:00:00 PM')).toBe('2026-12-25T13:00:00.000Z');
    expect(normalizeTime('Dec 03, 2026 12:30:00 PM')).toBe('2026-12-03T12:30:00.000Z');
    expect(normalizeTime('12/3/2026 13:00:00 PM')).toBeNull();
  });

  it('uses the injected year for year-less shapes', () => {
    expect(normalizeTime('Oct 11 22:14:15', { year: 2003 })).toBe('2003-10-11T22:14:15.000Z');
    expect(normalizeTime('Jun  4 01:02:03', { year: 2020 })).toBe('2020-06-04T01:02:03.000Z');
    expect(normalizeTime('0501 12:00:00.123456', { year: 2024 })).toBe('2024-05-01T12:00:00.123Z');
    expect(normalizeTime('03-17 16:13:38.811', { year: 2017 })).toBe('2017-03-17T16:13:38.811Z');
    expect(normalizeTime('Feb 29 00:00:00', { year: 2023 })).toBeNull();
    expect(normalizeTime('Feb 29 00:00:00', { year: 2024 })).toBe('2024-02-29T00:00:00.000Z');
  });

  it('defaults the year to the current UTC year', () => {
    const year = new Date().getUTCFullYear();
    expect(normalizeTime('Jan 01 00:00:00')).toBe(`${year}-01-01T00:00:00.000Z`);
  });

  it('agrees with Date for epoch millis across the range', () => {
    for (let ms = 1e11; ms < 7e12; ms += 123_456_789_012) {
      const whole = Math.floor(ms);
      expect(normalizeTime(whole)).toBe(new Date(whole).toISOString());
    }
  });
});

describe('the minute cache (the text up to the seconds of the last time, reused by the next)', () => {
  // each string after the first shares its minute with one before it; a fresh copy of the module
  // (no cache) must read every one of them the same
  const SEQUENCE = [
    '2015-10-18 18:01:47,978', '2015-10-18 18:01:48,001', '2015-10-18 18:01:59Z', '2015-10-18 18:01:61',
    '2015-10-18 18:01:4', '2015-10-18 18:01:47 +02:00', '2015-10-18 18:01:47.5', '2015-10-18T18:01:47.123Z',
    '2015-10-18T18:01:48', '2015-10-18T18:01:48x', '081109 203615', '081109 203616', '081109 2036161',
    '12-03 10:00:01.123', '12-03 10:00:02.999', '2005-06-03-15.42.50.675872', '2005-06-03-15.42.51.000001',
    '20171223-22:15:29:606', '20171223-22:15:30:1', '2016-02-29 10:00:00', '2016-02-29 10:00:60', '17/06/09 20:10:40',
    '17/06/09 20:10:41', '2015-10-18 18:01:47,978', '2015-10-18 18:01:47', '2015-10-18 18:01:47,9789999',
  ];
  it('gives what a full parse gives, string by string', async () => {
    const { normalizeTime: cached } = await import('./time.js');
    for (const s of SEQUENCE) {
      vi.resetModules();
      const { normalizeTime: fresh } = await import('./time.js');
      expect([s, cached(s, { year: 2026 })]).toEqual([s, fresh(s, { year: 2026 })]);
    }
  });
});
