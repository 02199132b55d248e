/**
 * @file LogHub check: for each LogHub system with a level, parse fixtures/loghub/X_200.log with
 * auto-detection and compare every record's message with the structured CSV's `Content` and its
 * level with the normalised `Level` column. Floors: 95% per system (currently 100%).
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRecordParser, normalizeLevel, type InputFormat } from './index.js';

const LOGHUB = fileURLToPath(new URL('../../../fixtures/loghub/', import.meta.url));
const MIN_MATCH_SHARE = 0.95;

const SYSTEMS: ReadonlyArray<[system: string, format: InputFormat]> = [
  ['Android', 'header'], ['Apache', 'header'], ['BGL', 'header'], ['HDFS', 'header'],
  ['Hadoop', 'header'], ['OpenStack', 'header'], ['Spark', 'header'], ['Windows', 'header'],
];

describe('LogHub messages and levels', () => {
  for (const [system, format] of SYSTEMS) {
    it(`${system}: detected as ${format}, messages equal Content, levels equal Level`, () => {
      const lines = readFileSync(`${LOGHUB}${system}_200.log`, 'utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      const rows = parse(readFileSync(`${LOGHUB}${system}_200.csv`), { columns: true }) as Array<Record<string, string>>;
      expect(rows).toHaveLength(lines.length);

      const parser = createRecordParser({ source: system, format: 'auto', year: 2017 });
      const records = lines.flatMap((line, i) => parser.push(line, i + 1)).concat(parser.flush());
      expect(parser.format).toBe(format);
      expect(records).toHaveLength(rows.length);

      let messages = 0;
      let levels = 0;
      let times = 0;
      records.forEach((record, i) => {
        const row = rows[i]!;
        if (record.line === i + 1 && record.message === row['Content']!.trim()) messages++;
        if (record.level !== null && record.level === normalizeLevel(row['Level'])) levels++;
        if (record.time !== null) times++;
      });
      expect(messages / rows.length).toBeGreaterThanOrEqual(MIN_MATCH_SHARE);
      expect(levels / rows.length).toBeGreaterThanOrEqual(MIN_MATCH_SHARE);
      expect(times).toBe(rows.length);
    });
  }
});

/** Every raw LogHub 2k file (headers included): the record parser's messages are the Content column. */
describe('LogHub 2k raw files: one record per line, message = Content', () => {
  const LOGHUB_2K = fileURLToPath(new URL('../../../fixtures/loghub-2k/', import.meta.url));
  const ALL = ['Android', 'Apache', 'BGL', 'HDFS', 'HPC', 'Hadoop', 'HealthApp', 'Linux', 'OpenSSH', 'OpenStack', 'Spark', 'Windows'];
  for (const system of ALL) {
    it(system, () => {
      const lines = readFileSync(`${LOGHUB_2K}${system}_2k.log`, 'utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      const rows = parse(readFileSync(`${LOGHUB_2K}${system}_2k.log_structured.csv`), { columns: true, relax_quotes: true }) as Array<Record<string, string>>;
      const parser = createRecordParser({ source: system, format: 'auto', year: 2017 });
      const records = lines.flatMap((line, i) => parser.push(line, i + 1)).concat(parser.flush());
      expect(records).toHaveLength(rows.length);
      const same = records.filter((r, i) => r.line === i + 1 && r.message.trim() === rows[i]!['Content']!.trim()).length;
      expect(same / rows.length).toBeGreaterThanOrEqual(0.99);
    });
  }
});

