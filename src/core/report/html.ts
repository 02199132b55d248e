/**
 * @file The report as one self-contained HTML page: no scripts, no external resources; charts
 * are inline SVG (level and score distributions, reference against current; coverage per day;
 * the confusion matrix). Presentation only: every number drawn is a figure of the result.
 */
import { sections } from './render.js';
import type { ReportResult } from './types.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const COLORS = ['#8a8f98', '#2f6fdf', '#d9534f'];

interface Series {
  name: string;
  values: number[];
}

/** Grouped vertical bars, one group per category. */
function barChart(id: string, title: string, categories: string[], series: Series[], opts: { percent?: boolean } = {}): string {
  const W = 640, H = 260, left = 50, bottom = 40, top = 28;
  const max = Math.max(1e-12, ...series.flatMap((s) => s.values));
  const groupW = (W - left - 10) / Math.max(1, categories.length);
  const barW = Math.max(1, (groupW * 0.8) / series.length);
  const y = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  categories.forEach((c, i) => {
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const x = left + i * groupW + groupW * 0.1 + j * barW;
      parts.push(`<rect class="bar" x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, H - bottom - y(v)).toFixed(1)}" fill="${COLORS[(j + (series.length === 1 ? 1 : 0)) % COLORS.length]}"><title>${esc(s.name)} ${esc(c)}: ${opts.percent ? (v * 100).toFixed(2) + '%' : v}</title></rect>`);
    });
    if (categories.length <= 24 || i % Math.ceil(categories.length / 12) === 0) parts.push(`<text x="${(left + i * groupW + groupW / 2).toFixed(1)}" y="${H - bottom + 14}" font-size="10" text-anchor="middle">${esc(c)}</text>`);
  });
  parts.push(`<line x1="${left}" y1="${H - bottom}" x2="${W - 10}" y2="${H - bottom}" stroke="#333"/>`);
  parts.push(`<text x="${left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${opts.percent ? (max * 100).toFixed(1) + '%' : String(Math.round(max))}</text><text x="${left - 6}" y="${H - bottom}" font-size="10" text-anchor="end">0</text>`);
  const legend = series.map((s, j) => `<rect x="${left + j * 140}" y="6" width="10" height="10" fill="${COLORS[(j + (series.length === 1 ? 1 : 0)) % COLORS.length]}"/><text x="${left + j * 140 + 14}" y="15" font-size="11">${esc(s.name)}</text>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${legend}${parts.join('')}</svg></figure>`;
}

function confusionChart(r: ReportResult): string {
  const lv = r.accuracy?.level;
  if (!lv) return '';
  const k = lv.labels.length;
  const cell = Math.min(60, Math.floor(420 / Math.max(1, k)));
  const left = 70, top = 40;
  const W = left + cell * k + 20, H = top + cell * k + 20;
  const max = Math.max(1, ...lv.confusion.flat());
  const parts: string[] = [];
  lv.labels.forEach((l, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" font-size="11" text-anchor="end">${esc(l)}</text>`);
    parts.push(`<text x="${left + i * cell + cell / 2}" y="${top - 8}" font-size="11" text-anchor="middle">${esc(l)}</text>`);
    lv.labels.forEach((_, j) => {
      const v = lv.confusion[i]![j]!;
      const a = v / max;
      parts.push(`<rect class="cell" x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgba(47,111,223,${(0.08 + 0.92 * a).toFixed(3)})" stroke="#fff"><title>actual ${esc(l)}, predicted ${esc(lv.labels[j]!)}: ${v}</title></rect>`);
      parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" font-size="11" text-anchor="middle" fill="${a > 0.5 ? '#fff' : '#111'}">${v}</text>`);
    });
  });
  return `<figure><figcaption>Confusion matrix (rows: actual, columns: predicted; n=${lv.n})</figcaption><svg id="confusion" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg></figure>`;
}

/** The whole page. */
export function renderHtml(r: ReportResult): string {
  const charts: string[] = [];
  const d = r.drift;
  const levels = d?.level ? d.level.categories.map((c) => c.key) : Object.keys(r.distributions.levels);
  if (levels.length > 0) {
    const curN = Object.values(r.distributions.levels).reduce((s, v) => s + v, 0);
    const cur = levels.map((l) => (curN === 0 ? 0 : (r.distributions.levels[l] ?? 0) / curN));
    const series: Series[] = d?.level ? [{ name: `reference (n=${d.level.referenceN})`, values: d.level.categories.map((c) => c.reference) }, { name: `current (n=${curN})`, values: cur }] : [{ name: `current (n=${curN})`, values: cur }];
    charts.push(barChart('levels', 'Predicted level distribution', levels, series, { percent: true }));
  }
  if (r.distributions.scoreN > 0) {
    const bins = Array.from({ length: 20 }, (_, i) => (i / 20).toFixed(2));
    const cur = r.distributions.scoreHistogram.map((v) => v / r.distributions.scoreN);
    const series: Series[] = d?.score ? [{ name: `reference (n=${d.score.referenceN})`, values: d.score.referenceHistogram }, { name: `current (n=${d.score.n})`, values: cur }] : [{ name: `current (n=${r.distributions.scoreN})`, values: cur }];
    charts.push(barChart('scores', 'Anomaly score distribution (20 bins over [0, 1], left edges)', bins, series, { percent: true }));
  }
  const days = r.coverage.perDay;
  if (days.length > 0) {
    charts.push(barChart('coverage', `Logs per day: with and without a prediction (n=${r.coverage.n})`, days.map((x) => x.day), [{ name: 'with a prediction', values: days.map((x) => x.total - x.missing) }, { name: 'missing', values: days.map((x) => x.missing) }]));
  }
  charts.push(confusionChart(r));
  const tables = sections(r)
    .map((s) => `<h2>${esc(s.title)}</h2><table><tr><th>figure</th><th>value</th><th>n</th><th>95% CI</th><th>status</th></tr>${s.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`)
    .join('\n');
  const gates = r.gates.length ? `<h2>Gates</h2><ul>${r.gates.map((g) => `<li class="${g.passed ? 'pass' : 'breach'}">${g.passed ? 'pass' : 'BREACHED'}: ${esc(g.gate)} ${esc(g.figure)} ${g.value.toFixed(4)} (threshold ${g.threshold}, n=${g.n})</li>`).join('')}</ul>` : '';
  const notes = [...r.notes, ...(d?.notes ?? [])];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>logml report: ${esc(r.models.join(' + '))}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;max-width:1000px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}.breach{color:#b00;font-weight:600}.pass{color:#070}</style>
</head><body>
<h1>logml report: ${esc(r.models.join(' + ') || 'no model seen')}</h1>
<p>${esc(r.source.kind === 'db' ? `table ${r.source.table}` : r.source.files.join(', '))}</p>
${gates}
${charts.join('\n')}
${tables}
${notes.length ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
