/**
 * @file `logml compare A B`: two model versions of the same task on the same labeled sample, and
 * McNemar's test on the records where exactly one of them is right: the honest way to decide an
 * A/B test. Models come from files or from the registry; the sample is loaded as `logml evaluate`
 * loads it. Returns figures; never writes to the terminal.
 */
import { UsageError } from '../errors.js';
import { wilson95 } from '../metrics/index.js';
import { loadModel, type LoadedModel } from '../model/load.js';
import { createScorer } from '../model/scorer.js';
import { loadDatasets, type CsvColumns } from '../train/index.js';
import type { LabeledMessage } from '../train/trainers.js';
import { mdText } from './render.js';
import { mcnemar, type McNemarResult } from './stats.js';

export interface CompareOptions {
  a: string;
  b: string;
  data: string[];
  columns: CsvColumns;
  /** Registry refs (name@version / name@alias) are resolved here when set. */
  db?: string | undefined;
  /** Significance level for the verdict. */
  alpha: number;
}

export interface ModelFigures {
  model: string;
  origin: string;
  correct: number;
  accuracy: number;
  accuracyCi95: [number, number];
}

export interface CompareResult {
  task: 'level' | 'anomaly';
  n: number;
  unlabeled: number;
  a: ModelFigures;
  b: ModelFigures;
  /** Both right, both wrong (the concordant cells). */
  bothRight: number;
  bothWrong: number;
  mcnemar: McNemarResult;
  alpha: number;
  verdict: string;
}

/** The plain verdict for McNemar's b (A right, B wrong) and c (A wrong, B right). */
export function verdictOf(a: string, b: string, m: McNemarResult, n: number, alpha: number): string {
  const p = m.pValue < 0.001 ? m.pValue.toExponential(2) : m.pValue.toFixed(3);
  if (m.b + m.c === 0) return `${a} and ${b} agree on every one of the ${n} records: no difference to test.`;
  if (m.pValue >= alpha) return `No significant difference between ${a} and ${b} on ${n} records (p=${p} >= ${alpha}): the ${m.b + m.c} disagreements split ${m.b} to ${m.c}.`;
  const [better, worse, wins, losses] = m.c > m.b ? [b, a, m.c, m.b] : [a, b, m.b, m.c];
  return `${better} is better than ${worse} (p=${p} < ${alpha}): right on ${wins} records where ${worse} is wrong, against ${losses} the other way, of ${n}.`;
}

async function open(ref: string, db: string | undefined): Promise<LoadedModel> {
  if (!/\.onnx$/i.test(ref) && /^[^/\\]+@[^/\\]+$/.test(ref)) {
    if (db === undefined) throw new UsageError(`"${ref}" looks like a registry reference but no --db was given`, 'add --db URL, or give a .onnx file path');
    const [{ createPool }, { resolveModelRef }] = await Promise.all([import('../db/connection.js'), import('../db/registry.js')]);
    const pool = createPool({ db: db || undefined, max: 1 });
    try {
      const m = await resolveModelRef(pool, ref);
      return await loadModel({ bytes: m.bytes, origin: `${ref} (registry)` });
    } finally {
      await pool.end();
    }
  }
  return loadModel({ path: ref });
}

/** Correct-or-not per record for one model on the labeled records. */
async function correctness(model: LoadedModel, data: readonly LabeledMessage[]): Promise<boolean[]> {
  // not closed here: closing the scorer releases the model's session, which compareModels owns
  const scorer = createScorer([model]);
  {
    const out: boolean[] = [];
    for (let i = 0; i < data.length; i += 4096) {
      const batch = data.slice(i, i + 4096);
      const preds = await scorer.score(batch.map((d) => d.message));
      preds.forEach((p, j) => out.push(model.meta.task === 'level' ? p.predictedLevel === batch[j]!.level : p.isAnomaly === batch[j]!.anomaly));
    }
    return out;
  }
}

/**
 * Compare two models on one labeled sample.
 * @example await compareModels({ a: 'level-v1.onnx', b: 'level-v2.onnx', data: ['labeled.csv'], columns: {}, alpha: 0.05 })
 */
export async function compareModels(opts: CompareOptions): Promise<CompareResult> {
  const datasets = await loadDatasets(opts.data, opts.columns);
  const all = datasets.flatMap((d) => d.records);
  const ma = await open(opts.a, opts.db);
  try {
    const mb = await open(opts.b, opts.db);
    try {
      return await compareLoaded(ma, mb, all, { alpha: opts.alpha, origins: [opts.a, opts.b], sample: opts.data.join(', ') });
    } finally {
      await mb.session.release();
    }
  } finally {
    await ma.session.release();
  }
}

