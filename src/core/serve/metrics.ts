/**
 * @file The counters behind `GET /metrics` of `logml serve`, rendered in the Prometheus text
 * exposition format (version 0.0.4): requests by route, method and status, records scored,
 * records answered from ml_predictions, a request latency histogram per route, the scorer's
 * cache lookups and hits (and their ratio), requests in flight, and the loaded models as an info
 * gauge. Every figure is counted from what the server did; nothing here does I/O.
 */
import type { CacheStats } from '../types.js';

/** Upper bounds (seconds) of the latency histogram's buckets. */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface ModelInfo {
  name: string;
  version: string;
  task: string;
  sha256: string;
}

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** Escape a label value: backslash, double quote and newline, as the format requires. */
function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${label(v)}"`)
    .join(',')}}`;
}

/** A number as Prometheus reads it (+Inf for infinity). */
function num(v: number): string {
  return v === Infinity ? '+Inf' : String(v);
}

export class ServeMetrics {
  private readonly requests = new Map<string, { route: string; method: string; status: number; n: number }>();
  private readonly latency = new Map<string, Histogram>();
  private recordsScored = 0;
  private storedReturned = 0;
  inFlight = 0;

  constructor(
    private readonly models: readonly ModelInfo[],
    private readonly cache: () => CacheStats,
    private readonly startedAtMs: number,
  ) {}

  /** One finished request: its route (the pattern, never the raw path), method, status and duration. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    const r = this.requests.get(key);
    if (r) r.n++;
    else this.requests.set(key, { route, method, status, n: 1 });
    let h = this.latency.get(route);
    if (!h) this.latency.set(route, (h = { counts: LATENCY_BUCKETS_S.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < LATENCY_BUCKETS_S.length; i++) if (seconds <= LATENCY_BUCKETS_S[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  /** Records written in a response; `stored` of them were read back from ml_predictions. */
  observeRecords(records: number, stored = 0): void {
    this.recordsScored += records;
    this.storedReturned += stored;
  }

  /** The exposition text. */
  render(nowMs = Date.now()): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    head('logml_http_requests_total', 'counter', 'HTTP requests answered, by route, method and status code.');
    for (const r of [...this.requests.values()].sort((a, b) => a.route.localeCompare(b.route) || a.method.localeCompare(b.method) || a.status - b.status)) {
      out.push(`logml_http_requests_total${labels({ route: r.route, method: r.method, status: String(r.status) })} ${r.n}`);
    }
    head('logml_http_request_duration_seconds', 'histogram', 'Time from the request\'s arrival to the end of its response, by route.');
    for (const [route, h] of [...this.latency.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      LATENCY_BUCKETS_S.forEach((le, i) => out.push(`logml_http_request_duration_seconds_bucket${labels({ route, le: String(le) })} ${h.counts[i]}`));
      out.push(`logml_http_request_duration_seconds_bucket${labels({ route, le: '+Inf' })} ${h.count}`);
      out.push(`logml_http_request_duration_seconds_sum${labels({ route })} ${num(h.sum)}`);
      out.push(`logml_http_request_duration_seconds_count${labels({ route })} ${h.count}`);
    }
    head('logml_http_requests_in_flight', 'gauge', 'Prediction requests being read, scored or written now.');
    out.push(`logml_http_requests_in_flight ${this.inFlight}`);
    head('logml_records_scored_total', 'counter', 'Log records answered with a prediction (scored now, or read back from ml_predictions).');
    out.push(`logml_records_scored_total ${this.recordsScored}`);
    head('logml_records_from_store_total', 'counter', 'Of those, records whose predictions were already in ml_predictions (--db, store).');
    out.push(`logml_records_from_store_total ${this.storedReturned}`);
    const c = this.cache();
    head('logml_scorer_cache_lookups_total', 'counter', 'Messages looked up in the scorer\'s cache of model outputs (by masked text).');
    out.push(`logml_scorer_cache_lookups_total ${c.lookups}`);
    head('logml_scorer_cache_hits_total', 'counter', 'Lookups answered from the cache, without running a model.');
    out.push(`logml_scorer_cache_hits_total ${c.hits}`);
    head('logml_scorer_cache_hit_ratio', 'gauge', 'hits / lookups since start (NaN before the first lookup).');
    out.push(`logml_scorer_cache_hit_ratio ${c.lookups === 0 ? 'NaN' : num(c.hits / c.lookups)}`);
    head('logml_model_info', 'gauge', 'The models loaded, one series per model (value 1).');
    for (const m of this.models) out.push(`logml_model_info${labels({ name: m.name, version: m.version, task: m.task, sha256: m.sha256 })} 1`);
    head('logml_uptime_seconds', 'gauge', 'Seconds since the server started.');
    out.push(`logml_uptime_seconds ${num((nowMs - this.startedAtMs) / 1000)}`);
    return out.join('\n') + '\n';
  }
}
