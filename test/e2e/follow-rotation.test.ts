/**
 * End-to-end `predict --follow` under rotation: 20,000 lines through 10 rotations (mv + recreate,
 * the last lines of each file written just before its rename) are all read, each file's line
 * numbers starting at 1; a truncation and refill (copytruncate) restarts at the new content.
 * Waits on logml's output, never on the clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-rotate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function follow(file: string): { child: ChildProcess; rows: Array<{ line: number; message: string }>; waitFor: (n: number) => Promise<void>; stop: () => Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'predict', '--follow', file, '--format', 'ndjson', '--no-templates'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const rows: Array<{ line: number; message: string }> = [];
  let buf = '';
  let stderr = '';
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const r = JSON.parse(buf.slice(0, nl)) as { line: number; message: string };
      rows.push({ line: r.line, message: r.message });
      buf = buf.slice(nl + 1);
    }
    for (let i = waiters.length - 1; i >= 0; i--) if (rows.length >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const guard = setTimeout(() => child.kill('SIGKILL'), 150_000);
  return {
    child,
    rows,
    waitFor: (n) =>
      rows.length >= n
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ n, resolve })),
            closed.then(() => Promise.reject(new Error(`logml ended after ${rows.length} of ${n} rows: ${stderr}`))),
          ]),
    stop: async () => {
      child.kill('SIGINT');
      const code = await closed;
      clearTimeout(guard);
      return code;
    },
  };
}

const line = (f: number, i: number) => `2024-05-01 12:00:00,001 INFO [main] Server: file ${f} event ${i} done\n`;
const lines = (f: number, from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(f, from + k)).join('');

describe('predict --follow and rotation', () => {
  it('20,000 lines, 10 rotations: every line read once, line numbers restart per file', async () => {
    const file = join(dir, 'app.log');
    const PER = 2000;
    writeFileSync(file, lines(0, 0, 1500));
    const f = follow(file);
    for (let r = 0; r < 10; r++) {
      await f.waitFor(r * PER + 1); // this file is open in logml
      appendFileSync(file, lines(r, 1500, PER)); // the tail, written just before the rename
      renameSync(file, join(dir, `app.log.${r}`));
      if (r < 9) writeFileSync(file, lines(r + 1, 0, 1500));
    }
    await f.waitFor(10 * PER);
    expect(await f.stop()).toBe(0);
    expect(f.rows).toHaveLength(10 * PER);
    for (let r = 0; r < 10; r++) {
      const part = f.rows.slice(r * PER, (r + 1) * PER);
      expect(part.map((x) => x.line)).toEqual(Array.from({ length: PER }, (_, i) => i + 1));
      expect(part[PER - 1]!.message).toBe(`file ${r} event ${PER - 1} done`);
    }
  }, 180_000);

  it('a truncation and refill: the new content from its first line, not mangled', async () => {
    const file = join(dir, 'trunc.log');
    writeFileSync(file, lines(0, 0, 5));
    const f = follow(file);
    await f.waitFor(5);
    writeFileSync(file, lines(7, 0, 8)); // truncate and refill at once, longer than before
    await f.waitFor(13);
    expect(await f.stop()).toBe(0);
    expect(f.rows.slice(5).map((x) => x.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(f.rows.slice(5).map((x) => x.message)).toEqual(Array.from({ length: 8 }, (_, i) => `file 7 event ${i} done`));
  }, 120_000);
});
