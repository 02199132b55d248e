/**
 * @file Benchmark of the template miner on the LogHub 2k samples: grouping accuracy (GA),
 * parsing accuracy (PA) per system with one default configuration, then mining throughput over
 * 1,000,000 generated lines against a whitespace-split baseline. Prints figures; asserts nothing.
 * Run: npx tsx bench/templates.bench.ts   (LOGHUB_DIR overrides the dataset folder)
 *
 * PA normalisation, applied identically to predicted and ground-truth templates (it is the
 * ISSTA'24 Loghub-2.0 evaluator's `correct_template_general`, plus whitespace collapsing):
 *   1. trim, and collapse every whitespace run to one space;
 *   2. repeat `<*>.<*>` -> `<*>` until stable;
 *   3. repeat { `<*><*>` -> `<*>`, `<*>:<*>` -> `<*>`, `<*> <*>` -> `<*>` } until stable.
 * Nothing else (no digit, boolean or path rewriting of the predicted template).
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { TemplateMiner } from '../src/core/templates/index.js';

const DATASET_DIR = process.env.LOGHUB_DIR ?? '/work/shared/datasets/loghub';
const SYSTEMS = ['Android', 'Apache', 'BGL', 'HDFS', 'HPC', 'Hadoop', 'HealthApp', 'Linux', 'OpenSSH', 'OpenStack', 'Spark', 'Windows'];
const TARGET_GA = 0.92;
const TARGET_PA = 0.6;
const TARGET_LINES_PER_S = 1_000_000;
const THROUGHPUT_LINES = 1_000_000;

interface Row {
  Content: string;
  EventId: string;
  EventTemplate: string;
}

function normaliseTemplate(template: string): string {
  let t = template.trim().replace(/\s+/g, ' ');
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/<\*>\.<\*>/g, '<*>');
  }
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/<\*><\*>/g, '<*>').replace(/<\*>:<\*>/g, '<*>').replace(/<\*> <\*>/g, '<*>');
  }
  return t;
}

/** LogPAI grouping accuracy: a line counts when its predicted group equals its true group. */
function groupingAccuracy(predicted: string[], truth: string[]): number {
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  predicted.forEach((p, i) => {
    const list = groups.get(p);
    if (list === undefined) groups.set(p, [i]);
    else list.push(i);
  });
  let correct = 0;
  for (const lines of groups.values()) {
    const t = truth[lines[0]!]!;
    if (lines.every((i) => truth[i] === t) && truthSize.get(t) === lines.length) correct += lines.length;
  }
  return correct / truth.length;
}

