/**
 * End-to-end: train a model from log files and from a CSV, use it in predict, evaluate it;
 * help and version.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hadoopLog = join(ROOT, 'fixtures', 'loghub-2k', 'Hadoop_2k.log');
const bglCsv = join(ROOT, 'fixtures', 'loghub-2k', 'BGL_2k.log_structured.csv');

describe('logml train: warnings and default versions', () => {
  it('warns when the held-out part holds a single class; other data gets another default version', async () => {
    const hdfs = join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log');
    const res = await runCli(['train', '--task', 'level', '--data', hdfs, '--out', join(dir, 'hdfs.onnx'), '--format', 'json']);
    expect(res.code).toBe(0);
    // HDFS_2k's last 400 records are all INFO
    expect(res.stderr).toBe('logml: warning: the held-out part (last 400 of 2000 records (input order)) holds only INFO records: its figures say nothing about the other levels; shuffle the data, or give a larger --holdout\n');
    const hadoop = await runCli(['train', '--task', 'level', '--data', hadoopLog, '--out', join(dir, 'hadoop.onnx'), '--format', 'json']);
    const [a, b] = [JSON.parse(res.stdout).model, JSON.parse(hadoop.stdout).model];
    expect(a).toMatch(/^level-custom@1-[0-9a-f]{8}$/);
    expect(b).toMatch(/^level-custom@1-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    const seed = await runCli(['train', '--task', 'level', '--data', hdfs, '--out', join(dir, 'hdfs-7.onnx'), '--format', 'json', '--seed', '7']);
    expect(JSON.parse(seed.stdout).model).not.toBe(a);
  });
});

describe('logml train / evaluate', () => {
  it('trains a level model from a log file (its levels are the labels) and writes ONNX', async () => {
    const out = join(dir, 'hadoop-level.onnx');
    const res = await runCli(['train', '--task', 'level', '--data', hadoopLog, '--out', out, '--name', 'hadoop-level', '--format', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.model).toMatch(/^hadoop-level@1-[0-9a-f]{8}$/);
    expect(summary.trainingData.records).toBe(1600);
    expect(summary.metrics.heldOut.n).toBe(400);
    expect(summary.metrics.heldOut.macroF1).toBeGreaterThan(0.3);
    const again = join(dir, 'again.onnx');
    await runCli(['train', '--task', 'level', '--data', hadoopLog, '--out', again, '--name', 'hadoop-level']);
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);

    const scored = await runCli(['predict', hadoopLog, '--model', out]);
    expect(scored.code).toBe(0);
    const rows = parseNdjson(scored.stdout);
    expect(rows[0]!.model).toEqual([summary.model]);
    // a level model alone still scores anomalies: severity x novelty (no anomaly head)
    expect(typeof rows[0]!.anomaly_score).toBe('number');

    const ev = await runCli(['evaluate', '--model', out, '--data', hadoopLog, '--format', 'json']);
    expect(ev.code).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect(e.task).toBe('level');
    expect(e.n).toBe(2000);
    expect(e.report.perClass.map((c: { label: string }) => c.label)).toEqual(expect.arrayContaining(['INFO', 'WARN', 'ERROR']));
    expect(e.report.confusion.length).toBe(e.report.labels.length);
    // WARN or above against below, counted from the same confusion matrix
    const troubleRows = e.report.labels.map((l: string, i: number) => (['WARN', 'ERROR', 'FATAL'].includes(l) ? i : -1)).filter((i: number) => i >= 0);
    const actualTrouble = troubleRows.reduce((a: number, i: number) => a + e.report.confusion[i].reduce((x: number, y: number) => x + y, 0), 0);
    expect(e.trouble.tp + e.trouble.fn).toBe(actualTrouble);
    expect(e.trouble.n).toBe(2000);
  });

  it('train and evaluate say how many lines were repaired or left out, like predict', async () => {
    const bad = join(dir, 'bad-bytes.log');
    writeFileSync(bad, Buffer.concat([Buffer.from('2024-01-01 10:00:00 INFO app: started ok\n2024-01-01 10:00:01 ERROR app: failed '), Buffer.from([0xff, 0xfe]), Buffer.from(' to connect\n2024-01-01 10:00:02 INFO app: done\n')]));
    const tr = await runCli(['train', '--task', 'level', '--data', bad, '--holdout', '0', '--out', join(dir, 'bad.onnx'), '--format', 'json']);
    expect(tr.code).toBe(0);
    expect(tr.stderr).toContain('1 line had bad bytes, replaced by U+FFFD');
    const ev = await runCli(['evaluate', '--model', join(ROOT, 'models', 'level.onnx'), '--data', bad, '--format', 'json']);
    expect(ev.code).toBe(0);
    expect(ev.stderr).toContain(`${bad}: read 3 records`);
  });

  it('fine-tunes the shipped level model on a log file in one command (--base)', async () => {
    const out = join(dir, 'tuned.onnx');
    const res = await runCli(['train', '--task', 'level', '--data', hadoopLog, '--base', join(ROOT, 'models', 'level.onnx'), '--out', out, '--format', 'json']);
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.trainer.algorithm).toMatch(/^fine-tuned from level-default@/);
    expect(summary.trainer.epochs).toBe(4);
    // the base's classes, not just the ones in the data
    expect(summary.labels).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
    expect(summary.metrics.heldOut.n).toBe(400);
    const again = join(dir, 'tuned-again.onnx');
    await runCli(['train', '--task', 'level', '--data', hadoopLog, '--base', join(ROOT, 'models', 'level.onnx'), '--out', again]);
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
    const bad = await runCli(['train', '--task', 'level', '--data', hadoopLog, '--base', join(ROOT, 'models', 'anomaly.onnx'), '--out', join(dir, 'x.onnx')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/only level models can be fine-tuned/);
  });

  it('trains a supervised anomaly model from a CSV with named columns, and evaluates it as a table', async () => {
    const out = join(dir, 'bgl-anomaly.onnx');
    const res = await runCli(['train', '--task', 'anomaly', '--data', bglCsv, '--text-column', 'Content', '--label-column', 'Label', '--out', out, '--format', 'json']);
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.trainer.supervised).toBe(true);
    expect(summary.metrics.heldOut.n).toBe(400);
    const ev = await runCli(['evaluate', '--model', out, '--data', bglCsv, '--text-column', 'Content', '--label-column', 'Label', '--format', 'table']);
    expect(ev.code).toBe(0);
    expect(ev.stdout).toMatch(/false-positive rate/);
    expect(ev.stdout).toMatch(/on 2000 labeled records/);
  });

  it('bad training input: one-line errors, exit 2', async () => {
    const r1 = await runCli(['train', '--task', 'level', '--data', bglCsv, '--text-column', 'Nope', '--out', join(dir, 'x.onnx')]);
    expect(r1.code).toBe(2);
    expect(r1.stderr.split('\n')[0]).toMatch(/no column "Nope"/);
    const r2 = await runCli(['train', '--task', 'sideways', '--data', bglCsv, '--out', join(dir, 'x.onnx')]);
    expect(r2.code).toBe(2);
    const r3 = await runCli(['evaluate', '--model', join(ROOT, 'models', 'anomaly.onnx'), '--data', hadoopLog]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/no records with an anomaly label/);
  });
});

describe('help and version', () => {
  it('--version prints the package version', async () => {
    const res = await runCli(['--version']);
    expect(res.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(res.code).toBe(0);
  });
  it('the help text cached at build time is the live one', async () => {
    const cached = await runCli(['--help']);
    const live = await runCli(['--help'], { env: { LOGML_NO_HELP_CACHE: '1' } });
    expect(cached.code).toBe(0);
    expect(cached.stdout).toBe(live.stdout);
    expect(cached.stdout).toMatch(/predict/);
  });
  it('every subcommand has help with examples', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+)(?: \[options\]| \[file\.\.\.\]| <|\s)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['predict', 'train', 'evaluate']));
    for (const c of commands) {
      const res = await runCli([c, '--help']);
      expect(res.code, c).toBe(0);
      expect(res.stdout, c).toMatch(/Example/);
    }
  });
});
