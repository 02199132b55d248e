/**
 * End-to-end: an error in any stage of `predict` / `templates` ends the process with its exit
 * code and a one-line error; none may leave the scoring thread running (a hang). Each run is
 * guarded by runCli's timeout, which kills the process and fails the test.
 * (The stages that need PostgreSQL are in templates-db.test.ts.)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { ROOT, runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-hang-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hdfs = join(ROOT, 'fixtures', 'loghub', 'HDFS_200.log');
/** Guard: a process that has not ended after this long is a hang. */
const GUARD = { timeoutMs: 45_000 };

function oneLine(res: { code: number | null; stderr: string }, code: number, pattern: RegExp) {
  expect(res.code).toBe(code);
  expect(res.stderr.split('\n')[0]).toMatch(pattern);
  expect(res.stderr).not.toMatch(/\n\s+at /);
}

describe('predict: a failing template stage ends the process', () => {
  it('corrupt --template-state: exit 2', async () => {
    const state = join(dir, 'garbage.json');
    writeFileSync(state, 'garbage\n');
    oneLine(await runCli(['predict', hdfs, '--template-state', state], GUARD), 2, /not valid JSON/);
  });
  it('--template-state that cannot be read (a directory): exit 2', async () => {
    const state = join(dir, 'a-dir');
    mkdirSync(state, { recursive: true });
    oneLine(await runCli(['predict', hdfs, '--template-state', state], GUARD), 2, /cannot read template state/);
  });
  it('--template-state under a file, not a folder: exit 2', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    oneLine(await runCli(['predict', hdfs, '--template-state', join(notADir, 's.json')], GUARD), 2, /cannot read template state/);
  });
  it('--template-state that cannot be written: the records are written, then exit 1', async () => {
    // /proc/self exists but takes no new files, even for root
    const res = await runCli(['predict', hdfs, '--template-state', '/proc/self/logml-state.json', '--format', 'ndjson'], GUARD);
    oneLine(res, 1, /cannot write template state/);
    expect(res.stdout.trim().split('\n')).toHaveLength(200);
  });
  it('unreachable --template-db: exit 1', async () => {
    oneLine(await runCli(['predict', hdfs, '--template-db', 'postgres://logml@127.0.0.1:1/none'], GUARD), 1, /connecting to PostgreSQL .* failed/);
  });
});

describe('templates: a failing state ends the process', () => {
  it('corrupt --state: exit 2', async () => {
    const state = join(dir, 'garbage2.json');
    writeFileSync(state, '{"version": 1, "templates": 7}');
    oneLine(await runCli(['templates', hdfs, '--state', state], GUARD), 2, /template/);
  });
  it('unreachable --db: exit 1', async () => {
    oneLine(await runCli(['templates', hdfs, '--db', 'postgres://logml@127.0.0.1:1/none'], GUARD), 1, /connecting to PostgreSQL .* failed/);
  });
});
