import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRecordParser } from './index.js';
import { detectPrefix } from './prefixed.js';

function parseAll(lines: string[]) {
  const p = createRecordParser({ source: 'x', format: 'auto', year: 2026 });
  return lines.flatMap((l, i) => p.push(l, i + 1)).concat(p.flush());
}

const COMPOSE_LINES = [
  'Attaching to db-1, web-1, worker-1',
  'web-1     | 2026-12-03 10:00:01,120 ERROR [app] Failed to connect to database: connection refused',
  'db-1      | 2026-12-03 10:00:01.200 UTC [27] LOG:  database system is ready to accept connections',
  'web-1     | java.net.ConnectException: Connection refused',
  'web-1     |     at com.acme.Db.open(Db.java:42)',
  'worker-1  | {"level":"warn","time":"2026-12-03T10:00:03Z","msg":"queue depth 9000 above 5000"}',
  'web-1     | 2026-12-03 10:00:04,000 INFO [app] Server started on port 8080',
  'db-1      |',
];

describe('multiplexed streams (docker compose, kubectl --prefix)', () => {
  it('detects the prefix only when most lines carry it', () => {
    expect(detectPrefix(COMPOSE_LINES)).toBe('compose');
    expect(detectPrefix(['[pod/web-7f9c/app] started', '[pod/web-7f9c/app] GET / 200', '[pod/db-0/postgres] LOG:  ready'])).toBe('kubectl');
    expect(detectPrefix(['2026-12-03 10:00:01 INFO a | b', 'plain line', 'another'])).toBeNull();
    expect(detectPrefix(['web-1  | only one line'])).toBeNull();
  });
  it("parses each service in its own format, joins a service's stack trace to its own record, names the service", () => {
    const recs = parseAll(COMPOSE_LINES);
    const by = (line: number) => recs.find((r) => r.line === line)!;
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 6, 7]);
    expect(by(2)).toMatchObject({ level: 'ERROR', component: 'web-1', time: '2026-12-03T10:00:01.120Z' });
    expect(by(2).message).toBe('[app] Failed to connect to database: connection refused\njava.net.ConnectException: Connection refused\n    at com.acme.Db.open(Db.java:42)');
    expect(by(3)).toMatchObject({ level: 'INFO', message: 'database system is ready to accept connections' });
    expect(by(3).component).toMatch(/^db-1/);
    expect(by(6)).toMatchObject({ level: 'WARN', message: 'queue depth 9000 above 5000', component: 'worker-1' });
    expect(by(7)).toMatchObject({ level: 'INFO', message: '[app] Server started on port 8080' });
    expect(by(1).message).toBe('Attaching to db-1, web-1, worker-1');
  });
  it('reads kubectl --prefix lines', () => {
    const recs = parseAll(['[pod/web-7f9c/app] 2026-12-03T10:00:01Z ERROR payment failed: card declined', '[pod/db-0/postgres] 2026-12-03 10:00:01.200 UTC [27] LOG:  checkpoint starting: time']);
    expect(recs.map((r) => [r.level, r.component?.split('/').slice(0, 3).join('/')])).toEqual([['ERROR', 'pod/web-7f9c/app'], ['INFO', 'pod/db-0/postgres']]);
  });
  it('leaves an ordinary file exactly as the single parser reads it', () => {
    const lines = readFileSync(new URL('../../../fixtures/loghub-2k/Hadoop_2k.log', import.meta.url), 'utf8').split('\n').slice(0, 300);
    const direct = createRecordParser({ source: 'x', format: 'header', year: 2026 });
    const forced = lines.flatMap((l, i) => direct.push(l, i + 1)).concat(direct.flush());
    expect(parseAll(lines)).toEqual(forced);
  });
  it('keeps a long prefixed line whole, and bounds the parsers by service count', () => {
    const long = `web-1  | 2026-12-03 10:00:01,120 ERROR ${'x'.repeat(10_000)} tail`;
    const recs = parseAll([long, 'web-1  | 2026-12-03 10:00:02,000 INFO ok']);
    expect(recs[0]!.message.endsWith(' tail')).toBe(true);
    expect(recs[0]!.message.length).toBe(10_000 + 5);
    const many = Array.from({ length: 1000 }, (_, i) => `svc${i}-1  | 2026-12-03 10:00:01,000 INFO line ${i}`);
    const out = parseAll(many);
    expect(out.length).toBe(1000);
    expect(new Set(out.map((r) => r.line)).size).toBe(1000);
  });
});

describe('multiplexed streams, seeded interleaving', () => {
  it('gives every JSON line of every service exactly one record, with its own line number and level', () => {
    let x = 2026;
    const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const levels = ['debug', 'info', 'warn', 'error'];
    const lines: string[] = [];
    const expected = new Map<number, { level: string; service: string }>();
    for (let i = 1; i <= 3000; i++) {
      const service = `svc${Math.floor(rand() * 5)}-1`;
      const level = levels[Math.floor(rand() * levels.length)]!;
      const junk = 'x|y | z'.repeat(Math.floor(rand() * 4));
      lines.push(`${service.padEnd(9)} | ${JSON.stringify({ level, msg: `event ${i} ${junk}` })}`);
      expected.set(i, { level: level === 'warn' ? 'WARN' : level.toUpperCase(), service });
    }
    const recs = parseAll(lines);
    expect(recs.length).toBe(3000);
    for (const r of recs) expect([r.line, r.level, r.component]).toEqual([r.line, expected.get(r.line)!.level, expected.get(r.line)!.service]);
    expect(new Set(recs.map((r) => r.line)).size).toBe(3000);
  });
});