function readRows(system: string): Row[] {
  const text = readFileSync(join(DATASET_DIR, system, `${system}_2k.log_structured.csv`), 'utf8');
  return parse(text, { columns: true, skip_empty_lines: true, relax_quotes: true }) as Row[];
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function main(): void {
  if (!existsSync(DATASET_DIR)) {
    console.log(`LogHub samples not found at ${DATASET_DIR}; set LOGHUB_DIR to run this benchmark. Skipping.`);
    return;
  }
  const verbose = process.argv.includes('--verbose');
  // --options='{"variantMergeCount":3}' tries one global setting (same for every system).
  const overrides = JSON.parse(process.argv.find((a) => a.startsWith('--options='))?.slice('--options='.length) ?? '{}') as Record<string, unknown>;
  const only = process.argv.find((a) => a.startsWith('--system='))?.slice('--system='.length);
  console.log(`${pad('system', 11)}${pad('lines', 7)}${pad('GA', 7)}${pad('PA', 7)}templates (found / truth)`);
  const allContents: string[] = [];
  let sumGa = 0;
  let sumPa = 0;
  let systems = 0;
  for (const system of SYSTEMS) {
    const rows = readRows(system);
    for (const r of rows) allContents.push(r.Content);
    if (only !== undefined && only !== system) continue;
    const miner = new TemplateMiner(overrides);
    const ids = rows.map((r) => miner.add(r.Content).templateId);
    const textById = new Map(miner.templates().map((t) => [t.templateId, t.template]));
    const finalIds = ids.map((id) => miner.resolveId(id));
    const ga = groupingAccuracy(finalIds, rows.map((r) => r.EventId));
    let parsedOk = 0;
    const misses = new Map<string, number>();
    finalIds.forEach((id, i) => {
      const predicted = normaliseTemplate(textById.get(id) ?? '');
      const truth = normaliseTemplate(rows[i]!.EventTemplate);
      if (predicted === truth) parsedOk++;
      else if (verbose) {
        const k = `  got  ${predicted}\n  want ${truth}`;
        misses.set(k, (misses.get(k) ?? 0) + 1);
      }
    });
    const pa = parsedOk / rows.length;
    const truthTemplates = new Set(rows.map((r) => r.EventId)).size;
    console.log(`${pad(system, 11)}${pad(String(rows.length), 7)}${pad(ga.toFixed(3), 7)}${pad(pa.toFixed(3), 7)}${textById.size} / ${truthTemplates}`);
    if (verbose) {
      // Grouping errors: true events split over several templates, templates mixing events.
      const byTruth = new Map<string, Map<string, number>>();
      const byPredicted = new Map<string, Map<string, number>>();
      finalIds.forEach((id, i) => {
        const t = rows[i]!.EventId;
        const a = byTruth.get(t) ?? new Map<string, number>();
        a.set(id, (a.get(id) ?? 0) + 1);
        byTruth.set(t, a);
        const b = byPredicted.get(id) ?? new Map<string, number>();
        b.set(t, (b.get(t) ?? 0) + 1);
        byPredicted.set(id, b);
      });
      const truthText = new Map(rows.map((r) => [r.EventId, r.EventTemplate]));
      for (const [t, ids2] of byTruth) {
        if (ids2.size > 1) console.log(`  SPLIT ${t} ${truthText.get(t)}\n${[...ids2].map(([id, n]) => `      x${n} ${textById.get(id)}`).join('\n')}`);
      }
      for (const [id, ts] of byPredicted) {
        if (ts.size > 1) console.log(`  MIXED ${textById.get(id)}\n${[...ts].map(([t, n]) => `      x${n} ${truthText.get(t)}`).join('\n')}`);
      }
      for (const [k, n] of [...misses].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  x${n}\n${k}`);
    }
    sumGa += ga;
    sumPa += pa;
    systems++;
  }
  if (systems > 0) printMeans(sumGa / systems, sumPa / systems);
  if ((only !== undefined && only !== 'none') || process.argv.includes('--quality-only')) return;
  throughput(allContents, overrides);
}

function printMeans(meanGa: number, meanPa: number): void {
  console.log(`mean GA ${meanGa.toFixed(3)}  (target >= ${TARGET_GA})  ${meanGa >= TARGET_GA ? 'ok' : 'BELOW TARGET'}`);
  console.log(`mean PA ${meanPa.toFixed(3)}  (target >= ${TARGET_PA})  ${meanPa >= TARGET_PA ? 'ok' : 'BELOW TARGET'}`);
  console.log('  (PA: both templates trimmed, whitespace runs -> one space, then Loghub-2.0 correct_template_general:');
  console.log('   <*>.<*> -> <*> until stable, then <*><*>, <*>:<*>, <*> <*> -> <*> until stable; one default config for all)');
}

/**
 * Time `work` and a whitespace split over the same lines, interleaved 100,000 lines at a time so
 * that both see the same machine load (on a shared machine it changes during the run); the
 * ratio is the figure that carries across machines.
 */
function interleaved(lines: readonly string[], work: (line: string) => unknown): { minerRate: number; baselineRate: number; tokens: number } {
  const chunk = 100_000;
  let minerNs = 0n;
  let baselineNs = 0n;
  let tokens = 0;
  for (let from = 0; from < lines.length; from += chunk) {
    const to = Math.min(lines.length, from + chunk);
    let t = process.hrtime.bigint();
    for (let i = from; i < to; i++) tokens += lines[i]!.split(/\s+/).length;
    baselineNs += process.hrtime.bigint() - t;
    t = process.hrtime.bigint();
    for (let i = from; i < to; i++) work(lines[i]!);
    minerNs += process.hrtime.bigint() - t;
  }
  return { minerRate: lines.length / (Number(minerNs) / 1e9), baselineRate: lines.length / (Number(baselineNs) / 1e9), tokens };
}

function throughput(allContents: readonly string[], overrides: Record<string, unknown>): void {
  // Throughput: cycle the 24,000 messages, with every digit run replaced by a varying number.
  let seed = 12345;
  const nextNumber = (): string => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return String(seed % 100000);
  };
  const lines: string[] = new Array(THROUGHPUT_LINES);
  for (let i = 0; i < THROUGHPUT_LINES; i++) {
    const content = allContents[i % allContents.length]!;
    lines[i] = i < allContents.length ? content : content.replace(/\d+/g, nextNumber);
  }
  const distinct = new Set(lines).size;
  // Miner and baseline run interleaved, 100,000 lines at a time, so that both see the same
  // machine load (on a shared machine it changes during the run); the ratio is the figure that
  // carries across machines.
  const miner = new TemplateMiner(overrides);
  const learning = interleaved(lines, (line) => miner.add(line));
  // Second pass over the same lines: a miner that has met every event and digit shape before,
  // as a long-running process is after its warm-up. Still add(), still counting.
  const steady = interleaved(lines, (line) => miner.add(line));
  const minerRate = learning.minerRate;
  const baselineRate = learning.baselineRate;
  console.log(`throughput over ${THROUGHPUT_LINES.toLocaleString('en')} lines (${distinct.toLocaleString('en')} distinct, ${miner.templates().length} templates):`);
  console.log(`  miner add()        ${Math.round(minerRate).toLocaleString('en')} lines/s  (target >= ${TARGET_LINES_PER_S.toLocaleString('en')})  ${minerRate >= TARGET_LINES_PER_S ? 'ok' : 'BELOW TARGET'}`);
  console.log(`  whitespace split   ${Math.round(baselineRate).toLocaleString('en')} lines/s  (${learning.tokens.toLocaleString('en')} tokens)`);
  console.log(`  ratio miner/split  ${(minerRate / baselineRate).toFixed(2)}`);
  console.log(`  second pass (warm): miner ${Math.round(steady.minerRate).toLocaleString('en')} lines/s, split ${Math.round(steady.baselineRate).toLocaleString('en')} lines/s, ratio ${(steady.minerRate / steady.baselineRate).toFixed(2)}`);
}

main();
