/**
 * @file Benchmark: lines/s of `createRecordParser` (auto-detection) over every LogHub 2k log
 * concatenated per system and repeated, into a null sink. Run on demand:
 * `npx tsx bench/parse.bench.ts [loghub-dir]`. Prints figures; asserts nothing.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { createRecordParser } from '../src/core/parse/index.js';

const root = process.argv[2] ?? '/work/shared/datasets/loghub';
const REPEAT = 25;

function linesOf(system: string): string[] {
  const file = join(root, system, `${system}_2k.log`);
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

const systems = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
let totalLines = 0;
let totalMs = 0;
const rows: string[] = [];
for (const system of systems) {
  const lines = linesOf(system);
  if (lines.length === 0) continue;
  // Warm-up, then timed runs: one parser per input, as the CLI does.
  for (let w = 0; w < 3; w++) {
    const p = createRecordParser({ source: system, format: 'auto' });
    for (let i = 0; i < lines.length; i++) p.push(lines[i]!, i + 1);
    p.flush();
  }
  let records = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < REPEAT; r++) {
    const p = createRecordParser({ source: system, format: 'auto' });
    for (let i = 0; i < lines.length; i++) records += p.push(lines[i]!, i + 1).length;
    records += p.flush().length;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const n = lines.length * REPEAT;
  totalLines += n;
  totalMs += ms;
  rows.push(`${system.padEnd(10)} ${String(Math.round(n / (ms / 1000))).padStart(10)} lines/s  (${records} records)`);
}

// All logs concatenated into one input, one parser (what `logml predict` sees on a mixed file).
const concatenated = systems.flatMap(linesOf);
const cpuStart = process.cpuUsage();
const wallStart = process.hrtime.bigint();
for (let r = 0; r < REPEAT; r++) {
  const p = createRecordParser({ source: 'all', format: 'auto' });
  for (let i = 0; i < concatenated.length; i++) p.push(concatenated[i]!, i + 1);
  p.flush();
}
const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuS = (cpu.user + cpu.system) / 1e6;
const n = concatenated.length * REPEAT;
process.stdout.write(`${rows.join('\n')}\n` +
  `per-system ${String(Math.round(totalLines / (totalMs / 1000))).padStart(10)} lines/s over ${totalLines} lines\n` +
  `concatenated ${String(Math.round(n / wallS)).padStart(8)} lines/s wall, ${Math.round(n / cpuS)} lines/cpu-s over ${n} lines` +
  ` (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cpus)\n`);
