/**
 * @file Line sources: a file (plain or gzip, detected by its magic bytes), standard input, or a
 * file followed like `tail -f` (new lines as they arrive; truncation and rotation handled by
 * reopening). Yields LineBatch objects; errors are InputError with the path and a hint.
 * Binary input (an executable, an image, random bytes, xz/bzip2/zstd data...) is refused at the first chunk;
 * UTF-16 text (a byte-order mark, or ASCII in UTF-16) is read as text, converted to UTF-8.
 */
import { promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { LineSplitter, type LineBatch, type SkipCounts } from './line-splitter.js';

export interface LineSourceOptions {
  /** A path, or '-' for standard input. */
  path: string;
  follow?: boolean;
  maxLineBytes?: number;
  /** Follow mode: how often to look for new data. */
  pollMs?: number;
  /** Follow mode: resolves when the caller wants to stop. */
  signal?: AbortSignal;
  stdin?: Readable;
}

export interface LineSource {
  batches: AsyncIterable<LineBatch>;
  /** Counts of lines set aside, final once `batches` is exhausted. */
  skipped: SkipCounts;
  /** Bytes read so far (compressed size for .gz). */
  bytesRead(): number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * UTF-16 text (what Windows PowerShell's `>` and `Out-File` write): by its byte-order mark, or,
 * without one, when nearly every other byte of the first 512 is NUL and the rest are not (ASCII
 * text in UTF-16). Null for anything else.
 */
export function utf16Encoding(head: Buffer): 'utf-16le' | 'utf-16be' | null {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const n = Math.min(head.length, 512) & ~1;
  if (n < 16) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= pairs * 0.9 && evenNul === 0) return 'utf-16le';
  if (evenNul >= pairs * 0.9 && oddNul === 0) return 'utf-16be';
  return null;
}

/**
 * Chunks of UTF-16 text as UTF-8 bytes (a character split across chunks is kept for the next).
 * The first chunk is checked: random bytes behind a byte-order mark decode to unpaired
 * surrogates (U+FFFD) and control characters, which text does not hold (`refuse` is called).
 */
function utf16Transcoder(encoding: 'utf-16le' | 'utf-16be', refuse: () => never): (chunk: Buffer) => Buffer {
  const decoder = new TextDecoder(encoding);
  let checked = false;
  return (chunk) => {
    const text = decoder.decode(chunk, { stream: true });
    if (!checked) {
      checked = true;
      let odd = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) odd++;
      }
      if (odd > text.length * 0.02) refuse();
    }
    return Buffer.from(text, 'utf8');
  };
}

/** Compressed formats logml does not decompress (gzip it does), by their magic bytes. */
const FOREIGN_COMPRESSION: Array<{ magic: number[]; name: string; tool: string }> = [
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz', tool: 'xz -dc' },
  { magic: [0x42, 0x5a, 0x68], name: 'bzip2', tool: 'bzip2 -dc' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd', tool: 'zstd -dc' },
  { magic: [0x50, 0x4b, 0x03, 0x04], name: 'zip', tool: 'unzip -p' },
];

/** Bytes of `head` that are not part of a well-formed UTF-8 sequence (a sequence cut at the end counts as fine). */
function invalidUtf8Bytes(head: Buffer, n: number): number {
  let bad = 0;
  for (let i = 0; i < n; ) {
    const b = head[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) {
      bad++;
      i++;
      continue;
    }
    let ok = true;
    for (let k = 1; k < len && i + k < n; k++) if ((head[i + k]! & 0xc0) !== 0x80) ok = false;
    if (!ok) {
      bad++;
      i++;
    } else i += len;
  }
  return bad;
}

/** Why an input that is not text is refused. */
const NOT_TEXT = { what: 'binary file, not text logs', hint: 'give a text log file (plain or .gz)' };

/**
 * Why the first bytes of an input are not text logs, or null when they look like text: another
 * compression format, or a sample (up to 64 KiB) with many NUL, control or invalid-UTF-8 bytes.
 * A text log with a few damaged bytes passes (its lines are kept with U+FFFD).
 */
export function binaryReason(head: Buffer): { what: string; hint: string } | null {
  for (const c of FOREIGN_COMPRESSION) {
    if (head.length >= c.magic.length && c.magic.every((m, i) => head[i] === m) && (c.name !== 'bzip2' || /^BZh[1-9]1AY&SY/.test(head.subarray(0, 10).toString('latin1')))) {
      return { what: `${c.name}-compressed data (logml reads plain text and gzip)`, hint: `decompress it first, e.g. \`${c.tool} FILE | logml predict\`` };
    }
  }
  const n = Math.min(head.length, 64 * 1024);
  if (n === 0) return null;
  let nul = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b === 0) nul++;
    else if (b < 8 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  const binary = nul > n * 0.05 || nul + control > n * 0.3 || nul + control + invalidUtf8Bytes(head, n) > n * 0.1;
  return binary ? NOT_TEXT : null;
}

function refuseBinary(name: string, head: Buffer, inside = ''): void {
  const reason = binaryReason(head);
  if (reason) throw new InputError(`${name}: ${inside}${reason.what}`, reason.hint);
}

/**
 * The first chunk of an input (after gunzip when compressed): binary is refused; UTF-16 text gets
 * a transcoder, which `chunk` has already been through. Returns the chunk to split and the
 * transcoder for the chunks after it (null for UTF-8 text).
 */
function openText(name: string, head: Buffer, inside = ''): { chunk: Buffer; transcode: ((chunk: Buffer) => Buffer) | null } {
  const utf16 = utf16Encoding(head);
  const transcode = utf16 === null ? null : utf16Transcoder(utf16, () => {
    throw new InputError(`${name}: ${inside}${NOT_TEXT.what}`, NOT_TEXT.hint);
  });
  const chunk = transcode === null ? head : transcode(head);
  refuseBinary(name, chunk, inside);
  return { chunk, transcode };
}

async function statInput(path: string): Promise<Stats> {
  try {
    return await fsp.stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`, 'check the path; use - to read standard input');
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`, 'check the file permissions');
    throw new InputError(`${path}: cannot read (${code ?? (err as Error).message})`, 'check the path');
  }
}