/**
 * McNemar's test of two loaded models of the same task on the records of `data` that carry the
 * task's label (the others are counted as unlabeled). Used by `compare` and by `retrain`.
 * The caller owns (and releases) both models.
 */
export async function compareLoaded(ma: LoadedModel, mb: LoadedModel, data: readonly LabeledMessage[], opts: { alpha: number; origins: [string, string]; sample: string }): Promise<CompareResult> {
  if (ma.meta.task !== mb.meta.task) throw new UsageError(`${ma.ref} is a ${ma.meta.task} model and ${mb.ref} a ${mb.meta.task} model`, 'compare two models of the same task');
  const task = ma.meta.task;
  const labeled = data.filter((d) => (task === 'level' ? Boolean(d.level) : d.anomaly === true || d.anomaly === false));
  if (labeled.length === 0) throw new UsageError(`no records with ${task === 'level' ? 'a level' : 'an anomaly label'} in ${opts.sample} (${data.length} read)`, task === 'level' ? 'give a CSV with a level column' : 'give a CSV with an is_anomaly column (--label-column)');
  const ca = await correctness(ma, labeled);
  const cb = await correctness(mb, labeled);
  let b = 0, c = 0, both = 0, neither = 0;
  for (let i = 0; i < labeled.length; i++) {
    if (ca[i] && !cb[i]) b++;
    else if (!ca[i] && cb[i]) c++;
    else if (ca[i]) both++;
    else neither++;
  }
  const fig = (m: LoadedModel, origin: string, correct: number): ModelFigures => ({ model: m.ref, origin, correct, accuracy: correct / labeled.length, accuracyCi95: wilson95(correct, labeled.length) });
  const m = mcnemar(b, c);
  const nameA = ma.ref === mb.ref ? `A (${opts.origins[0]})` : ma.ref;
  const nameB = ma.ref === mb.ref ? `B (${opts.origins[1]})` : mb.ref;
  return {
    task,
    n: labeled.length,
    unlabeled: data.length - labeled.length,
    a: fig(ma, opts.origins[0], both + b),
    b: fig(mb, opts.origins[1], both + c),
    bothRight: both,
    bothWrong: neither,
    mcnemar: m,
    alpha: opts.alpha,
    verdict: verdictOf(nameA, nameB, m, labeled.length, opts.alpha),
  };
}

/** Text for a terminal, or Markdown. */
export function renderCompare(r: CompareResult, format: 'table' | 'markdown'): string {
  const f3 = (v: number) => v.toFixed(3);
  const rows = [
    ['accuracy of A', `${f3(r.a.accuracy)} [${f3(r.a.accuracyCi95[0])}, ${f3(r.a.accuracyCi95[1])}]`, `${r.a.model} (${r.a.origin})`],
    ['accuracy of B', `${f3(r.b.accuracy)} [${f3(r.b.accuracyCi95[0])}, ${f3(r.b.accuracyCi95[1])}]`, `${r.b.model} (${r.b.origin})`],
    ['b: A right, B wrong', String(r.mcnemar.b), ''],
    ['c: A wrong, B right', String(r.mcnemar.c), ''],
    ['both right / both wrong', `${r.bothRight} / ${r.bothWrong}`, ''],
    ['McNemar statistic', r.mcnemar.method === 'exact binomial' ? `min(b, c) = ${r.mcnemar.statistic}` : `chi2 = ${r.mcnemar.statistic.toFixed(3)}`, r.mcnemar.method],
    ['p-value', r.mcnemar.pValue < 0.001 ? r.mcnemar.pValue.toExponential(3) : r.mcnemar.pValue.toFixed(4), `two-sided; alpha ${r.alpha}`],
  ];
  const head = `${r.task} models on ${r.n} labeled records${r.unlabeled ? ` (${r.unlabeled} unlabeled left out)` : ''}`;
  if (format === 'markdown') {
    return [`## logml compare: ${head}`, '', '| figure | value | note |', '|---|---|---|', ...rows.map((x) => `| ${x.map(mdText).join(' | ')} |`), '', `**${mdText(r.verdict)}**`, ''].join('\n');
  }
  const w = Math.max(...rows.map((x) => x[0]!.length));
  return [head, ...rows.map((x) => `  ${x[0]!.padEnd(w)}  ${x[1]}${x[2] ? `   ${x[2]}` : ''}`), '', r.verdict, ''].join('\n');
}
