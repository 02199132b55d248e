/**
 * @file Renders a ReportResult as text tables (terminal), Markdown (a CI job summary or a PR
 * comment) or JSON. Presentation only: every figure comes from the result, with its sample size.
 */
import Table from 'cli-table3';
import type { ReportResult } from './types.js';

type Row = [figure: string, value: string, n: string, ci95: string, status: string];
interface Section {
  title: string;
  rows: Row[];
  /** Extra tables: header + rows. */
  tables?: Array<{ caption: string; head: string[]; rows: string[][] }>;
}

const f3 = (v: number) => v.toFixed(3);
const f4 = (v: number) => v.toFixed(4);
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const ci = ([lo, hi]: [number, number]) => `[${f3(lo)}, ${f3(hi)}]`;
const int = (v: number) => v.toLocaleString('en-US');

function gateStatus(r: ReportResult, figure: string): string {
  const g = r.gates.filter((x) => x.figure === figure);
  if (g.length === 0) return '';
  return g.every((x) => x.passed) ? 'pass' : 'BREACHED';
}

/** The report as sections of rows (figure, value, n, 95% CI, status). */
export function sections(r: ReportResult): Section[] {
  const out: Section[] = [];
  const c = r.coverage;
  const cov: Section = {
    title: 'Coverage',
    rows: [['logs with a prediction', `${pct(c.share)} (${int(c.covered)} of ${int(c.n)})`, int(c.n), ci(c.ci95), gateStatus(r, 'coverage')], ['logs without a prediction', int(c.missing), int(c.n), '', '']],
  };
  for (const m of c.perModel ?? []) cov.rows.push([`  ${m.model}`, `${pct(m.share)} (${int(m.covered)})`, int(c.n), '', '']);
  const gaps = c.perDay.filter((d) => d.missing > 0);
  if (c.perDay.length > 0) {
    const shown = gaps.length > 0 ? gaps.slice(0, 62) : c.perDay.slice(-7);
    const caption = gaps.length > 0 ? `missing predictions per day: ${gaps.length} of ${c.perDay.length} days have gaps${gaps.length > shown.length ? ` (first ${shown.length} shown; all in --format json)` : ''}` : `no day has a gap (${c.perDay.length} days; last ${shown.length} shown)`;
    cov.tables = [{ caption, head: ['day', 'logs', 'missing'], rows: shown.map((d) => [d.day, int(d.total), int(d.missing)]) }];
  }
  out.push(cov);
  if (r.accuracy) {
    const a = r.accuracy;
    const s: Section = { title: 'Accuracy against labeled samples', rows: [['labels joined to predictions', `${int(a.labels.matched)} of ${int(a.labels.matched + a.labels.unmatched)}`, int(a.labels.rows), '', '']], tables: [] };
    if (a.level) {
      s.rows.push(['level accuracy', f3(a.level.accuracy), int(a.level.n), ci(a.level.accuracyCi95), gateStatus(r, 'level accuracy')]);
      s.rows.push(['level macro-F1', f3(a.level.macroF1), int(a.level.n), '', gateStatus(r, 'level macro-F1')]);
      s.tables!.push({ caption: 'per class', head: ['class', 'precision', 'recall', 'F1', 'support', 'predicted'], rows: a.level.perClass.map((p) => [p.label, f3(p.precision), f3(p.recall), f3(p.f1), int(p.support), int(p.predicted)]) });
      s.tables!.push({ caption: 'confusion matrix (rows: actual, columns: predicted)', head: ['actual \\ predicted', ...a.level.labels], rows: a.level.labels.map((l, i) => [l, ...a.level!.confusion[i]!.map(int)]) });
    }
    if (a.anomaly) {
      const b = a.anomaly;
      s.rows.push(['anomaly precision', f3(b.precision), int(b.tp + b.fp), ci(b.precisionCi95), '']);
      s.rows.push(['anomaly recall', f3(b.recall), int(b.tp + b.fn), ci(b.recallCi95), gateStatus(r, 'anomaly recall')]);
      s.rows.push(['anomaly F1', f3(b.f1), int(b.n), '', gateStatus(r, 'anomaly F1')]);
      s.rows.push(['anomaly false-positive rate', f3(b.fpr), int(b.fp + b.tn), ci(b.fprCi95), gateStatus(r, 'anomaly false-positive rate')]);
    }
    out.push(s);
  }
  if (r.drift) {
    const d = r.drift;
    const s: Section = { title: `Drift against ${d.reference.description}`, rows: [], tables: [] };
    if (d.level) {
      s.rows.push(['level PSI', f4(d.level.psi), `${int(d.level.n)} vs ${int(d.level.referenceN)}`, '', gateStatus(r, 'level PSI') || d.level.status]);
      s.rows.push(['level JS distance', f4(d.level.js), `${int(d.level.n)} vs ${int(d.level.referenceN)}`, '', gateStatus(r, 'level JS distance') || d.level.status]);
      s.tables!.push({ caption: 'predicted level shares', head: ['level', 'reference', 'current'], rows: d.level.categories.map((x) => [x.key, pct(x.reference), pct(x.current)]) });
    }
    if (d.template) {
      s.rows.push(['template PSI', f4(d.template.psi), `${int(d.template.n)} vs ${int(d.template.referenceN)}`, '', gateStatus(r, 'template PSI') || d.template.status]);
      s.rows.push(['template JS distance', f4(d.template.js), `${int(d.template.n)} vs ${int(d.template.referenceN)}`, '', gateStatus(r, 'template JS distance') || d.template.status]);
      s.rows.push(['new templates', int(d.template.newCount), int(d.template.n), '', '']);
      s.rows.push(['vanished templates', int(d.template.vanishedCount), int(d.template.referenceN), '', '']);
    }
    if (d.score) {
      s.rows.push(['anomaly score KS', `${f4(d.score.ks)} (p=${d.score.ksPValue.toPrecision(3)})`, `${int(d.score.n)} vs ${int(d.score.referenceN)}`, '', gateStatus(r, 'anomaly score KS') || d.score.status]);
      s.rows.push(['anomaly score Wasserstein-1', f4(d.score.wasserstein), `${int(d.score.n)} vs ${int(d.score.referenceN)}`, '', '']);
    }
    out.push(s);
  }
  const lat = r.batchLatency;
  const v = r.volume;
  const perf: Section = { title: 'Latency and volume', rows: [] };
  if (lat) perf.rows.push([`scoring time per log, mean of each batch: p50 / p95 / p99 over ${int(lat.batches)} batches`, `${int(Math.round(lat.p50Us))} / ${int(Math.round(lat.p95Us))} / ${int(Math.round(lat.p99Us))} µs`, int(lat.n), '', '']);
  perf.rows.push(['logs per hour (mean)', v.hours > 0 ? v.meanPerHour.toFixed(1) : 'n/a (no times)', int(v.n), '', '']);
  if (v.peakHour) perf.rows.push(['logs per hour (peak)', `${int(v.peakPerHour)} at ${v.peakHour}`, int(v.n), '', '']);
  out.push(perf);
  return out;
}

