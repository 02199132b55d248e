import { describe, expect, it } from 'vitest';
import { bucketOf, fnv1a32, pairHash } from './hash.js';
import { featurize, packBatch } from './featurize.js';
import { maskMessage } from './mask.js';
import { DEFAULT_FEATURE_SPEC, specHash, unsupportedSpecReason } from './spec.js';
import { tokenize } from './tokenize.js';

describe('maskMessage', () => {
  it.each([
    ['Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6', 'Received block blk_<NUM> of size <NUM> from /<IP>'],
    ['connect to 10.0.0.1:5432 failed', 'connect to <IP> failed'],
    ['rhost=218.188.2.4 uid=0', 'rhost=<IP> uid=<NUM>'],
    ['req-38101a0b-2096-447d-96ea-a692162415ae done', 'req-<UUID> done'],
    ['id 123e4567-e89b-12d3-a456-426614174000', 'id <UUID>'],
    ['Loaded /etc/httpd/conf/workers2.properties', 'Loaded <PATH>'],
    ['GET https://example.com/a?b=1 200', 'GET <URL> <NUM>'],
    ['at 2005-06-03 15:42:50.675 ok', 'at <DATE> <DATE> ok'],
    ['pointer 0x7f3a9c00 freed', 'pointer <HEX> freed'],
    ['token{9f4ef63 a64f992}', 'token{<HEX> <HEX>}'],
    ['took 200ms and 1.5s', 'took <NUM> and <NUM>'],
    ['appattempt_1445144423722_0020_000001', 'appattempt_<NUM>_<NUM>_<NUM>'],
    ['no variables here at all', 'no variables here at all'],
    ['', ''],
  ])('%s', (input, expected) => expect(maskMessage(input)).toBe(expected));

  it('is stable under repetition (a pure function)', () => {
    const m = 'x 1 y 2 /a/b 10.0.0.1';
    expect(maskMessage(maskMessage(m))).toBe(maskMessage(m));
  });
  it('handles a long line without blowing up (no clock: a super-linear mask would hit the timeout)', { timeout: 120_000 }, () => {
    const long = 'word 123 '.repeat(200_000);
    expect(maskMessage(long)).toBe('word <NUM> '.repeat(200_000));
  });
});

describe('tokenize', () => {
  it('splits camelCase, keeps placeholders, lower-cases, drops 1-char parts', () => {
    expect(tokenize('NullPointerException in HTTPServer at <NUM> x')).toEqual(['null', 'pointer', 'exception', 'in', 'http', 'server', 'at', '<num>']);
  });
  it('splits on punctuation and digits', () => {
    expect(tokenize('dfs.DataNode$PacketResponder: v2 ok')).toEqual(['dfs', 'data', 'node', 'packet', 'responder', 'ok']);
  });
  it('caps the number of tokens', () => {
    expect(tokenize('ab '.repeat(500), 10)).toHaveLength(10);
  });
});

describe('hashing', () => {
  it('fnv1a32 matches published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
  it('pairHash(a, b) equals the hash of "a b"', () => {
    expect(pairHash(fnv1a32('connection'), 'refused')).toBe(fnv1a32('connection refused'));
  });
  it('buckets are in [1, dims)', () => {
    for (const s of ['a', 'b', 'zz', 'connection']) {
      const b = bucketOf(fnv1a32(s), 16);
      expect(b).toBeGreaterThanOrEqual(1);
      expect(b).toBeLessThan(16);
    }
  });
});

describe('featurize', () => {
  const spec = { ...DEFAULT_FEATURE_SPEC, dims: 1 << 12, charNgrams: null };
  it('gives sorted unique buckets with log counts', () => {
    const f = featurize('error error error', spec);
    // unigram "error" x3, bigram "error error" x2, lexicon fail x3
    expect(Array.from(f.indices)).toEqual([...f.indices].sort((a, b) => a - b));
    const values = Array.from(f.values).map((v) => Math.round(v * 1e6) / 1e6).sort();
    expect(values).toEqual([1 + Math.log(2), 1 + Math.log(3), 1 + Math.log(3)].map((v) => Math.round(v * 1e6) / 1e6).sort());
  });
  it('numbers do not change features', () => {
    expect(featurize('block 1 of 2', spec)).toEqual(featurize('block 77 of 99', spec));
  });
  it('packBatch pads with bucket 0 and value 0', () => {
    const b = packBatch([featurize('a bb cc dd', spec), featurize('ee', spec)]);
    expect(b.rows).toBe(2);
    const second = Array.from(b.indices.slice(b.width, 2 * b.width));
    expect(second.filter((i) => i === 0).length).toBe(b.width - 1);
  });
});

describe('character n-grams', () => {
  const spec = { ...DEFAULT_FEATURE_SPEC, dims: 1 << 20, ngrams: [1], lexicon: 'none' as const, charNgrams: [3, 4] as [number, number] };
  it('add the 3..4-grams of each marked word token, hashed with their own seed', () => {
    const f = featurize('fail', spec);
    // <fail>: <fa fai ail il> (3) + <fai fail ail> (4) = 7 n-grams + the unigram
    expect(f.indices.length).toBe(8);
    const seed = fnv1a32('\u0000char');
    for (const g of ['<fa', 'fai', 'ail', 'il>', '<fai', 'fail', 'ail>']) expect(Array.from(f.indices)).toContain(bucketOf(fnv1a32(g, seed), spec.dims));
  });
  it('share pieces between word forms that the word features keep apart', () => {
    const a = new Set(featurize('failed', spec).indices);
    const b = [...featurize('failure', spec).indices].filter((i) => a.has(i));
    expect(b.length).toBeGreaterThanOrEqual(3);
  });
  it('skip mask placeholders', () => {
    expect(featurize('1234', spec).indices.length).toBe(1); // <num> only
  });
  it('are named in the spec check', () => {
    expect(unsupportedSpecReason({ ...DEFAULT_FEATURE_SPEC, charNgrams: [5, 3] })).toMatch(/charNgrams/);
    expect(unsupportedSpecReason({ ...DEFAULT_FEATURE_SPEC, charNgrams: null })).toBeNull();
    const { charNgrams: _omit, ...old } = DEFAULT_FEATURE_SPEC;
    expect(unsupportedSpecReason(old)).toBeNull(); // models written before char n-grams still load
  });
});

describe('feature spec', () => {
  it('hash is stable and sensitive to every field', () => {
    expect(specHash(DEFAULT_FEATURE_SPEC)).toBe(specHash({ ...DEFAULT_FEATURE_SPEC }));
    expect(specHash({ ...DEFAULT_FEATURE_SPEC, dims: 1024 })).not.toBe(specHash(DEFAULT_FEATURE_SPEC));
  });
  it('unsupported specs are named', () => {
    expect(unsupportedSpecReason(DEFAULT_FEATURE_SPEC)).toBeNull();
    expect(unsupportedSpecReason({ ...DEFAULT_FEATURE_SPEC, tokenizer: 'other' as never })).toMatch(/tokenizer/);
    expect(unsupportedSpecReason({ ...DEFAULT_FEATURE_SPEC, dims: -1 })).toMatch(/dims/);
  });
});
