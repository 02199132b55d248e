/**
 * @file Line sources: a file (plain or gzip, detected by its magic bytes), standard input, or a
 * file followed like `tail -f` (new lines as they arrive; truncation and rotation handled by
 * reopening). Yields LineBatch objects; errors are InputError with the path and a hint.
 * Binary input (an executable, an image...) is refused at the first chunk.
 */
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
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

/** Heuristic: the first bytes of a file that is not text (NUL-heavy or mostly control bytes). */
export function looksBinary(head: Buffer): boolean {
  const n = Math.min(head.length, 8192);
  if (n === 0) return false;
  let nul = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i]!;
    if (b === 0) nul++;
    else if (b < 8 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return nul > n * 0.05 || (nul + control) > n * 0.3;
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
        if (looksBinary(chunk)) throw new InputError(`${name} looks like binary data, not text logs`, 'give a text log file (plain or .gz)');
      }
      const batch = splitter.push(chunk);
      if (batch.lines.length) yield batch;
    }
    const last = splitter.end();
    if (last.lines.length) yield last;
  }
  async function* fromGzip(rest: AsyncIterable<Buffer | string>, firstChunk: Buffer, gunzip: ReturnType<typeof createGunzip>): AsyncGenerator<LineBatch> {
    // feed compressed chunks into gunzip from a side task; read decompressed chunks here
    const feed = (async () => {
      gunzip.write(firstChunk);
      for await (const raw of rest) {
        const c = typeof raw === 'string' ? Buffer.from(raw) : raw;
        bytes += c.length;
        if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
      }
      gunzip.end();
    })();
    feed.catch((err) => gunzip.destroy(err as Error));
    let firstOut = true;
    try {
      for await (const out of gunzip as AsyncIterable<Buffer>) {
        if (firstOut) {
          firstOut = false;
          if (looksBinary(out)) throw new InputError(`${name} is gzip-compressed binary data, not text logs`, 'give a text log file (plain or .gz)');
        }
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
  if (options.path === '-') batches = fromStream(options.stdin ?? process.stdin);
  else if (options.follow) batches = followFile(options.path, splitter, options, (n) => (bytes += n));
  else {
    // the file is opened when its turn comes, not when the source is created (many inputs)
    const path = options.path;
    batches = (async function* () {
      yield* fromStream(createReadStream(path, { highWaterMark: 1 << 20 }));
    })();
  }
  return { batches, skipped: splitter.skipped, bytesRead: () => bytes };
}

/**
 * `tail -f`: read what is there, then poll for growth. A file that shrinks (truncated) or is
 * replaced (rotated: new inode) is read again from its start. Ends when `signal` aborts.
 * A partial last line is held until its newline arrives, or emitted after an idle pause.
 */
async function* followFile(path: string, splitter: LineSplitter, options: LineSourceOptions, onBytes: (n: number) => void): AsyncGenerator<LineBatch> {
  const pollMs = options.pollMs ?? 50;
  let position = 0;
  let inode = -1;
  const buf = Buffer.allocUnsafe(1 << 20);
  let first = true;
  let idlePolls = 0;
  while (!options.signal?.aborted) {
    let st: Stats;
    try {
      st = await fsp.stat(path);
    } catch {
      await sleep(pollMs, options.signal); // rotated away: wait for the new file
      continue;
    }
    if (st.ino !== inode || st.size < position) {
      inode = st.ino;
      position = 0;
    }
    if (st.size > position) {
      idlePolls = 0;
      const fh = await fsp.open(path, 'r');
      try {
        while (position < st.size) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, st.size - position), position);
          if (bytesRead === 0) break;
          position += bytesRead;
          onBytes(bytesRead);
          const chunk = buf.subarray(0, bytesRead);
          if (first) {
            first = false;
            if (looksBinary(chunk)) throw new InputError(`${path} looks like binary data, not text logs`, 'give a text log file');
          }
          const batch = splitter.push(Buffer.from(chunk));
          if (batch.lines.length) yield batch;
        }
      } finally {
        await fh.close();
      }
    } else {
      idlePolls++;
      // a last line without its newline: emit it after ~2 idle polls so it is not held forever
      if (idlePolls === 2 && splitter.hasPartialLine) {
        const batch = splitter.end();
        if (batch.lines.length) yield batch;
      }
      yield { lines: [], lineNos: [] }; // an idle tick: lets the pipeline flush pending records
      await sleep(pollMs, options.signal);
    }
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
