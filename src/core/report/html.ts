/**
 * @file The report as one self-contained HTML page: no scripts, no external resources; charts
 * are inline SVG with titled, ticked axes (level and score distributions, reference against
 * current, on log scales with the levels in severity order; coverage per day; the confusion
 * matrix with its errors in red), and the new and vanished templates are listed.
 * Presentation only: every number drawn is a figure of the result.
 */
import { sections } from './render.js';
import type { ReportResult } from './types.js';
import { LEVELS } from '../types.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Series colours by meaning, so one colour never means two things on one page. */
export const COLOR = { reference: '#8a8f98', current: '#2f6fdf', covered: '#2e8b57', missing: '#d9534f' } as const;

interface Series {
  name: string;
  values: number[];
  color: string;
}

interface ChartOptions {
  /** Values are shares (0..1), shown as percentages. */
  percent?: boolean;
  /** Log scale on y (powers of ten): rare categories and a distribution's tail stay visible. */
  log?: boolean;
  /** Print each bar's value above it. */
  valueLabels?: boolean;
  xTitle: string;
  yTitle: string;
}

const fmtValue = (v: number, percent: boolean | undefined) => (percent ? `${+(v * 100).toPrecision(v * 100 >= 1 ? 3 : 2)}%` : Math.round(v).toLocaleString('en-US'));

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function linearTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((x) => x >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t < max + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  if (ticks[ticks.length - 1]! < max) ticks.push(+(ticks[ticks.length - 1]! + step).toPrecision(12));
  return ticks;
}

/** Powers of ten covering the positive values (log scale). */
export function logTicks(values: readonly number[]): number[] {
  const pos = values.filter((v) => v > 0);
  if (pos.length === 0) return [1];
  const lo = Math.floor(Math.log10(Math.min(...pos)));
  const hi = Math.ceil(Math.log10(Math.max(...pos)));
  const ticks: number[] = [];
  for (let e = lo; e <= Math.max(hi, lo + 1); e++) ticks.push(10 ** e);
  return ticks;
}

/** Grouped vertical bars, one group per category, with both axes titled and ticked. */
function barChart(id: string, title: string, categories: string[], series: Series[], opts: ChartOptions): string {
  const W = 680, H = 300, left = 70, bottom = 70, top = 30, right = 10;
  const all = series.flatMap((s) => s.values);
  const ticks = opts.log ? logTicks(all) : linearTicks(Math.max(...all, 0));
  const [lo, hi] = [ticks[0]!, ticks[ticks.length - 1]!];
  const plotH = H - top - bottom;
  const y = (v: number) => {
    if (opts.log) return v <= 0 ? H - bottom : top + plotH * (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
    return top + plotH * (1 - v / hi);
  };
  const groupW = (W - left - right) / Math.max(1, categories.length);
  const barW = Math.max(1, (groupW * 0.8) / series.length);
  const parts: string[] = [];
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    parts.push(`<line class="grid" x1="${left}" y1="${ty}" x2="${W - right}" y2="${ty}" stroke="#e3e3e3"/><text class="tick y" x="${left - 6}" y="${(+ty + 4).toFixed(1)}" font-size="10" text-anchor="end">${fmtValue(t, opts.percent)}</text>`);
  }
  // at most ~15 category labels, turned when they are long (dates), so they never overlap
  const every = Math.max(1, Math.ceil(categories.length / 15));
  const turn = categories.some((c) => c.length * 6 > groupW * every);
  categories.forEach((c, i) => {
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const x = left + i * groupW + groupW * 0.1 + j * barW;
      const by = y(v);
      parts.push(`<rect class="bar" x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, H - bottom - by).toFixed(1)}" fill="${s.color}"><title>${esc(s.name)}, ${esc(c)}: ${fmtValue(v, opts.percent)}</title></rect>`);
      if (opts.valueLabels && v > 0) parts.push(`<text class="value" x="${(x + barW / 2).toFixed(1)}" y="${(by - 3).toFixed(1)}" font-size="9" text-anchor="middle">${fmtValue(v, opts.percent)}</text>`);
    });
    if (i % every === 0) {
      const cx = (left + i * groupW + groupW / 2).toFixed(1);
      const cy = H - bottom + 14;
      parts.push(turn ? `<text class="tick x" x="${cx}" y="${cy}" font-size="10" text-anchor="end" transform="rotate(-40 ${cx} ${cy})">${esc(c)}</text>` : `<text class="tick x" x="${cx}" y="${cy}" font-size="10" text-anchor="middle">${esc(c)}</text>`);
    }
  });
  parts.push(`<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="#333"/><line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="#333"/>`);
  parts.push(`<text class="axis-title x" x="${(left + (W - left - right) / 2).toFixed(1)}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(opts.xTitle)}</text>`);
  parts.push(`<text class="axis-title y" x="14" y="${(top + plotH / 2).toFixed(1)}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${(top + plotH / 2).toFixed(1)})">${esc(opts.yTitle)}${opts.log ? ' (log scale)' : ''}</text>`);
  const legend = series.map((s, j) => `<rect x="${left + j * 170}" y="8" width="10" height="10" fill="${s.color}"/><text x="${left + j * 170 + 14}" y="17" font-size="11">${esc(s.name)}</text>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${legend}${parts.join('')}</svg></figure>`;
}