async function checkOpenable(path: string): Promise<void> {
  try {
    const fh = await fsp.open(path, 'r');
    await fh.close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new InputError(`${path}: permission denied`, 'check the file permissions');
    throw new InputError(`${path}: cannot open (${code ?? (err as Error).message})`, 'check the path');
  }
}

/** Throws InputError unless `path` is an existing, readable, non-directory file. */
export async function checkInputPath(path: string): Promise<void> {
  const st = await statInput(path);
  if (st.isDirectory()) throw new InputError(`${path} is a directory, not a log file`, 'name the files inside it, e.g. dir/*.log');
  await checkOpenable(path);
}

/** Open a line source. Checks the path up front so errors come before any output. */
export async function openLineSource(options: LineSourceOptions): Promise<LineSource> {
  const splitter = new LineSplitter(options.maxLineBytes);
  let bytes = 0;
  const name = options.path === '-' ? 'standard input' : options.path;
  if (options.path !== '-') await checkInputPath(options.path);
  async function* fromStream(stream: AsyncIterable<Buffer | string>): AsyncGenerator<LineBatch> {
    let first = true;
    let gunzip: ReturnType<typeof createGunzip> | null = null;
    let transcode: ((chunk: Buffer) => Buffer) | null = null;
    for await (const raw of stream) {
      let chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
      bytes += chunk.length;
      if (first) {
        first = false;
        if (chunk.length >= 2 && chunk[0] === GZIP_MAGIC_0 && chunk[1] === GZIP_MAGIC_1) {
          gunzip = createGunzip();
          yield* fromGzip(stream, chunk, gunzip);
          return;
        }
        ({ chunk, transcode } = openText(name, chunk));
      } else if (transcode !== null) chunk = transcode(chunk);
      const batch = splitter.push(chunk);
      if (batch.lines.length) yield batch;
    }
    const last = splitter.end();
    if (last.lines.length) yield last;
  }
  async function* fromGzip(rest: AsyncIterable<Buffer | string>, firstChunk: Buffer, gunzip: ReturnType<typeof createGunzip>): AsyncGenerator<LineBatch> {
    // feed compressed chunks into gunzip from a side task; read decompressed chunks here
    const feed = (async () => {
      // copies: gunzip holds a chunk after write() returns, and a file's read buffer is reused
      gunzip.write(Buffer.from(firstChunk));
      for await (const raw of rest) {
        const c = Buffer.from(raw);
        bytes += c.length;
        if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
      }
      gunzip.end();
    })();
    feed.catch((err) => gunzip.destroy(err as Error));
    let firstOut = true;
    let transcode: ((chunk: Buffer) => Buffer) | null = null;
    try {
      for await (let out of gunzip as AsyncIterable<Buffer>) {
        if (firstOut) {
          firstOut = false;
          ({ chunk: out, transcode } = openText(name, out, 'gzip-compressed '));
        } else if (transcode !== null) out = transcode(out);
        const batch = splitter.push(out);
        if (batch.lines.length) yield batch;
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${name}: corrupt or truncated gzip data (${(err as Error).message})`, 'the lines before the damage were scored; re-copy or re-compress the file');
    }
    await feed;
    const last = splitter.end();
    if (last.lines.length) yield last;
  }
  let batches: AsyncIterable<LineBatch>;
  if (options.path === '-') batches = fromStream(untilAborted(options.stdin ?? process.stdin, options.signal));
  else if (options.follow) batches = followFile(options.path, splitter, options, (n) => (bytes += n));
  else {
    // the file is opened when its turn comes, not when the source is created (many inputs)
    const path = options.path;
    batches = (async function* () {
      yield* fromStream(readChunks(path));
    })();
  }
  return { batches, skipped: splitter.skipped, bytesRead: () => bytes };
}

/**
 * A file's bytes in chunks of up to 1 MiB, read into one reused buffer: each chunk is valid until
 * the next one is asked for (the splitter decodes or copies what it keeps), so reading a large
 * file allocates no buffer per chunk.
 */
async function* readChunks(path: string): AsyncGenerator<Buffer> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/**
 * `tail -F`: read what is there, then poll for growth. The file stays open: when the path is
 * rotated (renamed away and recreated: a new inode), the old file is read to its end first, then
 * the new one from its start, line numbers starting again at 1. A truncation (smaller than what
 * was read, or the last bytes read no longer there: truncated and refilled within one poll) reads
 * again from the start. Ends when `signal` aborts. A partial last line is held until its newline
 * arrives, or emitted after an idle pause (and before switching files).
 */
async function* followFile(path: string, splitter: LineSplitter, options: LineSourceOptions, onBytes: (n: number) => void): AsyncGenerator<LineBatch> {
  const pollMs = options.pollMs ?? 50;
  const TAIL = 32;
  const buf = Buffer.allocUnsafe(1 << 20);
  const probe = Buffer.allocUnsafe(TAIL);
  let fh: FileHandle | null = null;
  let inode = -1;
  let position = 0;
  let tail = Buffer.alloc(0); // the last bytes read: a truncate-and-refill changes them
  let first = true;
  let idlePolls = 0;
  /** Read the open file from `position` to its current end. */
  async function* drain(): AsyncGenerator<LineBatch> {
    for (;;) {
      const { bytesRead } = await fh!.read(buf, 0, buf.length, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      onBytes(bytesRead);
      const chunk = Buffer.from(buf.subarray(0, bytesRead));
      if (first) {
        first = false;
        refuseBinary(path, chunk);
      }
      tail = chunk.length >= TAIL ? chunk.subarray(chunk.length - TAIL) : Buffer.concat([tail, chunk]).subarray(-TAIL);
      const batch = splitter.push(chunk);
      if (batch.lines.length) yield batch;
    }
  }
  /** Start over on a new file or a truncated one: the partial line out, line numbers from 1. */
  function* restart(): Generator<LineBatch> {
    const last = splitter.end();
    if (last.lines.length) yield last;
    splitter.restartNumbering();
    position = 0;
    tail = Buffer.alloc(0);
  }
  async function truncated(size: number): Promise<boolean> {
    if (size < position) return true;
    if (tail.length === 0) return false;
    const { bytesRead } = await fh!.read(probe, 0, tail.length, position - tail.length);
    return bytesRead !== tail.length || !probe.subarray(0, bytesRead).equals(tail);
  }
  try {
    while (!options.signal?.aborted) {
      if (fh === null) {
        try {
          fh = await fsp.open(path, 'r');
          inode = (await fh.stat()).ino;
        } catch {
          fh = null;
          await sleep(pollMs, options.signal); // rotated away: wait for the new file
          continue;
        }
      }
      const before = position;
      if (await truncated((await fh.stat()).size)) yield* restart();
      yield* drain();
      let current = -1;
      try {
        current = (await fsp.stat(path)).ino;
      } catch {
        // renamed away and not yet recreated: keep reading the old file
      }
      if (current !== -1 && current !== inode) {
        yield* drain(); // what was written to the old file before its rename
        await fh.close();
        fh = null;
        yield* restart();
        idlePolls = 0;
        continue;
      }
      if (position !== before) {
        idlePolls = 0;
        continue;
      }
      idlePolls++;
      // a last line without its newline: emit it after ~2 idle polls so it is not held forever
      if (idlePolls === 2 && splitter.hasPartialLine) {
        const batch = splitter.end();
        if (batch.lines.length) yield batch;
      }
      yield { lines: [], lineNos: [] }; // an idle tick: lets the pipeline flush pending records
      await sleep(pollMs, options.signal);
    }
  } finally {
    await fh?.close();
  }
}

/** A stream's chunks until `signal` aborts: a pipe that stays open without data must not hold a stop. */
async function* untilAborted(stream: Readable, signal?: AbortSignal): AsyncGenerator<Buffer | string> {
  if (!signal) return yield* stream;
  if (signal.aborted) return;
  const onAbort = () => stream.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      yield chunk as Buffer | string;
      if (signal.aborted) return;
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
