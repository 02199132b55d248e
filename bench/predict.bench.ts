/**
 * @file Speed and memory of `logml predict` (run: npm run bench). Not a test: prints figures.
 *
 * Input: 1,000,000 lines built from the LogHub samples: for each of the 12 systems a file of
 * 83,334 lines cycling its 2,000 raw lines, digits shifted on every cycle so parameters vary
 * (the events repeat, as in real logs; the text does not). One `logml predict` call scores all
 * 12 files, NDJSON to /dev/null. Baseline, same run: a bare Node script that only reads the
 * same files' lines and writes one small JSON object per line. Also: peak RSS on 1M and 10M
 * lines (the 12 files named 10 times), and `logml --help` start-up against `node -e ""`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOGHUB_DIR, SYSTEMS } from './loghub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'bench', 'out', 'predict');
const TOTAL = 1_000_000;
const perSystem = Math.ceil(TOTAL / SYSTEMS.length);

async function buildInputs(): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const s of SYSTEMS) {
    const path = join(outDir, `${s}.log`);
    files.push(path);
    if (existsSync(path)) continue;
    const lines = readFileSync(join(LOGHUB_DIR, `${s}_2k.log`), 'utf8').split('\n').filter((l) => l.length > 0);
    const out = createWriteStream(path);
    for (let i = 0; i < perSystem; i++) {
      const cycle = Math.floor(i / lines.length);
      const line = cycle === 0 ? lines[i % lines.length]! : lines[i % lines.length]!.replace(/\d/g, (d) => String((Number(d) + cycle) % 10));
      if (!out.write(line + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
  }
  return files;
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

const files = await buildInputs();
const baselineFile = join(outDir, 'baseline.cjs');
writeFileSync(baselineFile, BASELINE);
const logml = join(root, 'bin', 'logml.js');
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
console.log(`input: ${SYSTEMS.length} files x ${perSystem} lines = ${(perSystem * SYSTEMS.length).toLocaleString()} lines from the LogHub samples`);

const base = measure(process.execPath, [baselineFile, ...files]);
const run = measure(process.execPath, [logml, 'predict', '--format', 'ndjson', ...files]);
const lines = perSystem * SYSTEMS.length;
const rate = lines / run.seconds;
const baseRate = lines / base.seconds;
console.log(`baseline (read lines, write one small JSON per line): ${Math.round(baseRate).toLocaleString()} lines/s, ${base.seconds.toFixed(2)} s`);
console.log(`logml predict (parse, mask, featurize, 2 ONNX models, NDJSON): ${Math.round(rate).toLocaleString()} lines/s, ${run.seconds.toFixed(2)} s, peak RSS ${run.peakMb.toFixed(0)} MB`);
console.log(`ratio logml / baseline: ${(rate / baseRate).toFixed(3)}   (goal >= 0.4)`);

if (process.env.BENCH_SKIP_10M !== '1') {
  const ten = Array.from({ length: 10 }, () => files).flat();
  const big = measure(process.execPath, [logml, 'predict', '--format', 'ndjson', ...ten]);
  console.log(`10M lines: ${Math.round((lines * 10) / big.seconds).toLocaleString()} lines/s, peak RSS ${big.peakMb.toFixed(0)} MB (1M: ${run.peakMb.toFixed(0)} MB; goal < 250 MB, 10M no more than 1M)`);
}

const nodeMs = startupMs(process.execPath, ['-e', '']);
const helpMs = startupMs(process.execPath, [logml, '--help']);
console.log(`logml --help: ${helpMs.toFixed(0)} ms median of 15 (node -e "": ${nodeMs.toFixed(0)} ms; goal < 150 ms)`);