/**
 * The confusion matrix: correct answers (the diagonal) in blue, errors in red, each cell shaded
 * by its share of the actual class's row, so a few errors in a large class are still seen;
 * every cell shows its count and row share.
 */
function confusionChart(r: ReportResult): string {
  const lv = r.accuracy?.level;
  if (!lv) return '';
  const k = lv.labels.length;
  const cell = Math.max(44, Math.min(70, Math.floor(460 / Math.max(1, k))));
  const left = 90, top = 56;
  const W = left + cell * k + 20, H = top + cell * k + 20;
  const parts: string[] = [];
  parts.push(`<text class="axis-title x" x="${left + (cell * k) / 2}" y="14" font-size="11" text-anchor="middle">predicted level</text>`);
  parts.push(`<text class="axis-title y" x="14" y="${top + (cell * k) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${top + (cell * k) / 2})">actual level</text>`);
  lv.labels.forEach((l, i) => {
    const rowN = lv.confusion[i]!.reduce((s, v) => s + v, 0);
    parts.push(`<text class="tick y" x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" font-size="11" text-anchor="end">${esc(l)}</text>`);
    parts.push(`<text class="tick x" x="${left + i * cell + cell / 2}" y="${top - 8}" font-size="11" text-anchor="middle">${esc(l)}</text>`);
    lv.labels.forEach((_, j) => {
      const v = lv.confusion[i]![j]!;
      const share = rowN ? v / rowN : 0;
      const alpha = v === 0 ? 0.04 : 0.2 + 0.8 * share;
      const fill = i === j ? `rgba(47,111,223,${alpha.toFixed(3)})` : `rgba(217,83,79,${alpha.toFixed(3)})`;
      const cls = i === j ? 'cell correct' : v > 0 ? 'cell error' : 'cell';
      const dark = alpha > 0.55;
      parts.push(`<rect class="${cls}" x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"><title>actual ${esc(l)}, predicted ${esc(lv.labels[j]!)}: ${v} (${(share * 100).toFixed(1)}% of actual ${esc(l)})</title></rect>`);
      parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2}" font-size="11" text-anchor="middle" fill="${dark ? '#fff' : '#111'}">${v}</text>`);
      if (v > 0) parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 13}" font-size="9" text-anchor="middle" fill="${dark ? '#fff' : '#444'}">${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%</text>`);
    });
  });
  return `<figure><figcaption>Confusion matrix (rows: actual, columns: predicted; blue: correct, red: errors, shaded by share of the actual level; n=${lv.n})</figcaption><svg id="confusion" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="confusion matrix">${parts.join('')}</svg></figure>`;
}

