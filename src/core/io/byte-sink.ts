/**
 * @file A byte sink for the hot output path: writers encode straight into a Buffer (latin1 for
 * text known to be ASCII, utf8 otherwise, cached fragments copied as bytes), so no output string
 * is ever built, flattened and encoded again. Full buffers go to the stream at once; a buffer is
 * reused once the stream says it has been written (a small pool, so memory stays bounded), and
 * `settle()` waits for backpressure. Same contract as the text sink (sink.ts): a closed reader
 * (EPIPE) is a normal end, `closed` turns true and later writes are dropped; other write errors
 * become an OutputError.
 */
import type { Writable } from 'node:stream';
import { OutputError } from '../errors.js';
import type { TextSink } from './sink.js';

/** Node's Buffer encoders without write()'s argument checks (on Buffer.prototype since Node 0.x); write() when absent. */
interface FastBuffer extends Buffer {
  latin1Write(s: string, offset: number): number;
  utf8Write(s: string, offset: number): number;
}
const proto = Buffer.prototype as Partial<FastBuffer>;
if (typeof proto.latin1Write !== 'function') proto.latin1Write = function (this: Buffer, s: string, o: number) { return this.write(s, o, 'latin1'); };
if (typeof proto.utf8Write !== 'function') proto.utf8Write = function (this: Buffer, s: string, o: number) { return this.write(s, o, 'utf8'); };

const CHUNK = 512 * 1024;
/** Buffers kept for reuse (a batch of 4,096 LogHub records is about 1.5 MB of NDJSON). */
const POOL = 6;

export class ByteSink implements TextSink {
  private buf: FastBuffer;
  private off = 0;
  private readonly free: FastBuffer[] = [];
  private isClosed = false;
  private failure: OutputError | null = null;
  /** Only a stream over a file descriptor is done with a chunk when its write callback runs (a Transform may still hold it). */
  private readonly reuse: boolean;
  /** Writes handed to the stream whose callback has not run yet (reused buffers only). */
  private inFlight = 0;
  private onIdle: (() => void) | null = null;

  constructor(
    private readonly stream: Writable,
    private readonly flushEachWrite = false,
  ) {
    this.buf = Buffer.allocUnsafeSlow(CHUNK) as FastBuffer;
    this.reuse = typeof (stream as { fd?: unknown }).fd === 'number';
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.isClosed = true;
      else this.failure ??= new OutputError(err);
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Room for `bytes` more bytes in the current buffer (hands the full one to the stream). */
  room(bytes: number): void {
    if (this.off + bytes <= this.buf.length) return;
    this.push();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafeSlow(bytes) as FastBuffer; // one huge record: a one-off buffer
  }

  /** A string known to be ASCII (or latin1 bytes wanted); caller made room for its length. */
  ascii(s: string): void {
    this.off += this.buf.latin1Write(s, this.off);
  }

  /** Any string as UTF-8; makes room itself (3 bytes per UTF-16 unit at most). */
  utf8(s: string): void {
    this.room(s.length * 3);
    this.off += this.buf.utf8Write(s, this.off);
  }

  /** Bytes (a cached fragment); makes room itself. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
  }

  /** One byte; caller made room. */
  byte(c: number): void {
    this.buf[this.off++] = c;
  }

  /** TextSink compatibility (headers, footers): the text as UTF-8, then settle. */
  async write(text: string): Promise<void> {
    if (this.isClosed) return;
    this.utf8(text);
    await this.settle();
  }

  /**
   * End of a batch: throws a write failure, waits while the stream is over its high-water mark,
   * and in flush-each-write mode hands over what is buffered.
   */
  async settle(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.flushEachWrite) this.push();
    if (this.stream.writableNeedDrain && !this.isClosed) await this.waitDrain();
    // the buffers come back before the next batch is encoded: no new buffer per batch
    if (this.inFlight > 0 && !this.isClosed) await this.waitIdle();
    if (this.failure) throw this.failure;
  }

  /** Hand over everything and wait until the stream has taken it. */
  async end(): Promise<void> {
    this.push();
    await this.settle();
  }

  private push(): void {
    if (this.off === 0) return;
    if (this.isClosed) {
      this.off = 0;
      return;
    }
    const full = this.buf.subarray(0, this.off);
    const whole = this.buf;
    this.buf = this.free.pop() ?? (Buffer.allocUnsafeSlow(CHUNK) as FastBuffer);
    this.off = 0;
    if (!this.reuse) {
      this.stream.write(full);
      return;
    }
    this.inFlight++;
    this.stream.write(full, () => {
      // written to the descriptor (or failed): the buffer may be filled again
      if (whole.length === CHUNK && this.free.length < POOL) this.free.push(whole);
      if (--this.inFlight === 0) this.onIdle?.();
    });
  }

  /** Until every write's callback has run, or the stream closes or fails (never a hang). */
  private waitIdle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('close', done);
        this.stream.off('error', done);
        this.onIdle = null;
        resolve();
      };
      this.onIdle = done;
      this.stream.on('close', done);
      this.stream.on('error', done);
    });
  }

  private waitDrain(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        this.stream.off('error', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
      this.stream.on('error', done);
    });
  }
}
