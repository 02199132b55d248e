/**
 * @file Renders evaluation results for the terminal (cli-table3) or as JSON. Presentation only:
 * every figure comes from src/core/metrics, each shown with its sample size.
 */
import Table from 'cli-table3';
import type { Evaluation } from '../core/train/index.js';

const f3 = (v: number) => v.toFixed(3);
const ci = ([lo, hi]: [number, number]) => `[${f3(lo)}, ${f3(hi)}]`;

export function renderEvaluationTable(e: Evaluation): string {
  const lines: string[] = [];
  lines.push(`model ${e.model} (${e.task}) on ${e.n} labeled records${e.unlabeled ? ` (${e.unlabeled} unlabeled left out)` : ''}`);
  if (e.task === 'level') {
    const r = e.report;
    lines.push(`accuracy ${f3(r.accuracy)} ${ci(r.accuracyCi95)} (n=${r.n})   macro-F1 ${f3(r.macroF1)} over ${r.labels.length} classes`);
    const tr = e.trouble;
    lines.push(`trouble (WARN or above): precision ${f3(tr.precision)} ${ci(tr.precisionCi95)} (n=${tr.tp + tr.fp} called), recall ${f3(tr.recall)} ${ci(tr.recallCi95)} (n=${tr.tp + tr.fn} actual), F1 ${f3(tr.f1)}`);
    const t = new Table({ head: ['class', 'precision', 'recall', 'F1', 'support', 'predicted'], style: { head: [], border: [], compact: true } });
    for (const c of r.perClass) t.push([c.label, f3(c.precision), f3(c.recall), f3(c.f1), String(c.support), String(c.predicted)]);
    lines.push(t.toString());
    const cm = new Table({ head: ['actual \\ predicted', ...r.labels], style: { head: [], border: [], compact: true } });
    r.labels.forEach((l, i) => cm.push([l, ...r.confusion[i]!.map(String)]));
    lines.push('confusion matrix');
    lines.push(cm.toString());
  } else {
    const r = e.report;
    const t = new Table({ head: ['metric', 'value', '95% CI', 'n'], style: { head: [], border: [], compact: true } });
    t.push(['precision', f3(r.precision), ci(r.precisionCi95), String(r.tp + r.fp)]);
    t.push(['recall', f3(r.recall), ci(r.recallCi95), String(r.tp + r.fn)]);
    t.push(['F1', f3(r.f1), '', String(r.n)]);
    t.push(['false-positive rate', f3(r.fpr), ci(r.fprCi95), String(r.fp + r.tn)]);
    lines.push(`threshold ${e.threshold}: tp ${r.tp}, fp ${r.fp}, tn ${r.tn}, fn ${r.fn}`);
    lines.push(t.toString());
  }
  return lines.join('\n') + '\n';
}
