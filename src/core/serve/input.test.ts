import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { HttpError, parseIdsBody, parsePredictBody, readBody, responseFormat } from './input.js';

function req(body: Buffer, headers: Record<string, string> = {}): IncomingMessage {
  const r = Readable.from([body]) as unknown as IncomingMessage;
  (r as { headers: unknown }).headers = headers;
  return r;
}

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<HttpError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('serve input', () => {
  it('keeps NDJSON and plain bodies as they are, and counts their lines', () => {
    expect(parsePredictBody(Buffer.from('a\nb\n'), 'application/x-ndjson', 2)).toEqual({ text: Buffer.from('a\nb\n'), lines: 2 });
    expect(parsePredictBody(Buffer.from('a\nb'), undefined, 2).lines).toBe(2);
  });

  it('turns a JSON array of lines and records into one line each', () => {
    const r = parsePredictBody(Buffer.from('["disk full", {"msg": "ok", "level": "info"}, "two\\nlines"]'), 'application/json; charset=utf-8', 10);
    expect(r.text.toString()).toBe('disk full\n{"msg":"ok","level":"info"}\ntwo\nlines\n');
    expect(r.lines).toBe(4);
    expect(parsePredictBody(Buffer.from('[]'), 'application/json', 1)).toEqual({ text: Buffer.from(''), lines: 0 });
  });

  it('refuses what is not lines or records, and more lines than the limit', async () => {
    expect((await refusal(() => parsePredictBody(Buffer.from('{"a": 1}'), 'application/json', 5))).code).toBe('bad_json_shape');
    expect((await refusal(() => parsePredictBody(Buffer.from('[1]'), 'application/json', 5))).message).toBe('item 0 of the array is a number, not a log line (string) or a record (object)');
    expect((await refusal(() => parsePredictBody(Buffer.from('a\nb\nc\n'), 'text/plain', 2))).status).toBe(413);
    expect((await refusal(() => parsePredictBody(Buffer.from('["a","b","c"]'), 'application/json', 2))).status).toBe(413);
    expect((await refusal(() => parsePredictBody(Buffer.alloc(0), 'text/plain', 2))).code).toBe('empty_body');
  });

  it('reads ids from JSON arrays, {"ids": [...]}, or lines; each once', async () => {
    expect(parseIdsBody(Buffer.from('[41, "42", 41]'), 'application/json', 5)).toEqual(['41', '42']);
    expect(parseIdsBody(Buffer.from('{"ids": ["9007199254740993"]}'), 'application/json', 5)).toEqual(['9007199254740993']);
    expect(parseIdsBody(Buffer.from('7\n\n8\n'), 'text/plain', 5)).toEqual(['7', '8']);
    expect((await refusal(() => parseIdsBody(Buffer.from('[1.5]'), 'application/json', 5))).code).toBe('bad_id');
    expect((await refusal(() => parseIdsBody(Buffer.from('[1,2,3]'), 'application/json', 2))).status).toBe(413);
  });

  it('bounds the body in bytes, before and after gzip', async () => {
    expect((await readBody(req(Buffer.from('hello')), 5)).toString()).toBe('hello');
    expect((await refusal(readBody(req(Buffer.from('hello!')), 5))).status).toBe(413);
    expect((await refusal(readBody(req(Buffer.from('x'), { 'content-length': '99' }), 5))).status).toBe(413);
    expect((await readBody(req(gzipSync('a\nb\n'), { 'content-encoding': 'gzip' }), 100)).toString()).toBe('a\nb\n');
    expect((await readBody(req(gzipSync('a\nb\n')), 100)).toString()).toBe('a\nb\n');
    expect((await refusal(readBody(req(gzipSync('z'.repeat(1000))), 100))).status).toBe(413);
    expect((await refusal(readBody(req(Buffer.from('x'), { 'content-encoding': 'br' }), 100))).status).toBe(415);
  });

  it('picks the response format: ?format=, then Accept, then the request\'s own type', async () => {
    expect(responseFormat(null, undefined, undefined)).toBe('ndjson');
    expect(responseFormat(null, '*/*', 'application/json')).toBe('json');
    expect(responseFormat(null, 'text/csv, application/json', 'text/plain')).toBe('csv');
    expect(responseFormat(null, 'application/x-ndjson', 'application/json')).toBe('ndjson');
    expect(responseFormat('json', 'text/csv', undefined)).toBe('json');
    expect((await refusal(() => responseFormat('xml', undefined, undefined))).status).toBe(400);
  });
});
