import { describe, expect, it } from 'vitest';
import { ServeMetrics } from './metrics.js';

describe('ServeMetrics', () => {
  it('renders what was observed in the Prometheus text format', () => {
    const m = new ServeMetrics([{ name: 'level-default', version: '0.1.0', task: 'level', sha256: 'ab'.repeat(32) }], () => ({ lookups: 10, hits: 4 }), 1_000);
    m.observeRequest('/v1/predict', 'POST', 200, 0.003);
    m.observeRequest('/v1/predict', 'POST', 200, 0.03);
    m.observeRequest('/v1/predict', 'POST', 413, 0.0005);
    m.observeRecords(12, 5);
    const text = m.render(11_000);
    expect(text).toContain('logml_http_requests_total{route="/v1/predict",method="POST",status="200"} 2\n');
    expect(text).toContain('logml_http_requests_total{route="/v1/predict",method="POST",status="413"} 1\n');
    expect(text).toContain('logml_http_request_duration_seconds_bucket{route="/v1/predict",le="0.001"} 1\n');
    expect(text).toContain('logml_http_request_duration_seconds_bucket{route="/v1/predict",le="0.005"} 2\n');
    expect(text).toContain('logml_http_request_duration_seconds_bucket{route="/v1/predict",le="+Inf"} 3\n');
    expect(text).toContain('logml_http_request_duration_seconds_count{route="/v1/predict"} 3\n');
    expect(text).toContain('logml_records_scored_total 12\n');
    expect(text).toContain('logml_records_from_store_total 5\n');
    expect(text).toContain('logml_scorer_cache_hit_ratio 0.4\n');
    expect(text).toContain(`logml_model_info{name="level-default",version="0.1.0",task="level",sha256="${'ab'.repeat(32)}"} 1\n`);
    expect(text).toContain('logml_uptime_seconds 10\n');
    // every series has its HELP and TYPE
    for (const name of new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]!.replace(/_(bucket|sum|count)$/, '')))) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('shows no hit ratio before the first lookup (NaN), rather than a made-up 0', () => {
    expect(new ServeMetrics([], () => ({ lookups: 0, hits: 0 }), 0).render(0)).toContain('logml_scorer_cache_hit_ratio NaN\n');
  });
});
