import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRecordParser } from './record-parser.js';
import { csvHeaderOf, splitCsvRow } from './csv-document.js';
import type { LogRecord } from '../types.js';

function parse(text: string): LogRecord[] {
  const p = createRecordParser({ source: 'x', format: 'auto', year: 2026 });
  return text.split('\n').flatMap((l, i) => p.push(l, i + 1)).concat(p.flush());
}

describe('csvHeaderOf', () => {
  it('a header names a message column and a time or level column', () => {
    expect(csvHeaderOf('timestamp,level,service,message')).toMatchObject({ delimiter: ',', time: 0, level: 1, component: 2, message: 3 });
    expect(csvHeaderOf('Level,Date and Time,Source,Event ID,Task Category,Description')).toMatchObject({ level: 0, time: 1, component: 2, message: 5 });
    expect(csvHeaderOf('LineId,Date,Time,Level,Component,Content,EventId,EventTemplate')).toMatchObject({ time: 1, clock: 2, level: 3, component: 4, message: 5 });
    expect(csvHeaderOf('"time"\t"severity"\t"msg"')).toMatchObject({ delimiter: '\t', time: 0, level: 1, message: 2 });
  });
  it('log lines are not headers', () => {
    for (const line of ['2026-12-03 10:00:00,123 INFO message', 'id,name,email', 'message,other', 'time, level and message are logged here, always', '[INFO] time,level,message']) {
      expect(csvHeaderOf(line)).toBeNull();
    }
  });
});

describe('splitCsvRow', () => {
  it('RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes', () => {
    expect(splitCsvRow('a,"b,c","say ""hi""",,d', ',')).toEqual(['a', 'b,c', 'say "hi"', '', 'd']);
    expect(splitCsvRow('"line one\nline two",x', ',')).toEqual(['line one\nline two', 'x']);
    expect(splitCsvRow('a\tb c\t"d"', '\t')).toEqual(['a', 'b c', 'd']);
  });
});

describe('CSV log exports', () => {
  it('each row is a record with its time, level, component and message; a quoted row may span lines', () => {
    const text = ['timestamp,level,service,message', '2026-12-03T10:00:00Z,INFO,api,server started', '2026-12-03T10:00:01Z,ERROR,api,"failed to connect, retrying"', '2026-12-03T10:00:02Z,WARN,worker,"job ""nightly"" took 93s', '(limit 60s)"', '', '2026-12-03T10:00:03Z,info,api,done'].join('\n');
    expect(parse(text).map((r) => [r.line, r.time, r.level, r.component, r.message])).toEqual([
      [2, '2026-12-03T10:00:00.000Z', 'INFO', 'api', 'server started'],
      [3, '2026-12-03T10:00:01.000Z', 'ERROR', 'api', 'failed to connect, retrying'],
      [4, '2026-12-03T10:00:02.000Z', 'WARN', 'worker', 'job "nightly" took 93s\n(limit 60s)'],
      [7, '2026-12-03T10:00:03.000Z', 'INFO', 'api', 'done'],
    ]);
  });

  it("reads LogHub's structured CSV: Date and Time joined, Content as the message", () => {
    const csv = readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'loghub-2k', 'HDFS_2k.log_structured.csv'), 'utf8');
    const records = parse(csv.trimEnd());
    expect(records).toHaveLength(2000);
    expect(records[0]).toMatchObject({ line: 2, time: '2008-11-09T20:36:15.000Z', level: 'INFO', component: 'dfs.DataNode$PacketResponder', message: 'PacketResponder 1 for block blk_38865049064139660 terminating' });
  });

  it('an unclosed quote ends its row at the record cap, so memory stays bounded', () => {
    // many short lines too: the open quote is tracked line by line, not by re-reading the row
    const lines = ['time,level,message', '2026-12-03T10:00:00Z,INFO,"never closed', ...Array.from({ length: 1200 }, () => 'x'.repeat(1000)), ...Array.from({ length: 200_000 }, () => 'short line')];
    const records = parse(lines.join('\n'));
    expect(records.length).toBeGreaterThan(1);
    expect(records.reduce((m, r) => Math.max(m, r.message.length), 0)).toBeLessThan(1.1 * 1024 * 1024);
  });
});
