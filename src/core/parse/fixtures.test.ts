/**
 * @file Golden tests: every synthetic fixture in fixtures/formats is auto-detected as the right
 * format and parses to exactly the records in its `.expected.ndjson` file (year fixed to 2024).
 * Regenerate goldens after a deliberate change with LOGML_UPDATE_GOLDEN=1, then review the diff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../types.js';
import { createRecordParser, detectFormat, type InputFormat } from './index.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/formats/', import.meta.url));

const CASES: ReadonlyArray<[file: string, format: InputFormat]> = [
  ['pino.ndjson', 'json'],
  ['bunyan.ndjson', 'json'],
  ['winston.ndjson', 'json'],
  ['docker-json.log', 'json'],
  ['k8s.ndjson', 'json'],
  ['logfmt.log', 'logfmt'],
  ['syslog-3164.log', 'syslog'],
  ['syslog-5424.log', 'syslog'],
  ['klog.log', 'klog'],
  ['java-stacktrace.log', 'header'],
  ['python-traceback.log', 'header'],
  ['spring-boot.log', 'header'],
  ['log4j.log', 'header'],
  ['postgresql.log', 'header'],
  ['nginx-error.log', 'header'],
  ['access-combined.log', 'header'],
  ['apache-error.log', 'header'],
  ['syslog-nopri.log', 'syslog'],
  ['pipe-delimited.log', 'header'],
  ['bracket-program.log', 'header'],
  ['java-thread-class.log', 'header'],
  ['windows-cbs.log', 'header'],
  ['cri.log', 'header'],
  ['columns-epoch.log', 'header'],
  ['celery.log', 'header'],
  ['tomcat.log', 'header'],
  ['json-with-text.ndjson', 'json'],
  ['clef.ndjson', 'json'],
  ['journal.ndjson', 'json'],
  ['go-panic.log', 'plain'],
  ['log4j2-minecraft.log', 'header'],
  ['ansible.log', 'header'],
  ['cassandra.log', 'header'],
  ['nginx-json.ndjson', 'json'],
];

/**
 * Inputs the line-format detector does not decide alone: the parser reads them as documents
 * (pretty-printed JSON, a JSON array, a CSV export, a W3C extended log) or joins line pairs
 * (java.util.logging).
 */
const DOCUMENTS: readonly string[] = ['jul.log', 'pretty-json.log', 'json-array.log', 'export-csv.log', 'iis-w3c.log'];

function readLines(file: string): string[] {
  const lines = readFileSync(FIXTURES + file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function parseAll(file: string): LogRecord[] {
  const parser = createRecordParser({ source: file, format: 'auto', year: 2024 });
  const records = readLines(file).flatMap((line, i) => parser.push(line, i + 1));
  return records.concat(parser.flush());
}

function goldenPath(file: string): string {
  return FIXTURES + file.replace(/\.(ndjson|log)$/, '') + '.expected.ndjson';
}

describe('fixtures/formats golden files', () => {
  for (const [file, format] of CASES) {
    it(`${file} is detected as ${format}`, () => {
      expect(detectFormat(readLines(file).slice(0, 50))).toBe(format);
    });

    it(`${file} parses to its golden records`, () => {
      const records = parseAll(file);
      const actual = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
      if (process.env['LOGML_UPDATE_GOLDEN'] === '1') writeFileSync(goldenPath(file), actual);
      expect(actual).toBe(readFileSync(goldenPath(file), 'utf8'));
    });
  }
  for (const file of DOCUMENTS) {
    it(`${file} parses to its golden records`, () => {
      const actual = parseAll(file).map((r) => JSON.stringify(r)).join('\n') + '\n';
      if (process.env['LOGML_UPDATE_GOLDEN'] === '1') writeFileSync(goldenPath(file), actual);
      expect(actual).toBe(readFileSync(goldenPath(file), 'utf8'));
    });
  }
});
