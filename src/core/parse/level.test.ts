/**
 * @file normalizeLevel and syslogSeverityToLevel tables.
 */
import { describe, expect, it } from 'vitest';
import { normalizeLevel, syslogSeverityToLevel } from './index.js';

describe('normalizeLevel', () => {
  const table: Array<[unknown, string | null]> = [
    ['trace', 'TRACE'], ['VERBOSE', 'TRACE'], ['V', 'TRACE'], ['silly', 'TRACE'],
    ['debug', 'DEBUG'], ['D', 'DEBUG'], ['dbug', 'DEBUG'], ['DEBUG', 'DEBUG'],
    ['info', 'INFO'], ['I', 'INFO'], ['notice', 'INFO'], ['Information', 'INFO'], ['informational', 'INFO'],
    ['Info', 'INFO'], ['http', 'INFO'],
    ['warn', 'WARN'], ['WARNING', 'WARN'], ['W', 'WARN'], ['Warning:', 'WARN'],
    ['error', 'ERROR'], ['err', 'ERROR'], ['E', 'ERROR'], ['SEVERE', 'ERROR'], ['[error]', 'ERROR'],
    ['fatal', 'FATAL'], ['F', 'FATAL'], ['critical', 'FATAL'], ['CRIT', 'FATAL'], ['alert', 'FATAL'],
    ['emerg', 'FATAL'], ['emergency', 'FATAL'], ['panic', 'FATAL'],
    [10, 'TRACE'], [20, 'DEBUG'], [30, 'INFO'], [40, 'WARN'], [50, 'ERROR'], [60, 'FATAL'], ['30', 'INFO'],
    [' info ', 'INFO'],
    ['', null], ['nonsense', null], [3, null], [null, null], [undefined, null], [{}, null], [NaN, null],
    ['x'.repeat(1000), null], [true, null],
  ];
  it.each(table)('%j -> %j', (raw, expected) => {
    expect(normalizeLevel(raw)).toBe(expected);
  });
});

describe('syslogSeverityToLevel', () => {
  it.each([
    [0, 'FATAL'], [1, 'FATAL'], [2, 'FATAL'], [3, 'ERROR'], [4, 'WARN'], [5, 'INFO'], [6, 'INFO'], [7, 'DEBUG'],
  ])('%i -> %s', (severity, expected) => {
    expect(syslogSeverityToLevel(severity)).toBe(expected);
  });
});
