/**
 * @file What `logml serve` reads from a request, checked before any scoring: the body (bounded
 * in bytes, gzip decoded within the same bound), turned into the log text `logml predict` would
 * read from a pipe (NDJSON / plain lines as they are; a JSON array of strings or of records, one
 * line each), or into a list of log-table ids; and which output format the client asked for.
 * Every refusal is an HttpError carrying its status, a code, a message and a hint.
 */
import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** A request the server refuses: status, a stable code, a message and a hint for the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type ResponseFormat = 'ndjson' | 'json' | 'csv';

export const CONTENT_TYPES: Record<ResponseFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

const GZIP_MAGIC = [0x1f, 0x8b] as const;

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'body_too_large', `request body larger than ${maxBytes} bytes`, 'send fewer lines per request, or start the server with a larger --max-body-bytes');
}

/**
 * The whole body, at most `maxBytes` (also after gzip decoding: `Content-Encoding: gzip`, or a
 * body that starts with gzip's magic bytes, as `logml predict` reads .gz pipes).
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new HttpError(415, 'unsupported_encoding', `unsupported Content-Encoding "${encoding}"`, 'send the body uncompressed or gzip-compressed');
  // events, not for-await: leaving an async iterator destroys the request, and with it the
  // socket the 413 answer has to go out on; the rest of a refused body is read and dropped
  const { chunks, size } = await new Promise<{ chunks: Buffer[]; size: number }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        reject(tooLarge(maxBytes));
      } else chunks.push(chunk);
    };
    const onEnd = () => resolve({ chunks, size });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
    req.once('aborted', () => reject(new HttpError(400, 'aborted', 'the client closed the connection before the body ended')));
  });
  const body = Buffer.concat(chunks, size);
  if (encoding === 'gzip' || (body.length >= 2 && body[0] === GZIP_MAGIC[0] && body[1] === GZIP_MAGIC[1])) {
    try {
      return gunzipSync(body, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
      throw new HttpError(400, 'bad_gzip', `corrupt or truncated gzip body (${(err as Error).message})`, 'compress the whole body with gzip, or send it uncompressed');
    }
  }
  return body;
}

/** The media type of a Content-Type or Accept entry, lower case, parameters dropped. */
function mediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

function isJson(contentType: string | undefined): boolean {
  const t = mediaType(contentType);
  return t === 'application/json' || t.endsWith('+json');
}

function countLines(text: Buffer): number {
  if (text.length === 0) return 0;
  let n = 0;
  for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) n++;
  return text[text.length - 1] === 10 ? n : n + 1;
}

function tooManyLines(n: number, maxLines: number, what = 'lines'): HttpError {
  return new HttpError(413, 'too_many_lines', `request has ${n} ${what}, more than the limit of ${maxLines}`, 'split it into requests of at most that many, or start the server with a larger --max-lines');
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'bad_json', `the body is not valid JSON (${(err as Error).message})`, 'send a JSON array, or NDJSON / plain lines with Content-Type application/x-ndjson or text/plain');
  }
}

/**
 * The log text of a `POST /v1/predict` body, as `logml predict` reads it from a pipe, and its
 * line count. NDJSON and plain text (any Content-Type but JSON) are kept as they are; with
 * `Content-Type: application/json`, an array whose items are strings (a log line each) or
 * objects (a JSON log record each, such as `{"level":"error","msg":"..."}`), one line per item.
 * @example parsePredictBody(Buffer.from('["disk full", {"msg": "ok"}]'), 'application/json', 100)
 *   // { text: <Buffer 'disk full\n{"msg":"ok"}\n'>, lines: 2 }
 */
export function parsePredictBody(body: Buffer, contentType: string | undefined, maxLines: number): { text: Buffer; lines: number } {
  if (body.length === 0) throw new HttpError(400, 'empty_body', 'empty request body: nothing to score', 'send log lines (NDJSON or plain text), or a JSON array of lines or records');
  if (!isJson(contentType)) {
    const lines = countLines(body);
    if (lines > maxLines) throw tooManyLines(lines, maxLines);
    return { text: body, lines };
  }
  const value = parseJson(body);
  if (!Array.isArray(value)) {
    throw new HttpError(400, 'bad_json_shape', `a JSON body must be an array, got ${value === null ? 'null' : typeof value}`, 'send ["line 1", "line 2"] or [{"msg": "..."}, ...]; NDJSON goes with Content-Type application/x-ndjson');
  }
  const lines: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item === 'string') lines.push(item.replace(/\r?\n$/, ''));
    else if (item !== null && typeof item === 'object' && !Array.isArray(item)) lines.push(JSON.stringify(item));
    else throw new HttpError(400, 'bad_json_item', `item ${i} of the array is ${item === null ? 'null' : Array.isArray(item) ? 'an array' : `a ${typeof item}`}, not a log line (string) or a record (object)`, 'send ["line 1", "line 2"] or [{"msg": "..."}, ...]');
  }
  const text = Buffer.from(lines.length ? lines.join('\n') + '\n' : '');
  const n = countLines(text);
  if (n > maxLines) throw tooManyLines(n, maxLines);
  return { text, lines: n };
}

/**
 * The log-table ids of a `POST /v1/predict?store=1` body: a JSON array of ids (strings or whole
 * numbers), `{"ids": [...]}`, or one id per line. Each id once, in the order given.
 */
export function parseIdsBody(body: Buffer, contentType: string | undefined, maxIds: number): string[] {
  const hint = 'send a JSON array of log ids ([41, 42] or ["41", "42"]), {"ids": [...]}, or one id per line';
  if (body.length === 0) throw new HttpError(400, 'empty_body', 'empty request body: no log ids to predict', hint);
  let ids: string[];
  if (isJson(contentType)) {
    const value = parseJson(body);
    const list: unknown = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? (value as { ids?: unknown }).ids : undefined;
    if (!Array.isArray(list)) throw new HttpError(400, 'bad_json_shape', 'with store=1 the body holds log ids, not an array or {"ids": [...]}', hint);
    ids = list.map((v: unknown, i) => {
      if (typeof v === 'string' && v.trim() !== '') return v.trim();
      if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
      throw new HttpError(400, 'bad_id', `id ${i} of the list (${JSON.stringify(v)}) is not a log id`, typeof v === 'number' ? 'send ids beyond 2^53 as strings' : hint);
    });
  } else {
    ids = body
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  }
  if (ids.length === 0) throw new HttpError(400, 'empty_body', 'no log ids in the request body', hint);
  const unique = [...new Set(ids)];
  if (unique.length > maxIds) throw tooManyLines(unique.length, maxIds, 'ids');
  return unique;
}

/**
 * The response format: `?format=` if given, else the first of application/x-ndjson (also
 * application/jsonl), application/json, text/csv named in Accept, else JSON when the request
 * body was JSON, else NDJSON.
 */
export function responseFormat(query: string | null, accept: string | undefined, contentType: string | undefined): ResponseFormat {
  if (query !== null) {
    if (query === 'ndjson' || query === 'json' || query === 'csv') return query;
    throw new HttpError(400, 'bad_format', `unknown format "${query}"; expected one of: ndjson, json, csv`, 'or leave format out and use an Accept header');
  }
  for (const entry of (accept ?? '').split(',')) {
    const t = mediaType(entry);
    if (t === 'application/x-ndjson' || t === 'application/jsonl' || t === 'application/ndjson') return 'ndjson';
    if (t === 'application/json') return 'json';
    if (t === 'text/csv') return 'csv';
  }
  return isJson(contentType) ? 'json' : 'ndjson';
}
