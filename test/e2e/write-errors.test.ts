/**
 * End-to-end: a write error on standard output other than a closed reader (EPIPE), e.g. a full
 * disk (`> /dev/full`), is one error line and exit 1, never a Node stack.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/run-cli.js';

const hdfs = join(ROOT, 'fixtures', 'loghub', 'HDFS_200.log');

function toDevFull(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const fd = openSync('/dev/full', 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    closeSync(fd);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

describe.runIf(existsSync('/dev/full'))('output to a full device', () => {
  for (const args of [['predict', hdfs], ['predict', hdfs, '--format', 'csv'], ['templates', hdfs], ['templates', hdfs, '--summary'], ['predict', '--help']]) {
    it(`logml ${args.join(' ').replace(ROOT, '.')}: one line, exit 1`, async () => {
      const res = await toDevFull(args);
      expect(res.code).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines[0]).toBe('logml: cannot write the output: no space left on device (ENOSPC)');
      expect(lines.length).toBeLessThanOrEqual(2);
      if (lines[1]) expect(lines[1]).toMatch(/^hint: /);
    });
  }
});
