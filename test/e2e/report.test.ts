/**
 * @file End-to-end `logml report` with the built binary: predictions made by `logml predict` over
 * two loghub fixtures, labels built from their *_structured.csv (level; BGL's anomaly label), JSON
 * figures checked against a join done here by hand, gate exit codes 0, 2 and 3, Markdown, and the
 * HTML page opened in a real headless Chromium (that one check skips, saying so, without it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeLevel } from '../../src/core/parse/level.js';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURES = ['fixtures/loghub-2k/HDFS_2k.log', 'fixtures/loghub-2k/BGL_2k.log'];
let dir: string;
let preds: string;
let labels: string;
/** Expected figures, from a join done here, independently of the report code. */
const expected = { n: 0, levelN: 0, levelCorrect: 0, tp: 0, fp: 0, tn: 0, fn: 0 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logml-e2e-report-'));
  preds = join(dir, 'preds.ndjson');
  const p = await runCli(['predict', ...FIXTURES, '--format', 'ndjson'], { timeoutMs: 120_000 });
  expect(p.code).toBe(0);
  writeFileSync(preds, p.stdout);
  const rows: string[] = ['source,line,level,is_anomaly'];
  const truth = new Map<string, { level: string; anomaly: boolean | null }>();
  for (const f of FIXTURES) {
    const csv = parse(readFileSync(join(ROOT, `${f}_structured.csv`)), { columns: true }) as Array<Record<string, string>>;
    for (const r of csv) {
      const anomaly = 'Label' in r ? r.Label !== '-' : null;
      rows.push(`${f},${r.LineId},${r.Level},${anomaly === null ? '' : anomaly}`);
      truth.set(`${f}\u0000${r.LineId}`, { level: r.Level!, anomaly });
    }
  }
  labels = join(dir, 'labels.csv');
  writeFileSync(labels, rows.join('\n') + '\n');
  for (const r of parseNdjson(p.stdout)) {
    expected.n++;
    const t = truth.get(`${r.source}\u0000${r.line}`);
    if (!t) continue;
    const level = normalizeLevel(t.level);
    if (level && r.predicted_level) {
      expected.levelN++;
      if (level === r.predicted_level) expected.levelCorrect++;
    }
    if (t.anomaly !== null && typeof r.is_anomaly === 'boolean') {
      if (t.anomaly) r.is_anomaly ? expected.tp++ : expected.fn++;
      else r.is_anomaly ? expected.fp++ : expected.tn++;
    }
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('logml report --predictions (built binary)', () => {
  it('json figures match a join done by hand', async () => {
    const r = await runCli(['report', '--predictions', preds, '--labels', labels, '--model-file', 'models/level.onnx', '--model-file', 'models/anomaly.onnx', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(expected.n).toBe(4000);
    expect(j.coverage).toMatchObject({ n: 4000, covered: 4000, missing: 0, share: 1 });
    expect(j.accuracy.labels).toMatchObject({ matched: 4000, unmatched: 0, key: 'source+line' });
    expect(j.accuracy.level.n).toBe(expected.levelN);
    expect(j.accuracy.level.accuracy).toBeCloseTo(expected.levelCorrect / expected.levelN, 12);
    expect(j.accuracy.anomaly).toMatchObject({ tp: expected.tp, fp: expected.fp, tn: expected.tn, fn: expected.fn, n: 2000 });
    expect(j.accuracy.anomaly.fpr).toBeCloseTo(expected.fp / (expected.fp + expected.tn), 12);
    expect(j.drift.level.n).toBe(4000);
    expect(j.drift.score.n).toBe(4000);
    expect(j.drift.score.method).toMatch(/training quantiles/);
    expect(j.models).toEqual(['anomaly-default@0.1.0', 'level-default@0.1.0']);
  });

  it('gates: exit 0 when all pass, 3 naming each breached gate with value and threshold, 2 for a gate with no figure', async () => {
    const acc = expected.levelCorrect / expected.levelN;
    const ok = await runCli(['report', '-p', preds, '-l', labels, '--min-coverage', '0.99', '--min-accuracy', (Math.floor(acc * 100) / 100).toString(), '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).gates.map((g: { passed: boolean }) => g.passed)).toEqual([true, true]);
    const bad = await runCli(['report', '-p', preds, '-l', labels, '--min-coverage', '0.99', '--min-accuracy', '0.999', '--max-fpr', '0', '--format', 'json']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/logml: \d gates? breached: --min-accuracy: level accuracy 0\.\d+ < 0\.999 \(n=\d+\)/);
    if (expected.fp > 0) expect(bad.stderr).toContain('--max-fpr: anomaly false-positive rate');
    expect(bad.stderr).not.toContain('--min-coverage');
    expect(JSON.parse(bad.stdout).gates.length).toBe(3);
    const none = await runCli(['report', '-p', preds, '--min-f1', '0.5']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('gate --min-f1 cannot be checked');
    const noDb = await runCli(['report', '-p', preds, '--since', '1d']);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('--since goes with --db');
  });

  it('markdown fits a CI job summary', async () => {
    const r = await runCli(['report', '-p', preds, '-l', labels, '--model-file', 'models/level.onnx', '--min-coverage', '0.5', '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^## logml report: /);
    expect(r.stdout).toContain('**All 1 gates passed.**');
    expect(r.stdout).toContain('### Coverage');
    expect(r.stdout).toContain('| level accuracy |');
    expect(r.stdout).toContain('| level PSI |');
  });

  it('the HTML charts can be read at a glance: titled, ticked axes; levels by severity; distinct colours; errors in red; new templates listed', async () => {
    const html = join(dir, 'glance.html');
    const base = join(dir, 'baseline.ndjson');
    const b = await runCli(['predict', join(ROOT, 'fixtures', 'loghub-2k', 'Hadoop_2k.log'), '--format', 'ndjson']);
    writeFileSync(base, b.stdout);
    const r = await runCli(['report', '-p', preds, '-l', labels, '--baseline-predictions', base, '--html', html, '--format', 'json']);
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    const svgs = new Map([...page.matchAll(/<svg id="(\w+)"[\s\S]*?<\/svg>/g)].map((m) => [m[1]!, m[0]]));
    expect([...svgs.keys()].sort()).toEqual(['confusion', 'coverage', 'levels', 'scores']);
    for (const [id, svg] of svgs) {
      expect(svg.match(/class="axis-title x"/g), id).toHaveLength(1);
      expect(svg.match(/class="axis-title y"/g), id).toHaveLength(1);
      // more than "0 and the maximum" on the y axis
      if (id !== 'confusion') expect((svg.match(/class="tick y"/g) ?? []).length, id).toBeGreaterThanOrEqual(3);
    }
    const levels = [...svgs.get('levels')!.matchAll(/class="tick x"[^>]*>([A-Z]+)</g)].map((m) => m[1]!);
    const order = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
    expect(levels.length).toBeGreaterThan(2);
    expect(levels).toEqual([...levels].sort((x, y) => order.indexOf(x) - order.indexOf(y)));
    expect(svgs.get('levels')).toContain('(log scale)');
    expect(svgs.get('scores')).toContain('(log scale)');
    // "missing" is not drawn in the colour of "current"
    const legend = (svg: string) => [...svg.matchAll(/<rect x="\d+" y="8" width="10" height="10" fill="(#[0-9a-f]{6})"\/><text[^>]*>([^<]+)</g)].map((m) => [m[2]!.replace(/ \(n=.*$/, ''), m[1]!] as [string, string]);
    const colours = new Map([...legend(svgs.get('levels')!), ...legend(svgs.get('coverage')!)]);
    expect(colours.get('missing')).not.toBe(colours.get('current'));
    expect(colours.get('with a prediction')).not.toBe(colours.get('missing'));
    expect(svgs.get('confusion')).toMatch(/class="cell error"[^>]*fill="rgba\(217,83,79,/);
    expect(page).toContain('New templates (not in the reference');
    expect(page).toMatch(/<table class="templates"><tr><th>logs<\/th><th>template id<\/th><th>template<\/th><\/tr><tr><td>[\d,]+<\/td><td><code>[0-9a-f]{16}<\/code>/);
  });

  it.skipIf(!existsSync(CHROMIUM))('the HTML page renders its charts in headless Chromium (skipped when /usr/bin/chromium is absent)', async () => {
    const html = join(dir, 'report.html');
    const r = await runCli(['report', '-p', preds, '-l', labels, '--model-file', 'models/level.onnx', '--model-file', 'models/anomaly.onnx', '--html', html, '--format', 'json']);
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<script|<link|src=/);
    // a copy with a tiny script that measures the rendered SVGs and writes the sizes into the DOM
    const probe = `<script>document.body.insertAdjacentHTML('beforeend', '<pre id' + '="sizes">' + JSON.stringify([...document.querySelectorAll('svg.chart')].map((s) => { const b = s.getBoundingClientRect(); return { id: s.id, w: b.width, h: b.height, drawn: [...s.querySelectorAll('rect')].filter((x) => x.getBoundingClientRect().height > 0).length, axes: [...s.querySelectorAll('.axis-title')].filter((x) => x.getBoundingClientRect().width > 0 && x.textContent).length }; })) + '</pre>');</script>`;
    const probed = join(dir, 'probe.html');
    writeFileSync(probed, page.replace('</body>', `${probe}</body>`));
    const out = spawnSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${join(dir, 'chromium')}`, '--dump-dom', `file://${probed}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const m = /<pre id="sizes">(\[.*?\])<\/pre>/.exec(out.stdout);
    expect(m, `chromium stderr: ${out.stderr.slice(-500)}`).not.toBeNull();
    const sizes = JSON.parse(m![1]!) as Array<{ id: string; w: number; h: number; drawn: number; axes: number }>;
    expect(sizes.map((s) => s.id).sort()).toEqual(['confusion', 'coverage', 'levels', 'scores']);
    for (const s of sizes) {
      expect(s.w, s.id).toBeGreaterThan(100);
      expect(s.h, s.id).toBeGreaterThan(100);
      expect(s.drawn, s.id).toBeGreaterThan(2);
      expect(s.axes, `${s.id}: both axes labeled`).toBe(2);
    }
  }, 90_000);
});
