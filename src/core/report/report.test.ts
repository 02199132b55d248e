/**
 * @file The NDJSON report on small hand-made files: coverage, the label join (by line and by
 * source + line), accuracy figures, gates (pass, breach, and a figure that cannot be computed),
 * and the renderers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GateBreachedError, InputError, UsageError } from '../errors.js';
import { gateBreach } from './gates.js';
import { renderHtml } from './html.js';
import { loadLabelsCsv } from './labels.js';
import { renderMarkdown, renderTable } from './render.js';
import { ndjsonReport } from './report.js';

const dir = mkdtempSync(join(tmpdir(), 'logml-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const pred = (line: number, level: string | null, anomaly: boolean | null, time = '2024-05-01T10:00:00.000Z', source = 'a.log') =>
  JSON.stringify({ source, line, time, level: null, message: `m${line}`, predicted_level: level, level_probability: level ? 0.9 : null, anomaly_score: anomaly === null ? null : anomaly ? 0.9 : 0.1, is_anomaly: anomaly, template_id: `t${line % 2}`, template: 'x <*>', model: ['lvl@1', 'an@1'] });

const preds = file(
  'p.ndjson',
  [pred(1, 'INFO', false), pred(2, 'INFO', false), pred(3, 'ERROR', true), pred(4, 'WARN', true, '2024-05-02T01:00:00.000Z'), pred(5, null, null, '2024-05-02T02:00:00.000Z')].join('\n') + '\n',
);
// line 1: INFO ok; 2: actual WARN predicted INFO; 3: ERROR ok, anomaly tp; 4: WARN ok, anomaly fp; 5: no prediction; 9: not in predictions
const labels = file('l.csv', 'line,level,is_anomaly\n1,INFO,false\n2,WARN,0\n3,ERROR,1\n4,WARN,false\n5,INFO,1\n9,INFO,0\n');

describe('ndjsonReport', () => {
  it('counts coverage, joins labels by line, and computes accuracy and anomaly figures', async () => {
    const r = await ndjsonReport({ predictions: [preds], labels: { ...loadLabelsCsv(labels), file: labels } });
    expect(r.coverage).toMatchObject({ n: 5, covered: 4, missing: 1, share: 0.8 });
    expect(r.coverage.perDay).toEqual([
      { day: '2024-05-01', total: 3, missing: 0 },
      { day: '2024-05-02', total: 2, missing: 1 },
    ]);
    expect(r.models).toEqual(['an@1', 'lvl@1']);
    expect(r.accuracy!.labels).toMatchObject({ matched: 5, unmatched: 1, key: 'line' });
    expect(r.accuracy!.level!.n).toBe(4);
    expect(r.accuracy!.level!.accuracy).toBe(0.75);
    expect(r.accuracy!.anomaly).toMatchObject({ n: 4, tp: 1, fp: 1, tn: 2, fn: 0, fpr: 1 / 3, recall: 1 });
    expect(r.volume).toMatchObject({ n: 5, peakPerHour: 3, peakHour: '2024-05-01T10:00:00Z', hours: 17 });
    expect(r.distributions.scoreN).toBe(4);
  });

  it('joins on source + line when the labels have a source column', async () => {
    const l2 = file('l2.csv', 'source,line,level\na.log,1,INFO\nb.log,2,INFO\n');
    const r = await ndjsonReport({ predictions: [preds], labels: { ...loadLabelsCsv(l2), file: l2 } });
    expect(r.accuracy!.labels.matched).toBe(1);
    expect(r.accuracy!.level!.n).toBe(1);
  });

  it('passes and breaches gates, naming value, threshold and n', async () => {
    const ok = await ndjsonReport({ predictions: [preds], labels: { ...loadLabelsCsv(labels), file: labels }, gates: { minCoverage: 0.8, minAccuracy: 0.7 } });
    expect(ok.gates.every((g) => g.passed)).toBe(true);
    expect(gateBreach(ok.gates)).toBeNull();
    const bad = await ndjsonReport({ predictions: [preds], labels: { ...loadLabelsCsv(labels), file: labels }, gates: { minCoverage: 0.9, maxFpr: 0.2, minAccuracy: 0.7 } });
    const err = gateBreach(bad.gates)!;
    expect(err).toBeInstanceOf(GateBreachedError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('--min-coverage: coverage 0.8 < 0.9 (n=5)');
    expect(err.message).toContain('--max-fpr: anomaly false-positive rate 0.3333 > 0.2 (n=3)');
    expect(err.message).not.toContain('--min-accuracy');
  });

  it('refuses a gate whose figure cannot be computed (usage error, not a pass)', async () => {
    await expect(ndjsonReport({ predictions: [preds], gates: { minF1: 0.5 } })).rejects.toThrow(UsageError);
    await expect(ndjsonReport({ predictions: [preds], gates: { maxPsi: 0.1 } })).rejects.toThrow(/--max-psi cannot be checked/);
  });

  it('names the file and line of a bad predictions line', async () => {
    const bad = file('bad.ndjson', `${pred(1, 'INFO', false)}\nnot json\n`);
    await expect(ndjsonReport({ predictions: [bad] })).rejects.toThrow(InputError);
    await expect(ndjsonReport({ predictions: [bad] })).rejects.toThrow(/line 2: not JSON/);
  });

  it('refuses labels CSVs without a join or a label column, and bad is_anomaly values', () => {
    expect(() => loadLabelsCsv(file('x1.csv', 'id,level\n1,INFO\n'))).toThrow(/no log_id or line column/);
    expect(() => loadLabelsCsv(file('x2.csv', 'line,foo\n1,INFO\n'))).toThrow(/no level or is_anomaly column/);
    expect(() => loadLabelsCsv(file('x3.csv', 'line,is_anomaly\n1,maybe\n'))).toThrow(/row 2: is_anomaly is "maybe"/);
  });

  it('renders a baseline comparison in table, markdown and HTML', async () => {
    const base = file('b.ndjson', [pred(1, 'INFO', false), pred(2, 'INFO', false)].join('\n'));
    const r = await ndjsonReport({ predictions: [preds], baseline: [base], labels: { ...loadLabelsCsv(labels), file: labels } });
    expect(r.drift!.level!.referenceN).toBe(2);
    expect(renderTable(r)).toContain('level PSI');
    const md = renderMarkdown(r);
    expect(md).toMatch(/^## logml report/);
    expect(md).toContain('| level accuracy | 0.750 | 4 |');
    const html = renderHtml(r);
    for (const id of ['levels', 'scores', 'coverage', 'confusion']) expect(html).toContain(`id="${id}"`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('renderMarkdown escapes text from the data', () => {
  it('a model name or template with HTML and Markdown is inert', async () => {
    const evil = '<script>alert(1)</script>|x';
    const p = file('evil.ndjson', JSON.stringify({ source: 'a.log', line: 1, time: '2024-05-01T10:00:00.000Z', predicted_level: 'INFO', anomaly_score: 0.1, is_anomaly: false, template_id: 't1', template: '<img src=x onerror=alert(1)> `x`', model: [`${evil}@1`] }) + '\n');
    const md = renderMarkdown(await ndjsonReport({ predictions: [p] }));
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;\\|x@1');
  });
});