function notesOf(r: ReportResult): string[] {
  return [...r.notes, ...(r.drift?.notes ?? [])];
}

/** Plain-text tables for a terminal. */
export function renderTable(r: ReportResult): string {
  const lines: string[] = [`logml report: ${r.models.join(' + ') || 'no model seen'} (${r.source.kind === 'db' ? `table ${r.source.table}` : r.source.files.join(', ')})`];
  for (const s of sections(r)) {
    lines.push('', s.title);
    const t = new Table({ head: ['figure', 'value', 'n', '95% CI', 'status'], style: { head: [], border: [], compact: true } });
    for (const row of s.rows) t.push(row);
    lines.push(t.toString());
    for (const x of s.tables ?? []) {
      const tt = new Table({ head: x.head, style: { head: [], border: [], compact: true } });
      for (const row of x.rows) tt.push(row);
      lines.push(x.caption, tt.toString());
    }
  }
  if (r.gates.length > 0) lines.push('', 'Gates', ...r.gates.map((g) => `  ${g.passed ? 'pass    ' : 'BREACHED'} ${g.gate} ${g.figure} ${f4(g.value)} (threshold ${g.threshold}, n=${g.n})`));
  const notes = notesOf(r);
  if (notes.length > 0) lines.push('', 'Notes', ...notes.map((n) => `  - ${n}`));
  return lines.join('\n') + '\n';
}

/** Text from the data (model names, templates, notes) made inert in Markdown: no HTML, no table breaks, no code spans. */
export const mdText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`|*_[\]])/g, '\\$1').replace(/\r?\n/g, ' ');
const mdCell = mdText;

function mdTable(head: string[], rows: string[][]): string {
  return [`| ${head.map(mdCell).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n');
}

/** Markdown for a CI job summary or a pull-request comment. */
export function renderMarkdown(r: ReportResult): string {
  const breached = r.gates.filter((g) => !g.passed);
  const out: string[] = [`## logml report: ${mdText(r.models.join(' + ')) || 'no model seen'}`, ''];
  if (r.gates.length > 0) out.push(breached.length === 0 ? `**All ${r.gates.length} gates passed.**` : `**${breached.length} of ${r.gates.length} gates breached:** ${breached.map((g) => `${mdText(g.gate)} ${mdText(g.figure)} ${f4(g.value)} (threshold ${g.threshold}, n=${g.n})`).join('; ')}`, '');
  for (const s of sections(r)) {
    out.push(`### ${mdText(s.title)}`, '', mdTable(['figure', 'value', 'n', '95% CI', 'status'], s.rows), '');
    for (const x of s.tables ?? []) out.push(`<details><summary>${mdText(x.caption)}</summary>`, '', mdTable(x.head, x.rows), '', '</details>', '');
  }
  const notes = notesOf(r);
  if (notes.length > 0) out.push('### Notes', '', ...notes.map((n) => `- ${mdText(n)}`), '');
  return out.join('\n');
}

/** JSON (stable field names; see the README's report section). */
export function renderJson(r: ReportResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}
