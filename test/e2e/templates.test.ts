/**
 * End-to-end: `logml templates` per record and as a summary; ids stable across runs with --state;
 * predict fills template fields.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-tpl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
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

  it('files: the first lines of a template generalised later share its final id and text', async () => {
    const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
    const text = names.map((n) => `session opened for ${n}`).join('\n') + '\n';
    const file = join(dir, 'variants.log');
    writeFileSync(file, text);
    const rows = parseNdjson((await runCli(['templates', file])).stdout);
    expect(rows).toHaveLength(names.length);
    expect(new Set(rows.map((r) => r.template_id)).size).toBe(1);
    expect(new Set(rows.map((r) => r.template))).toEqual(new Set(['session opened for <*>']));
    // a pipe is mined online: the lines before the merge keep the id they were written with
    const piped = parseNdjson((await runCli(['templates', '--format', 'ndjson'], { stdin: text })).stdout);
    expect(piped.at(-1)!.template_id).toBe(rows[0]!.template_id);
    expect(new Set(piped.map((r) => r.template_id)).size).toBeGreaterThan(1);
  });

  it('--params gives each record its parameter values in template order (ndjson and csv)', async () => {
    const file = join(dir, 'params.log');
    writeFileSync(file, ['connect to 10.0.0.1 port 22 took 5 ms', 'connect to 10.0.0.2 port 2222 took 17 ms', 'connect to 10.0.0.3 port 80 took 1 ms'].join('\n') + '\n');
    const rows = parseNdjson((await runCli(['templates', file, '--params'])).stdout);
    expect(rows.map((r) => r.params)).toEqual([['10.0.0.1', '22', '5'], ['10.0.0.2', '2222', '17'], ['10.0.0.3', '80', '1']]);
    const csv = (await runCli(['templates', file, '--params', '--format', 'csv'])).stdout.split('\n');
    expect(csv[0]).toBe('source,line,template_id,template,params');
    expect(csv[1]).toContain('"[""10.0.0.1"",""22"",""5""]"');
    // without the flag, the rows keep their four fields
    expect(Object.keys(parseNdjson((await runCli(['templates', file])).stdout)[0]!)).toEqual(['source', 'line', 'template_id', 'template']);
  });

  it('--since/--until, --level, --grep and --template choose the records written; bad values exit 2', async () => {
    const file = join(dir, 'filters.log');
    writeFileSync(file, [
      '2024-03-05 10:00:00,000 INFO [main] app.Server: request 1 served',
      '2024-03-05 10:05:00,000 WARN [main] app.Server: slow request 2 took 900 ms',
      '2024-03-05 10:10:00,000 ERROR [main] app.Db: connection to db1 refused',
      '2024-03-05 10:15:00,000 INFO [main] app.Server: request 3 served',
      '2024-03-05 10:20:00,000 ERROR [main] app.Db: connection to db2 refused',
    ].join('\n') + '\n');
    const lines = async (...args: string[]) => parseNdjson((await runCli(['templates', file, ...args])).stdout).map((r) => r.line);
    expect(await lines('--since', '2024-03-05T10:05:00Z', '--until', '2024-03-05 10:15')).toEqual([2, 3]);
    expect(await lines('--level', 'ERROR')).toEqual([3, 5]);
    expect(await lines('--level', 'WARN+')).toEqual([2, 3, 5]);
    expect(await lines('--level', 'info,warning')).toEqual([1, 2, 4]);
    expect(await lines('--grep', 'refused|slow')).toEqual([2, 3, 5]);
    const all = parseNdjson((await runCli(['templates', file])).stdout);
    expect(await lines('--template', all[0]!.template_id as string)).toEqual([1, 4]);
    const summary = JSON.parse((await runCli(['templates', file, '--level', 'ERROR', '--summary', '--format', 'json'])).stdout) as Array<{ count: number }>;
    expect(summary.map((r) => r.count)).toEqual([2]);
    for (const bad of [['--since', 'yesterday-ish'], ['--level', 'LOUD'], ['--grep', '(']]) {
      const res = await runCli(['templates', file, ...bad]);
      expect(res.code).toBe(2);
      expect(res.stderr.split('\n')[0]).toMatch(/^logml: /);
      expect(res.stderr).toContain('hint:');
    }
  });

  it('predict --params adds params after the template; --no-templates with --params is a usage error', async () => {
    const file = join(dir, 'predict-params.log');
    writeFileSync(file, 'connect to 10.0.0.1 port 22 took 5 ms\nconnect to 10.0.0.2 port 23 took 7 ms\n');
    const rows = parseNdjson((await runCli(['predict', file, '--params'])).stdout);
    expect(rows.map((r) => r.params)).toEqual([['10.0.0.1', '22', '5'], ['10.0.0.2', '23', '7']]);
    expect(Object.keys(rows[0]!).slice(-3)).toEqual(['template', 'params', 'model']);
    expect(Object.keys(parseNdjson((await runCli(['predict', file])).stdout)[0]!)).not.toContain('params');
    const bad = await runCli(['predict', file, '--params', '--no-templates']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^logml: --params goes with templates/);
  });

  it('access logs: time read, status code as a field of predict and templates rows', async () => {
    const access = join(ROOT, 'fixtures', 'formats', 'access-combined.log');
    const predicted = parseNdjson((await runCli(['predict', access])).stdout);
    expect(predicted.map((r) => r.status)).toEqual([200, 200, 401, 404, 408, 502]);
    expect(predicted[1]!.time).toBe('2024-03-05T10:15:30.000Z');
    expect(predicted[1]!.message).toMatch(/^"GET \/api\/orders\/981 HTTP\/1.1" 200 512/);
    const mined = parseNdjson((await runCli(['templates', access])).stdout);
    expect(mined.map((r) => r.status)).toEqual([200, 200, 401, 404, 408, 502]);
  });

  it('raw files with headers: one event on two threads or pids gets one template', async () => {
    const spring = join(ROOT, 'fixtures', 'formats', 'spring-boot.log');
    const rows = parseNdjson((await runCli(['templates', spring])).stdout);
    expect(rows.map((r) => r.template)).toContain('SQL Error: <*>, SQLState: <*>');
    expect(rows.every((r) => !/---|nio-8080/.test(r.template as string))).toBe(true);
    const file = join(dir, 'pg.log');
    writeFileSync(file, [
      '2024-03-05 10:15:30.123 UTC [1234] LOG:  checkpoint starting: time',
      '2024-03-05 10:20:30.123 UTC [5678] LOG:  checkpoint starting: time',
    ].join('\n') + '\n');
    const pg = parseNdjson((await runCli(['templates', file])).stdout);
    expect(pg[0]!.template_id).toBe(pg[1]!.template_id);
    expect(pg[0]!.template).toBe('checkpoint starting: time');
  });
});

