/**
 * @file Speed and memory of `logml predict` (run: npm run bench). Not a test: prints figures.
 *
 * Input: 1,000,000 lines built from the LogHub samples: for each of the 12 systems a file of
 * 83,334 lines cycling its 2,000 raw lines, the digits of each line's message shifted on every
 * cycle so parameters vary (the events repeat, as in real logs; the text does not). The header
 * before the message keeps its digits: shifting them too (as up to 2026-12-03) made nine lines in
 * ten carry an impossible time (`14-28 27:25:14`), and reading those failures was a third of the
 * parse stage, a cost real logs do not have. One `logml predict` call scores all
 * 12 files to /dev/null: NDJSON (default), --no-templates, CSV, and a high-variety copy of the
 * input where every line ends in its own letters-only word (every line distinct after masking,
 * so the scorer's caches miss and the models run on every line). Floor, same run: a bare Node
 * script that only reads the same files' lines and writes one small JSON object per line; every
 * rate is printed with its ratio to the floor measured on the same files. Also: peak RSS on 1M
 * and 10M lines (the 12 files named 10 times) and their difference, and `logml --help` start-up
 * against `node -e ""`, and peak RSS on 3,000 distinct ~34 KB lines (memory bounded by bytes).
 * BENCH_SKIP_10M=1 skips the 10M run. Last, the 1M, high-variety and long-line runs again under
 * `node --max-semi-space-size=2` (a smaller young generation: memory against speed, README "Memory").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOGHUB_DIR, SYSTEMS } from './loghub.js';
import { createRecordParser } from '../src/core/parse/index.js';
import type { LogRecord } from '../src/core/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// (`predict-v2`: the inputs since the header keeps its digits; the old `predict` folder can go)
const outDir = join(root, 'bench', 'out', 'predict-v2');
const TOTAL = 1_000_000;
const perSystem = Math.ceil(TOTAL / SYSTEMS.length);

/** Letters only (g..z): survives masking, so it makes a line distinct after masking. */
function word(n: number): string {
  const L = 'ghijklmnopqrstuvwxyz';
  let s = '';
  do {
    s += L[n % 20];
    n = Math.floor(n / 20);
  } while (n > 0);
  return s;
}

async function writeLines(path: string, lines: (i: number) => string, n: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) if (!out.write(lines(i) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(() => r()));
}

/** Where each line's message begins, as logml's parser reads the file (0 for a line it folds into another). */
function messageStarts(lines: readonly string[]): number[] {
  const parser = createRecordParser({ source: 'bench', format: 'auto', year: 2026 });
  const starts = lines.map(() => 0);
  const take = (records: LogRecord[]) => {
    for (const r of records) {
      const raw = lines[r.line - 1]!;
      const first = r.message.split('\n')[0]!;
      starts[r.line - 1] = Math.max(0, raw.lastIndexOf(first));
    }
  };
  lines.forEach((l, i) => take(parser.push(l, i + 1)));
  take(parser.flush());
  return starts;
}

async function buildInputs(): Promise<{ files: string[]; varied: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const varied: string[] = [];
  for (const s of SYSTEMS) {
    const path = join(outDir, `${s}.log`);
    const variedPath = join(outDir, `${s}.varied.log`);
    files.push(path);
    varied.push(variedPath);
    const lines = readFileSync(join(LOGHUB_DIR, `${s}_2k.log`), 'utf8').split('\n').filter((l) => l.length > 0);
    const starts = messageStarts(lines);
    const line = (i: number) => {
      const cycle = Math.floor(i / lines.length);
      const raw = lines[i % lines.length]!;
      if (cycle === 0) return raw;
      const at = starts[i % lines.length]!;
      return raw.slice(0, at) + raw.slice(at).replace(/\d/g, (d) => String((Number(d) + cycle) % 10));
    };
    if (!existsSync(path)) await writeLines(path, line, perSystem);
    if (!existsSync(variedPath)) await writeLines(variedPath, (i) => `${line(i)} ref ${word(i)}`, perSystem);
  }
  return { files, varied };
}

const BASELINE = `
const fs = require('fs');
(async () => {
  let out = '';
  for (const file of process.argv.slice(1)) {
    let rest = '';
    let lineNo = 0;
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const parts = (rest + chunk).split('\\n');
      rest = parts.pop();
      for (const line of parts) {
        out += JSON.stringify({ source: file, line: ++lineNo, length: line.length }) + '\\n';
        if (out.length > 65536) { if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once('drain', r)); out = ''; }
      }
    }
  }
  process.stdout.write(out);
})();
`;

