/**
 * End-to-end: `logml templates` per record and as a summary; ids stable across runs with --state;
 * predict fills template fields.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-tpl-'));
const hdfs = join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log');
const hdfsCsv = join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log_structured.csv');

describe('logml templates', () => {
  it('groups HDFS lines like the ground truth (grouping accuracy above 0.9)', async () => {
    const res = await runCli(['templates', hdfs]);
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows.length).toBe(2000);
    expect(Object.keys(rows[0]!)).toEqual(['source', 'line', 'template_id', 'template']);
    // ground truth event ids, in line order
    const truth = readFileSync(hdfsCsv, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.match(/,(E\d+),/)![1]!);
    const groupOf = (ids: string[]) => {
      const members = new Map<string, number[]>();
      ids.forEach((id, i) => members.set(id, [...(members.get(id) ?? []), i]));
      return ids.map((id) => members.get(id)!.join(','));
    };
    const predicted = groupOf(rows.map((r) => r.template_id as string));
    const actual = groupOf(truth);
    const ga = predicted.filter((g, i) => g === actual[i]).length / rows.length;
    expect(ga).toBeGreaterThan(0.9);
  });

  it('--summary lists templates with counts that add up', async () => {
    const res = await runCli(['templates', hdfs, '--summary', '--format', 'json']);
    expect(res.code).toBe(0);
    const rows = JSON.parse(res.stdout) as Array<{ count: number; template_id: string; first_seen: string; last_seen: string; example: string }>;
    expect(rows.reduce((a, r) => a + r.count, 0)).toBe(2000);
    expect(rows[0]!.first_seen <= rows[0]!.last_seen).toBe(true);
    expect(rows.length).toBeGreaterThan(5);
  });

  it('--state keeps ids stable across runs', async () => {
    const state = join(dir, 'state.json');
    const first = parseNdjson((await runCli(['templates', hdfs, '--state', state])).stdout);
    // a second process, on a re-ordered copy of the lines, with the saved state
    const lines = readFileSync(hdfs, 'utf8').split('\n').filter(Boolean).reverse();
    const copy = join(dir, 'reversed.log');
    writeFileSync(copy, lines.join('\n') + '\n');
    const second = parseNdjson((await runCli(['templates', copy, '--state', state])).stdout);
    const idsFirst = new Map(first.map((r, i) => [lines[lines.length - 1 - i], r.template_id]));
    let same = 0;
    second.forEach((r, i) => (idsFirst.get(lines[i]) === r.template_id ? same++ : 0));
    expect(same / second.length).toBeGreaterThan(0.99);
    expect(JSON.parse(readFileSync(state, 'utf8')).templates.length).toBeGreaterThan(5);
  });

  it('a corrupt state file is a one-line error, exit 2', async () => {
    const state = join(dir, 'bad.json');
    writeFileSync(state, '{not json');
    const res = await runCli(['templates', hdfs, '--state', state]);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toMatch(/not valid JSON/);
  });
});
