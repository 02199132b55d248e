/**
 * @file A text sink over a writable stream that honours backpressure and treats a closed reader
 * (EPIPE: `logml predict big.log | head`) as a normal end, not an error: `closed` turns true
 * and further writes are dropped, so the pipeline can stop quietly.
 */
import type { Writable } from 'node:stream';
import { OutputError } from '../errors.js';

export interface TextSink {
  write(text: string): Promise<void>;
  /** True once the reader went away (EPIPE) or the stream ended. */
  readonly closed: boolean;
  /** Wait until everything written has been handed to the OS. */
  end(): Promise<void>;
}

export function createSink(stream: Writable, { flushEachWrite = false } = {}): TextSink {
  let closed = false;
  let failure: OutputError | null = null;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else failure ??= new OutputError(err);
  };
  stream.on('error', onError);
  let buffered = '';
  const FLUSH_AT = 64 * 1024;
  async function flush(): Promise<void> {
    if (buffered.length === 0 || closed) {
      buffered = '';
      return;
    }
    const text = buffered;
    buffered = '';
    if (failure) throw failure;
    const ok = stream.write(text);
    if (failure) throw failure;
    if (!ok && !closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          stream.off('error', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
        stream.on('error', done);
      });
    }
    if (failure) throw failure;
  }
  return {
    get closed() {
      return closed;
    },
    async write(text: string) {
      if (closed) return;
      buffered += text;
      if (flushEachWrite || buffered.length >= FLUSH_AT) await flush();
    },
    async end() {
      await flush();
    },
  };
}
