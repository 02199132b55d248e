/**
 * Seeded fuzz: real log lines, randomly mutated (bytes flipped, invalid UTF-8, NUL, CR, JSON
 * nested deep, lines over the cap, blank lines), go through `predict --input-format json` (one
 * record per non-blank line) from a file, from standard input and in small batches. No crash, no
 * hang (runCli's timeout), and every line is accounted for: scored, or skipped and counted.
 * Sizes are bounded so the suite stays fast; a failing seed is printed by the test name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MAX_LINE = 16_000;
const base = ['HDFS_2k.log', 'Apache_2k.log', 'OpenStack_2k.log'].flatMap((f) => readFileSync(join(ROOT, 'fixtures', 'loghub-2k', f), 'utf8').split('\n').slice(0, 300));

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A mutated corpus, and how many of its lines must come out as records and as too-long skips. */
function corpus(seed: number): { bytes: Buffer; records: number; tooLong: number } {
  const r = rng(seed);
  const lines: Buffer[] = [];
  for (let i = 0; i < 1500; i++) {
    let line = Buffer.from(base[Math.floor(r() * base.length)]!);
    const roll = r();
    if (roll < 0.01) {
      const depth = 5000 + Math.floor(r() * 2000); // nested too deep for JSON.stringify; some unbalanced
      line = Buffer.from(`{"msg":${'['.repeat(depth)}${']'.repeat(r() < 0.7 ? depth : depth - 1)}}`);
    }
    else if (roll < 0.015) line = Buffer.alloc(MAX_LINE + 1 + Math.floor(r() * 5000), 0x61); // over the cap
    else if (roll < 0.03) line = Buffer.from(r() < 0.5 ? '' : ' \t ');
    else if (roll < 0.05) line = Buffer.from(JSON.stringify({ level: 'warn', msg: line.toString(), n: { a: [1, { b: null }] } }));
    else if (roll < 0.08) {
      line = Buffer.from(line);
      for (let k = 0; k < 3; k++) line[Math.floor(r() * line.length)] = [0x00, 0xff, 0xc3, 0x80, 0x0d, 0x7b, 0x22][Math.floor(r() * 7)]!;
    }
    lines.push(line);
  }
  let records = 0;
  let tooLong = 0;
  for (const l of lines) {
    let end = l.length;
    if (end > 0 && l[end - 1] === 0x0d) end--;
    if (l.length > MAX_LINE) tooLong++;
    else if (!/^[ \t]*$/.test(l.subarray(0, end).toString('utf8'))) records++;
  }
  return { bytes: Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), records, tooLong };
}

function counts(stderr: string): { tooLong: number; unparsable: number } {
  const m = /skipped \d+ lines? \(([^)]*)\)/.exec(stderr);
  const part = (re: RegExp) => Number(re.exec(m?.[1] ?? '')?.[1] ?? 0);
  return { tooLong: part(/(\d+) longer than/), unparsable: part(/(\d+) unparsable/) };
}

describe('fuzz: mutated lines through predict', () => {
  for (const seed of [1, 7, 2026]) {
    const c = corpus(seed);
    const file = join(dir, `fuzz-${seed}.log`);
    writeFileSync(file, c.bytes);
    const common = ['--input-format', 'json', '--format', 'ndjson', '--no-templates', '--max-line-bytes', String(MAX_LINE)];
    for (const [mode, args, stdin] of [
      ['file', ['predict', file, ...common], undefined],
      ['stdin', ['predict', ...common], c.bytes],
      ['batches of 7', ['predict', file, ...common, '--batch-size', '7'], undefined],
    ] as const) {
      it(`seed ${seed}, ${mode}: exit 0, every line scored or counted`, async () => {
        const res = await runCli([...args], { timeoutMs: 60_000, ...(stdin ? { stdin } : {}) });
        expect(res.stderr).not.toMatch(/unexpected error|\n\s+at /);
        expect(res.code).toBe(0);
        const rows = parseNdjson(res.stdout);
        const k = counts(res.stderr);
        expect(k.tooLong).toBe(c.tooLong);
        expect(rows.length + k.unparsable).toBe(c.records);
        expect(new Set(rows.map((x) => x.line)).size).toBe(rows.length); // none doubled
        expect(k.unparsable).toBeGreaterThan(0); // the deep records were met, and set aside
      });
    }
  }
});
