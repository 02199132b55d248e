/**
 * @file End-to-end `logml register` with the built binary against a real PostgreSQL: the
 * command's own --version / --model-version (not the program's -V/--version), and a refused
 * re-register whose hint can be followed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readBundle } from '../../src/core/model/bundle.js';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';
import { startPostgres, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
const LEVEL = join(ROOT, 'models', 'level.onnx');
const own = readBundle(readFileSync(LEVEL), LEVEL).meta;

beforeAll(async () => {
  db = await startPostgres();
  expect((await runCli(['db', 'migrate', '--db', db.url])).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

describe('logml register (built binary)', () => {
  it('register MODEL --version V registers (the program version is -V before the command)', async () => {
    const r = await runCli(['register', LEVEL, '--version', own.version, '--db', db.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^registered ${own.name}@${own.version} sha256 [0-9a-f]{64}\\n$`));
    const again = await runCli(['register', LEVEL, '--model-version', own.version, '--db', db.url, '--debug']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already registered \(same bytes\)/);
    const v = await runCli(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a version other than the model\'s own is refused with a hint that can be followed', async () => {
    const r = await runCli(['register', LEVEL, '--model-version', '9.9.9', '--db', db.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`logml: --model-version 9.9.9 differs from the model's own version ${own.version}`);
    expect(r.stderr).toContain('hint: predictions are stored under the model\'s own name@version: leave --model-version out, or retrain with "logml train ... --model-version 9.9.9"');
  });

  it('models list shows each model\'s task and latest measured metrics; models download writes the registered bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-registry-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const csv = join(dir, 'labeled.csv');
    const hdfs = readFileSync(join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log_structured.csv'), 'utf8').trim().split('\n').slice(1, 201);
    writeFileSync(csv, 'message,level\n' + hdfs.map((l) => { const c = l.split(','); return `"${c.slice(6, -2).join(',').replace(/"/g, '""')}",${c[4]}`; }).join('\n') + '\n');
    const ev = await runCli(['register', LEVEL, '--eval', csv, '--alias', 'production', '--db', db.url]);
    expect(ev.code).toBe(0);
    const reg = await runCli(['register', join(ROOT, 'models', 'anomaly.onnx'), '--db', db.url]);
    expect(reg.code).toBe(0);
    const list = await runCli(['models', 'list', '--db', db.url, '--format', 'ndjson']);
    expect(list.code).toBe(0);
    const rows = parseNdjson(list.stdout);
    const level = rows.find((r) => r.name === own.name)!;
    expect(level).toMatchObject({ task: 'level', aliases: ['production'], latestMetrics: { sampleSize: 200 } });
    expect((level.latestMetrics as { accuracy: number }).accuracy).toBeGreaterThan(0.5);
    expect(rows.find((r) => r.task === 'anomaly')).toMatchObject({ latestMetrics: null });
    const table = await runCli(['models', 'list', '--db', db.url, '--format', 'table']);
    expect(table.stdout).toMatch(/task.*accuracy.*f1.*fpr/);

    const out = join(dir, "downloaded.onnx");
    const dl = await runCli(['models', 'download', `${own.name}@production`, '-o', out, '--db', db.url]);
    expect(dl.stderr).toBe('');
    expect(dl.code).toBe(0);
    expect(dl.stdout).toMatch(new RegExp(`^wrote ${out} \\(${own.name}@${own.version}, sha256 [0-9a-f]{64}, `));
    expect(readFileSync(out).equals(readFileSync(LEVEL))).toBe(true);
    const missing = await runCli(['models', 'download', 'nope@1', '-o', out, '--db', db.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('logml: no model nope@1 in the registry');
  });
});
