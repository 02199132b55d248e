/**
 * @file Test helper (not part of the public API): run a whole list of lines through a parser.
 */
import type { LogRecord } from '../types.js';
import { createRecordParser, type InputFormat } from './index.js';

export function parseLines(lines: readonly string[], format: InputFormat | 'auto' = 'auto', year = 2024): LogRecord[] {
  const parser = createRecordParser({ source: 'test', format, year });
  const out: LogRecord[] = [];
  lines.forEach((line, i) => out.push(...parser.push(line, i + 1)));
  return out.concat(parser.flush());
}

export function parseOne(line: string, format: InputFormat | 'auto' = 'auto'): LogRecord {
  const records = parseLines([line], format);
  if (records.length !== 1) throw new Error(`expected one record, got ${records.length}`);
  return records[0]!;
}
