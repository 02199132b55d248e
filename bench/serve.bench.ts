/**
 * @file Speed of `logml serve` (run: npm run bench:serve). Not a test: prints figures.
 *
 * Input: 120,000 lines (10,000 per system) built from the 12 LogHub samples as in bench/predict.bench.ts (each
 * system's 2,000 raw lines cycled, digits shifted on every cycle, so events repeat and the text
 * does not). The built server is started on a free port (bin/logml.js serve --port 0) and a
 * client in this process, over keep-alive connections, sends:
 *   1. 1-line requests, one at a time (latency: p50 / p99, requests/s), then 4 at a time;
 *   2. 1,000-line requests covering all 120,000 lines, 1 and then 2 at a time (lines/s, p50/p99),
 *      each on a fresh server (cold cache, as predict starts), then again on the warm one.
 * Baseline, same run and same lines: `logml predict FILE... --format ndjson > /dev/null` (one file per system) (wall time,
 * model loading included; and minus the wall time of `predict` on one line, its start-up).
 * Targets (issue #11): p99 < 20 ms for 1 line; serve's lines/s >= predict's.
 * Client and server share this machine's cores: figures are for both together.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOGHUB_DIR, SYSTEMS } from './loghub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'logml.js');
const outDir = join(root, 'bench', 'out', 'serve');
const TOTAL = Number(process.env.SERVE_BENCH_LINES ?? 120_000);
const ONE_LINE_REQUESTS = Number(process.env.SERVE_BENCH_SINGLE ?? 3000);

/** Each system's lines (TOTAL / 12 each, a multiple of 1,000: no request mixes two systems' formats). */
function buildLines(): string[][] {
  const per = Math.ceil(TOTAL / SYSTEMS.length / 1000) * 1000;
  return SYSTEMS.map((s) => {
    const lines = readFileSync(join(LOGHUB_DIR, `${s}_2k.log`), 'utf8').split('\n').filter((l) => l.length > 0);
    return Array.from({ length: per }, (_, i) => {
      const cycle = Math.floor(i / lines.length);
      return cycle === 0 ? lines[i % lines.length]! : lines[i % lines.length]!.replace(/\d/g, (d) => String((Number(d) + cycle) % 10));
    });
  });
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--max-lines', '1000'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOGML_TOKEN: '' } });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('close', () => reject(new Error(`logml serve exited: ${stderr}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function post(agent: Agent, url: string, body: string): Promise<{ ms: number; records: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request(`${url}/v1/predict`, { method: 'POST', agent, headers: { 'Content-Type': 'application/x-ndjson', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, records: Number(res.headers['logml-records']) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Send `bodies` with `concurrency` requests in flight; latencies (ms), records, wall seconds. */
async function run(url: string, bodies: string[], concurrency: number): Promise<{ latencies: number[]; records: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let records = 0;
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const r = await post(agent, url, bodies[next++]!);
        latencies.push(r.ms);
        records += r.records;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return { latencies, records, seconds };
}

function wallSeconds(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`logml ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const perSystem = buildLines();
  const lines = perSystem.flat();
  // predict reads one file per system, as bench/predict.bench.ts does (format detection per file)
  const files = perSystem.map((ls, i) => {
    const path = join(outDir, `${SYSTEMS[i]}.log`);
    writeFileSync(path, ls.join('\n') + '\n');
    return path;
  });
  const one = join(outDir, 'one.log');
  writeFileSync(one, lines[0] + '\n');
  console.log(`logml serve benchmark: ${fmt(lines.length)} LogHub lines (12 systems), node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);

  // 1. latency: one server, warmed up on lines outside the measured set (code paths, not the cache)
  const warmUp = Array.from({ length: 200 }, (_, i) => `warm-up request ${i} served in ${i % 17} ms\n`);
  let server = await startServer();
  try {
    await run(server.url, warmUp, 1);
    const singles = Array.from({ length: ONE_LINE_REQUESTS }, (_, i) => lines[(i * 7919) % lines.length]! + '\n');
    for (const c of [1, 4]) {
      const r = await run(server.url, singles, c);
      console.log(`1-line requests, ${c} at a time: ${fmt(r.latencies.length)} requests, ${fmt(r.latencies.length / r.seconds)} requests/s, p50 ${fmt(percentile(r.latencies, 50), 2)} ms, p99 ${fmt(percentile(r.latencies, 99), 2)} ms${c === 1 ? `  (target p99 < 20 ms: ${percentile(r.latencies, 99) < 20 ? 'met' : 'NOT met'})` : ''}`);
    }
  } finally {
    await server.stop();
  }

  // 2. throughput: a fresh server per pass, so its cache starts as cold as predict's; then the
  // same lines again on the warm server (what a long-lived server gains from its cache)
  const thousands: string[] = [];
  for (const ls of perSystem) for (let i = 0; i < ls.length; i += 1000) thousands.push(ls.slice(i, i + 1000).join('\n') + '\n');
  let coldBest = 0;
  for (const c of [1, 2]) {
    server = await startServer();
    try {
      await run(server.url, warmUp, 1);
      for (const pass of ['cold', 'warm'] as const) {
        const r = await run(server.url, thousands, c);
        if (r.records !== lines.length) throw new Error(`scored ${r.records} of ${lines.length} lines`);
        if (pass === 'cold') coldBest = Math.max(coldBest, r.records / r.seconds);
        console.log(`1,000-line requests, ${c} at a time, ${pass} cache: ${fmt(r.latencies.length)} requests, ${fmt(r.records / r.seconds)} lines/s, p50 ${fmt(percentile(r.latencies, 50), 1)} ms, p99 ${fmt(percentile(r.latencies, 99), 1)} ms`);
      }
    } finally {
      await server.stop();
    }
  }

  const predictS = wallSeconds(['predict', ...files, '--format', 'ndjson']);
  const startS = wallSeconds(['predict', one, '--format', 'ndjson']);
  const predictRate = lines.length / predictS;
  const steadyRate = lines.length / Math.max(1e-3, predictS - startS);
  console.log(`logml predict on the same lines (one run over the 12 files, to /dev/null): ${fmt(predictS, 2)} s wall = ${fmt(predictRate)} lines/s; minus its start-up (${fmt(startS, 2)} s for one line): ${fmt(steadyRate)} lines/s`);
  console.log(`serve / predict throughput (best cold-cache 1,000-line pass): ${fmt(coldBest / predictRate, 2)}x of predict's wall rate, ${fmt(coldBest / steadyRate, 2)}x of its rate without start-up  (target >= 1x: ${coldBest >= predictRate ? 'met' : 'NOT met'} on wall rate)`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