/** Wall seconds and peak RSS (MB) of a command whose stdout goes to /dev/null. */
function measure(cmd: string, args: string[]): { seconds: number; peakMb: number } {
  const res = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr.slice(-2000)}`);
  const last = res.stderr.trim().split('\n').pop()!;
  const [secs, kb] = last.split(' ').map(Number) as [number, number];
  return { seconds: secs, peakMb: kb / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function startupMs(cmd: string, args: string[], runs = 15): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(cmd, args, { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

const { files, varied } = await buildInputs();
const baselineFile = join(outDir, 'baseline.cjs');
writeFileSync(baselineFile, BASELINE);
const logml = join(root, 'bin', 'logml.js');
const lines = perSystem * SYSTEMS.length;
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`input: ${SYSTEMS.length} files x ${perSystem} lines = ${lines.toLocaleString()} lines from the LogHub samples`);

const base = measure(process.execPath, [baselineFile, ...files]);
const baseRate = lines / base.seconds;
console.log(`floor (read lines, write one small JSON per line): ${Math.round(baseRate).toLocaleString()} lines/s, ${base.seconds.toFixed(2)} s`);

function report(label: string, args: string[], input: string[], floorRate: number, nodeFlags: string[] = []): { seconds: number; peakMb: number } {
  const run = measure(process.execPath, [...nodeFlags, logml, 'predict', ...args, ...input]);
  const rate = lines / run.seconds;
  console.log(`${label.padEnd(34)} ${Math.round(rate).toLocaleString().padStart(9)} lines/s, ${run.seconds.toFixed(2)} s, peak RSS ${run.peakMb.toFixed(0)} MB, ratio to the floor ${(rate / floorRate).toFixed(3)} (goal >= 0.4)`);
  return run;
}

const main = report('predict, NDJSON (default)', ['--format', 'ndjson'], files, baseRate);
report('predict --no-templates, NDJSON', ['--format', 'ndjson', '--no-templates'], files, baseRate);
report('predict, CSV', ['--format', 'csv'], files, baseRate);
const variedBase = measure(process.execPath, [baselineFile, ...varied]);
const variedFloor = lines / variedBase.seconds;
console.log(`floor on the high-variety copy: ${Math.round(variedFloor).toLocaleString()} lines/s`);
report('predict, high variety, NDJSON', ['--format', 'ndjson'], varied, variedFloor);
report('predict, high variety, --no-templ.', ['--format', 'ndjson', '--no-templates'], varied, variedFloor);

if (process.env.BENCH_SKIP_10M !== '1') {
  const ten = Array.from({ length: 10 }, () => files).flat();
  const big = measure(process.execPath, [logml, 'predict', '--format', 'ndjson', ...ten]);
  console.log(`10M lines: ${Math.round((lines * 10) / big.seconds).toLocaleString()} lines/s, peak RSS ${big.peakMb.toFixed(0)} MB; 1M: ${main.peakMb.toFixed(0)} MB; difference ${(big.peakMb - main.peakMb).toFixed(0)} MB (goal: both < 250 MB, difference < 10 MB)`);
}

// memory bounded by bytes, not by counts: 3,000 distinct long lines (about 34 KB each, every word
// new), against the same target as the ordinary input (issue 12)
{
  const longPath = join(outDir, 'long-distinct.log');
  if (!existsSync(longPath)) {
    await writeLines(longPath, (i) => {
      const parts: string[] = [];
      for (let j = 0; j < 5000; j++) parts.push(word(i * 7919 + j * 31));
      return `2026-12-01 10:00:00 ERROR app: ${parts.join(' ').slice(0, 45_000)}`;
    }, 3000);
  }
  for (const [label, extra] of [['templates on', []], ['--no-templates', ['--no-templates']]] as const) {
    const run = measure(process.execPath, [logml, 'predict', '--format', 'ndjson', ...extra, longPath]);
    console.log(`3,000 distinct ~34 KB lines, ${label.padEnd(14)} ${run.seconds.toFixed(2)} s, peak RSS ${run.peakMb.toFixed(0)} MB (goal < 250 MB)`);
  }
}

// V8 gives each thread a young generation of up to 2 x 16 MB, which a long stream always grows
// to; a smaller one trades some speed for memory (README, "Memory"): same inputs, that one flag
{
  const small = ['--max-semi-space-size=2'];
  console.log('with node --max-semi-space-size=2 (a 2 MB young generation):');
  report('  predict, NDJSON', ['--format', 'ndjson'], files, baseRate, small);
  report('  predict, high variety, NDJSON', ['--format', 'ndjson'], varied, variedFloor, small);
  const run = measure(process.execPath, [...small, logml, 'predict', '--format', 'ndjson', join(outDir, 'long-distinct.log')]);
  console.log(`  3,000 distinct ~34 KB lines        ${run.seconds.toFixed(2)} s, peak RSS ${run.peakMb.toFixed(0)} MB (goal < 250 MB)`);
}

const nodeMs = startupMs(process.execPath, ['-e', '']);
const helpMs = startupMs(process.execPath, [logml, '--help']);
console.log(`logml --help: ${helpMs.toFixed(0)} ms median of 15 (node -e "": ${nodeMs.toFixed(0)} ms; goal < 150 ms)`);
