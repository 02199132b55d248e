/**
 * @file Every example in every --help runs as given, offline: the examples are read from the
 * built binary's help texts, run in a directory holding the files they name (made from the
 * fixtures), and must exit 0 (3 for an example with a gate, a breach being a designed outcome).
 * Examples that need PostgreSQL, kubectl or run until Ctrl-C are listed by why they are not run,
 * so a new example is either run or classified.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/run-cli.js';

const COMMANDS = ['', 'predict', 'train', 'evaluate', 'templates', 'db', 'db migrate', 'register', 'models', 'models list', 'models show', 'models promote', 'backfill', 'report', 'compare', 'retrain', 'serve'];

/** Why an example is not run offline (first match). */
const NOT_OFFLINE: Array<[RegExp, string]> = [
  [/--db\b|DATABASE_URL|--template-db|\blogml (backfill|register|models|db migrate|retrain)\b/, 'needs PostgreSQL'],
  [/\bkubectl\b/, 'needs kubectl'],
  [/(^|\s)(-f|--follow)\s/, 'runs until Ctrl-C'],
  [/\blogml serve\b/, 'a server: runs until SIGTERM (test/e2e/serve.test.ts runs it)'],
  [/^curl\b/, 'needs a running logml serve (test/e2e/serve.test.ts)'],
];

let dir: string;
let examples: string[] = [];

function csv(rows: string[][]): string {
  return rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n') + '\n';
}

beforeAll(async () => {
  for (const c of COMMANDS) {
    const r = await runCli([...(c ? c.split(' ') : []), '--help'], { env: { LOGML_NO_HELP_CACHE: '1' } });
    expect(r.code).toBe(0);
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*\$ (.+)$/.exec(line);
      // what follows two or more spaces after the command is its description
      if (m) examples.push(m[1]!.split(/\s{2,}/)[0]!.trim());
    }
  }
  examples = [...new Set(examples)];
  dir = mkdtempSync(join(tmpdir(), 'logml-help-examples-'));
  const log = readFileSync(join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log'));
  for (const f of ['app.log', 'normal-week.log', 'today.log', 'last-week.log']) writeFileSync(join(dir, f), log);
  writeFileSync(join(dir, 'app.log.gz'), gzipSync(log));
  const hdfs = readFileSync(join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log_structured.csv'), 'utf8').trim().split('\n').slice(1);
  const header = 'LineId,Date,Time,Pid,Level,Component,Content,EventId,EventTemplate'.split(',');
  const rows = hdfs.map((l) => {
    const cells = l.split(',');
    return { level: cells[header.indexOf('Level')]!, content: cells.slice(6, cells.length - 2).join(',') };
  });
  writeFileSync(join(dir, 'labeled.csv'), csv([['message', 'level'], ...rows.map((r) => [r.content, r.level])]));
  writeFileSync(join(dir, 'export.csv'), csv([['msg', 'severity'], ...rows.map((r) => [r.content, r.level])]));
  writeFileSync(join(dir, 'labels.csv'), csv([['line', 'level', 'is_anomaly'], ...rows.slice(0, 200).map((r, i) => [String(i + 1), r.level, i % 50 === 0 ? '1' : '0'])]));
  copyFileSync(join(ROOT, 'fixtures', 'loghub-2k', 'BGL_2k.log_structured.csv'), join(dir, 'bgl.csv'));
  mkdirSync(join(dir, 'models'));
  for (const t of ['level', 'anomaly']) copyFileSync(join(ROOT, 'models', `${t}.onnx`), join(dir, 'models', `${t}.onnx`));
  for (const [f, t] of [['level.onnx', 'level'], ['anomaly.onnx', 'anomaly'], ['my-level.onnx', 'level'], ['my-anomaly.onnx', 'anomaly'], ['new-level.onnx', 'level']]) {
    copyFileSync(join(ROOT, 'models', `${t}.onnx`), join(dir, f!));
  }
  writeFileSync(join(dir, 'preds.ndjson'), execFileSync(process.execPath, [BIN, 'predict', 'app.log'], { cwd: dir }));
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('help examples', () => {
  it('were found in the help texts, and each is run or classified', () => {
    expect(examples.length).toBeGreaterThan(30);
    const offline = examples.filter((e) => !NOT_OFFLINE.some(([re]) => re.test(e)));
    expect(offline.length).toBeGreaterThan(15);
  });

  it('every offline example runs as given', async () => {
    const failures: string[] = [];
    const ran: string[] = [];
    for (const example of examples) {
      if (NOT_OFFLINE.some(([re]) => re.test(example))) continue;
      const script = `logml() { "${process.execPath}" "${BIN}" "$@"; }\n${example}`;
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn('sh', ['-c', script], { cwd: dir, env: { ...process.env, FORCE_COLOR: '0', GITHUB_STEP_SUMMARY: join(dir, 'summary.md') }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      ran.push(example);
      const ok = r.code === 0 || (r.code === 3 && /--(min|max)-/.test(example));
      if (!ok) failures.push(`${example}\n  exit ${r.code}: ${r.stderr.trim().split('\n').slice(0, 2).join(' / ')}`);
    }
    expect(failures).toEqual([]);
    expect(ran).toEqual(expect.arrayContaining(['logml train --task anomaly --data bgl.csv --text-column Content --label-column Label --out anomaly.onnx', 'logml evaluate --data app.log']));
  }, 600_000);
});
