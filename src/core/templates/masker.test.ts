import { describe, expect, it } from 'vitest';
import { DEFAULT_MASKING_RULES, TemplateMiner } from './index.js';
import { createMasker, isDigitUniform } from './masker.js';

/** A rule that never matches but names a digit: it turns the digit-shape cache off. */
const CACHE_OFF = { name: 'never', regex: 'never1\\u0000', replacement: '<*>' };

const MESSAGES = [
  'connect to 10.0.0.1:5432 took 35 ms',
  'connect to 10.0.0.12:5432 took 350 ms',
  'connect to 99.99.99.99:1 took 1 ms',
  'Failed password for root from 173.234.31.186 port 38926 ssh2',
  'Failed password for root from 173.234.31.186 port 38926 ssh7',
  'jk2_init() Found child 6725 in scoreboard slot 10',
  'jk9_init() Found child 1111 in scoreboard slot 99',
  'req 123e4567-e89b-12d3-a456-426614174000 at 2024-01-02T03:04:05Z',
  'req 923e4567-e89b-12d3-a456-426614174999 at 2025-11-12T13:14:15Z',
  'addr 0x7fff5fbff8a8 hex 9f4ef63 v6.1.7601.23505',
  'addr 9x7fff5fbff8a8 hex 1f4ef63 v9.9.9999.99999',
  'GET "GET /v2/54fadb412c4e/servers HTTP/1.1" status: 200',
  'GET "GET /v2/99fadb412c4e/servers HTTP/1.1" status: 404',
  'install Package_for_KB2552343~amd64~x1 state 7',
  'install Package_for_KB9999999~amd64~x1 state 8',
  'install Package_for_KB2552343~amd99~x1 state 9',
  'install Package_for_KB1111111~amd11~x1 state 1',
  'install Package_for_KB2222222~amd11~x2 state 2',
  'Invalid user john from 10.0.0.1 via ssh2',
  'Invalid user mary from 10.0.0.1 via ssh2',
  'Invalid user bob from 10.0.0.1 via ssh2',
  'Invalid user anna from 10.0.0.1 via ssh2',
  'Invalid user carl from 10.0.0.1 via ssh2',
  'Invalid user john smith from 10.0.0.1 via ssh2',
  'Invalid user john smith from 10.0.0.9 via ssh2',
];

describe('masker', () => {
  it('knows which rules treat all digits alike', () => {
    expect(DEFAULT_MASKING_RULES.every(isDigitUniform)).toBe(true);
    expect(isDigitUniform({ name: 'http11', regex: 'HTTP/1\\.1', replacement: '<*>' })).toBe(false);
    expect(isDigitUniform({ name: 'low', regex: '[1-5]+', replacement: '<*>' })).toBe(false);
    expect(isDigitUniform({ name: 'backref', regex: '(a)\\1', replacement: '<*>' })).toBe(false);
    expect(isDigitUniform({ name: 'counted', regex: '\\d{2,4}-[0-9a-f]{8}', replacement: '<*>' })).toBe(true);
  });

  it('masks alike with and without the digit-shape cache', () => {
    const cached = createMasker(DEFAULT_MASKING_RULES);
    const uncached = createMasker([...DEFAULT_MASKING_RULES, CACHE_OFF]);
    for (let round = 0; round < 3; round++) {
      for (const message of MESSAGES) expect(cached.mask(message)).toBe(uncached.mask(message));
    }
    expect(cached.mask('Failed password for root from 1.2.3.4 port 22 ssh2')).toBe('Failed password for root from <*> port <*> ssh2');
    expect(cached.mask('Failed password for root from 5.6.7.8 port 99 ssh3')).toBe('Failed password for root from <*> port <*> ssh3');
  });

  it('gives the miner the same templates with and without the caches', () => {
    const fast = new TemplateMiner();
    const slow = new TemplateMiner({ maskingRules: [...DEFAULT_MASKING_RULES, CACHE_OFF] });
    for (let round = 0; round < 3; round++) {
      for (const message of MESSAGES) expect(fast.add(message)).toEqual(slow.add(message));
    }
    expect(fast.templates()).toEqual(slow.templates());
  });
});

describe('default rules: mixed ids, host names, durations', () => {
  const mask = createMasker(DEFAULT_MASKING_RULES).mask;

  it('masks identifiers that mix letters and digits (pod suffixes, task ids), whole', () => {
    expect(mask('pod web-5d8f9c7b6-x2k4p restarted')).toBe('pod web-<*>-<*> restarted');
    expect(mask('pod web-5d8f restarted')).toBe('pod web-<*> restarted');
    expect(mask('task send_email[3f2a] done')).toBe('task send_email[<*>] done');
    expect(mask('job AB12CD queued')).toBe('job <*> queued');
  });

  it('keeps words that end in a number (protocols, algorithms, class names)', () => {
    expect(mask('ssh2 sha256 md5sum utf8 ext4 Win32Exception http2')).toBe('ssh2 sha256 md5sum utf8 ext4 Win32Exception http2');
  });

  it('masks host names under a known suffix, not Java packages or dotted loggers', () => {
    expect(mask('connect db-1.prod.example.com:5432 ok')).toBe('connect <*>:<*> ok');
    expect(mask('resolved api.svc.cluster.local')).toBe('resolved <*>');
    expect(mask('in com.example.Foo and nova.compute.manager')).toBe('in com.example.Foo and nova.compute.manager');
  });

  it('masks durations glued to their unit', () => {
    expect(mask('took 250ms, then 1.5s (3m20s in all)')).toBe('took <*>, then <*> (<*> in all)');
    expect(mask('took 250 ms')).toBe('took <*> ms');
  });

  it('the new rules keep the digit-shape cache on', () => {
    for (const rule of DEFAULT_MASKING_RULES) expect(isDigitUniform(rule), rule.name).toBe(true);
  });

  it('events that differ in one word stay apart even when their ids are masked', () => {
    const miner = new TemplateMiner();
    const a = miner.add('pod web-5d8f9c7b6-x2k4p started on node-1.example.com').templateId;
    const b = miner.add('pod web-7c9d8b6f5-q8w7e started on node-2.example.com').templateId;
    const c = miner.add('pod web-5d8f9c7b6-x2k4p stopped on node-1.example.com').templateId;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});