/** New and vanished templates against the baseline, listed (not only counted). */
function templateTables(r: ReportResult): string {
  const t = r.drift?.template;
  if (!t) return '';
  const list = (caption: string, rows: Array<{ id: string; count: number; template: string | null }>) =>
    rows.length === 0 ? '' : `<figure><figcaption>${esc(caption)}</figcaption><table class="templates"><tr><th>logs</th><th>template id</th><th>template</th></tr>${rows.map((x) => `<tr><td>${x.count.toLocaleString('en-US')}</td><td><code>${esc(x.id)}</code></td><td><code>${esc(x.template ?? '(text not stored)')}</code></td></tr>`).join('')}</table></figure>`;
  return (
    list(`New templates (not in the reference; ${t.newTemplates.length} most frequent)`, t.newTemplates) +
    list(`Vanished templates (in the reference only; logs in the reference)`, t.vanishedTemplates.map((x) => ({ id: x.id, count: x.referenceCount, template: x.template })))
  );
}

/** Levels in severity order (TRACE .. FATAL), others after them in name order. */
function bySeverity(levels: string[]): string[] {
  const rank = (l: string) => {
    const i = (LEVELS as readonly string[]).indexOf(l);
    return i < 0 ? LEVELS.length : i;
  };
  return [...levels].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The whole page. */
export function renderHtml(r: ReportResult): string {
  const charts: string[] = [];
  const d = r.drift;
  const levels = bySeverity(d?.level ? d.level.categories.map((c) => c.key) : Object.keys(r.distributions.levels));
  if (levels.length > 0) {
    const curN = Object.values(r.distributions.levels).reduce((s, v) => s + v, 0);
    const cur = levels.map((l) => (curN === 0 ? 0 : (r.distributions.levels[l] ?? 0) / curN));
    const refOf = new Map(d?.level?.categories.map((c) => [c.key, c.reference]) ?? []);
    const series: Series[] = [
      ...(d?.level ? [{ name: `reference (n=${d.level.referenceN})`, values: levels.map((l) => refOf.get(l) ?? 0), color: COLOR.reference }] : []),
      { name: `current (n=${curN})`, values: cur, color: COLOR.current },
    ];
    charts.push(barChart('levels', 'Predicted level distribution (share of logs, log scale: rare levels stay visible)', levels, series, { percent: true, log: true, valueLabels: true, xTitle: 'predicted level (by severity)', yTitle: 'share of logs' }));
  }
  if (r.distributions.scoreN > 0) {
    const bins = Array.from({ length: 20 }, (_, i) => (i / 20).toFixed(2));
    const cur = r.distributions.scoreHistogram.map((v) => v / r.distributions.scoreN);
    const series: Series[] = [
      ...(d?.score ? [{ name: `reference (n=${d.score.referenceN})`, values: d.score.referenceHistogram, color: COLOR.reference }] : []),
      { name: `current (n=${d?.score ? d.score.n : r.distributions.scoreN})`, values: cur, color: COLOR.current },
    ];
    charts.push(barChart('scores', 'Anomaly score distribution (20 bins over [0, 1]; log scale: the anomaly tail stays visible)', bins, series, { percent: true, log: true, xTitle: 'anomaly score (bin left edge)', yTitle: 'share of logs' }));
  }
  const days = r.coverage.perDay;
  if (days.length > 0) {
    charts.push(barChart('coverage', `Logs per day: with and without a prediction (n=${r.coverage.n})`, days.map((x) => x.day), [{ name: 'with a prediction', values: days.map((x) => x.total - x.missing), color: COLOR.covered }, { name: 'missing', values: days.map((x) => x.missing), color: COLOR.missing }], { valueLabels: days.length <= 14, xTitle: 'day (UTC)', yTitle: 'logs' }));
  }
  charts.push(confusionChart(r));
  charts.push(templateTables(r));
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
