/**
 * @file The distributions a report is built from, kept as counts only (never rows), so memory
 * stays flat for any number of predictions: totals and per-day coverage, logs per hour, predicted
 * levels, templates, anomaly scores in SCORE_BINS bins. Filled from an NDJSON stream here, or
 * straight from SQL aggregates (sql.ts).
 */
import { SCORE_BINS, scoreBin } from './stats.js';

export interface DayCount {
  /** YYYY-MM-DD (UTC), or "unknown" for records without a time. */
  day: string;
  total: number;
  missing: number;
}

export interface Snapshot {
  /** Records (logs) in the window. */
  total: number;
  /** Records with a prediction from the model(s). */
  covered: number;
  perDay: DayCount[];
  /** Logs per hour: hour (ISO, UTC) -> count, for records with a time. */
  perHour: Array<{ hour: string; count: number }>;
  /** Predicted level -> count (records with a predicted level). */
  levels: Record<string, number>;
  /** Template id -> count; null when the source has no template ids. */
  templates: Record<string, number> | null;
  /** Template id -> text, where known (for new / vanished templates). */
  templateText: Record<string, string>;
  /** Anomaly scores in SCORE_BINS equal bins over [0, 1]. */
  scoreBins: number[];
  scoreN: number;
  /** Anomalies flagged by the model. */
  flagged: number;
  /** `name@version` of the models seen. */
  models: string[];
}

/** Accumulates records one at a time into a Snapshot. */
export class SnapshotBuilder {
  total = 0;
  covered = 0;
  flagged = 0;
  private readonly days = new Map<string, DayCount>();
  private readonly hours = new Map<string, number>();
  private readonly levels = new Map<string, number>();
  private readonly templates = new Map<string, number>();
  private readonly templateText = new Map<string, string>();
  private readonly bins = new Float64Array(SCORE_BINS);
  private scoreN = 0;
  private sawTemplates = false;
  private readonly models = new Set<string>();

  add(r: { time: string | null; predictedLevel: string | null; anomalyScore: number | null; isAnomaly: boolean | null; templateId: string | null; template?: string | null; models?: readonly string[] }): void {
    this.total++;
    const covered = r.predictedLevel !== null || r.anomalyScore !== null;
    if (covered) this.covered++;
    const day = r.time && r.time.length >= 10 ? r.time.slice(0, 10) : 'unknown';
    let d = this.days.get(day);
    if (!d) this.days.set(day, (d = { day, total: 0, missing: 0 }));
    d.total++;
    if (!covered) d.missing++;
    if (r.time && r.time.length >= 13) {
      const hour = `${r.time.slice(0, 13)}:00:00Z`;
      this.hours.set(hour, (this.hours.get(hour) ?? 0) + 1);
    }
    if (r.predictedLevel !== null) this.levels.set(r.predictedLevel, (this.levels.get(r.predictedLevel) ?? 0) + 1);
    if (r.anomalyScore !== null && Number.isFinite(r.anomalyScore)) {
      this.bins[scoreBin(r.anomalyScore)]!++;
      this.scoreN++;
    }
    if (r.isAnomaly === true) this.flagged++;
    if (r.templateId) {
      this.sawTemplates = true;
      this.templates.set(r.templateId, (this.templates.get(r.templateId) ?? 0) + 1);
      if (r.template && !this.templateText.has(r.templateId)) this.templateText.set(r.templateId, r.template.slice(0, 200));
    }
    if (r.models) for (const m of r.models) if (!this.models.has(m)) this.models.add(m);
  }

  build(): Snapshot {
    return {
      total: this.total,
      covered: this.covered,
      perDay: [...this.days.values()].sort((a, b) => a.day.localeCompare(b.day)),
      perHour: [...this.hours.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([hour, count]) => ({ hour, count })),
      levels: Object.fromEntries([...this.levels.entries()].sort()),
      templates: this.sawTemplates ? Object.fromEntries(this.templates) : null,
      templateText: Object.fromEntries(this.templateText),
      scoreBins: [...this.bins],
      scoreN: this.scoreN,
      flagged: this.flagged,
      models: [...this.models].sort(),
    };
  }
}
