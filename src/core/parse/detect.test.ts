/**
 * @file Format detection tests: each format, empty samples, voting rules and tie-breaks.
 */
import { describe, expect, it } from 'vitest';
import { detectFormat } from './index.js';

describe('detectFormat', () => {
  it.each([
    [['{"level":30,"msg":"a"}', '{"level":40,"msg":"b"}'], 'json'],
    [['time=1 level=info msg=a', 'time=2 level=warn msg=b'], 'logfmt'],
    [['<34>Oct 11 22:14:15 host su: a', 'Oct 11 22:14:16 host su: b'], 'syslog'],
    [['<165>1 2003-10-11T22:14:15.003Z host app 1 ID - msg'], 'syslog'],
    [['I0501 12:00:00.000000 1 a.go:1] x', 'E0501 12:00:00.000000 1 a.go:1] y'], 'klog'],
    [['2024-01-02 03:04:05 INFO a', '2024-01-02 03:04:06 WARN b'], 'header'],
    [['hello', 'world'], 'plain'],
    [[], 'plain'],
    [['', '   '], 'plain'],
  ] as const)('%j -> %s', (sample, expected) => {
    expect(detectFormat(sample)).toBe(expected);
  });

  it('stack-trace lines do not vote', () => {
    const sample = ['2024-01-02 03:04:05 ERROR a', ...Array.from({ length: 30 }, () => '\tat a.b(C.java:1)'), '2024-01-02 03:04:06 INFO b'];
    expect(detectFormat(sample)).toBe('header');
  });

  it('needs at least half the lines to pick a specific format', () => {
    expect(detectFormat(['{"msg":"a"}', 'x', 'y', 'z'])).toBe('plain');
    expect(detectFormat(['{"msg":"a"}', '{"msg":"b"}', 'y'])).toBe('json');
  });

  it('ties go to the more specific format (syslog lines with a level word also parse as header)', () => {
    expect(detectFormat(['Oct 11 22:14:15 NODE7 ERROR something'])).toBe('syslog');
  });
});
