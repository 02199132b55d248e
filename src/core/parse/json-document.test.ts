import { describe, expect, it } from 'vitest';
import { createRecordParser } from './record-parser.js';
import { isJsonDocument } from './json-document.js';
import type { LogRecord } from '../types.js';

function parse(text: string): LogRecord[] {
  const p = createRecordParser({ source: 'x', format: 'auto', year: 2026 });
  const lines = text.split('\n');
  return lines.flatMap((l, i) => p.push(l, i + 1)).concat(p.flush());
}

describe('isJsonDocument', () => {
  it('pretty-printed objects and arrays of objects, not JSON lines or bracketed headers', () => {
    expect(isJsonDocument(['', '{', '  "level": "info",'])).toBe(true);
    expect(isJsonDocument(['{"level": "info",', '"msg": "x"}'])).toBe(true);
    expect(isJsonDocument(['[', '  {"msg": "a"},'])).toBe(true);
    expect(isJsonDocument(['[{"msg":"a"},{"msg":"b"}]'])).toBe(true);
    expect(isJsonDocument(['{"msg":"a"}', '{"msg":"b"}'])).toBe(false);
    expect(isJsonDocument(['[2026-12-03 10:00:00] production.ERROR: x'])).toBe(false);
    expect(isJsonDocument(['[INFO] started'])).toBe(false);
    expect(isJsonDocument(['', '  '])).toBe(false);
  });
});

describe('JSON documents', () => {
  it('reads pretty-printed objects, each numbered by its first line', () => {
    const text = ['{', '  "time": "2026-12-03T10:00:00Z",', '  "level": "info",', '  "msg": "server started"', '}',
      '{', '  "time": "2026-12-03T10:00:01Z",', '  "level": "error",', '  "msg": "db down",', '  "ctx": {"retry": [1, 2]}', '}'].join('\n');
    expect(parse(text).map((r) => [r.line, r.level, r.message, r.time])).toEqual([
      [1, 'INFO', 'server started', '2026-12-03T10:00:00.000Z'],
      [6, 'ERROR', 'db down', '2026-12-03T10:00:01.000Z'],
    ]);
  });

  it('reads arrays on many lines and on one, with braces, brackets and escaped quotes inside strings', () => {
    const many = ['[', '  {"level": "warn", "msg": "odd } text ] here"},', '  {"level": "info", "msg": "say \\"{hi}\\""}', ']'].join('\n');
    expect(parse(many).map((r) => [r.line, r.level, r.message])).toEqual([[2, 'WARN', 'odd } text ] here'], [3, 'INFO', 'say "{hi}"']]);
    expect(parse('[{"level":"info","msg":"a"},{"level":"error","msg":"b"}]').map((r) => [r.line, r.level, r.message])).toEqual([[1, 'INFO', 'a'], [1, 'ERROR', 'b']]);
  });

  it('text between objects becomes a plain record; an unclosed object at the end is kept as text', () => {
    const records = parse(['{', '"msg": "a"', '}', 'not json at all', '{', '"msg": "cut off'].join('\n'));
    expect(records.map((r) => r.message)).toEqual(['a', 'not json at all', '{\n"msg": "cut off']);
  });

  it('an object over the record cap is given up on and parsing goes on', () => {
    const huge = '"' + 'x'.repeat(1024) + '",';
    const lines = ['[', '{"msg": "first"},', '{', ...Array.from({ length: 1100 }, () => `"k": ${huge}`), '"end": 1}', '{"msg": "after"}', ']'];
    const records = parse(lines.join('\n'));
    expect(records[0]!.message).toBe('first');
    expect(records.at(-1)!.message).toBe('after');
    expect(Math.max(...records.map((r) => r.message.length))).toBeLessThan(1.1 * 1024 * 1024);
  });
});
