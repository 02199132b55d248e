/**
 * End-to-end: the first SIGINT / SIGTERM stops `predict FILE` and `templates FILE` (no --follow):
 * reading stops, what was read is written whole, exit 130 / 143. Deterministic: the test stops
 * reading logml's output after the first chunk, so logml is blocked on a full pipe (it cannot
 * finish) when the signal arrives; then the test reads the rest.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, parseNdjson, ROOT } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-sig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const big = join(dir, 'big.log');
const hdfs = readFileSync(join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log'), 'utf8');
writeFileSync(big, hdfs.repeat(60)); // 120,000 lines: far more output than a pipe holds
const TOTAL = 120_000;

async function interrupt(args: string[], signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').once('data', (d: string) => {
      stdout += d;
      child.stdout.pause(); // logml now blocks on the full pipe
      resolve();
    });
  });
  child.kill(signal);
  child.stdout.on('data', (d: string) => (stdout += d));
  child.stdout.resume();
  const code = await closed;
  clearTimeout(guard);
  return { code, stdout, stderr };
}

describe('the first signal stops a run on a file', () => {
  it('predict FILE, SIGINT: exit 130, whole records written, fewer than all', async () => {
    const res = await interrupt(['predict', big, '--format', 'ndjson'], 'SIGINT');
    expect(res.code).toBe(130);
    expect(res.stdout.endsWith('\n')).toBe(true);
    const rows = parseNdjson(res.stdout); // every line whole
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(TOTAL);
    expect(rows.map((r) => r.line)).toEqual(rows.map((_, i) => i + 1));
    expect(res.stderr).toMatch(/^logml: interrupted \(SIGINT\)/);
  });
  it('predict FILE --format json, SIGTERM: exit 143, the JSON array closed', async () => {
    const res = await interrupt(['predict', big, '--format', 'json'], 'SIGTERM');
    expect(res.code).toBe(143);
    const rows = JSON.parse(res.stdout) as unknown[];
    expect(rows.length).toBeLessThan(TOTAL);
  });
  it('predict from a pipe that stays open: SIGTERM ends it, exit 143, what was read written', async () => {
    const child = spawn(process.execPath, [BIN, 'predict', '--format', 'ndjson'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const first = new Promise<void>((resolve) => child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      resolve();
    }));
    child.stdin.write(hdfs.repeat(3)); // 6,000 lines: more than one batch of 4,096
    await first; // the first batch (4,096 records) is out: logml now waits on the open pipe
    child.kill('SIGTERM');
    const code = await closed;
    clearTimeout(guard);
    child.stdin.destroy();
    expect(code).toBe(143);
    const rows = parseNdjson(stdout);
    expect(rows.length).toBeGreaterThanOrEqual(4096);
    expect(rows.map((r) => r.line)).toEqual(rows.map((_, i) => i + 1)); // nothing lost before the stop
  });
  it('templates FILE, SIGINT: exit 130; SIGTERM: 143', async () => {
    const a = await interrupt(['templates', big, '--format', 'ndjson'], 'SIGINT');
    expect(a.code).toBe(130);
    expect(parseNdjson(a.stdout).length).toBeLessThan(TOTAL);
    const b = await interrupt(['templates', big, '--format', 'ndjson'], 'SIGTERM');
    expect(b.code).toBe(143);
  });
});
