/**
 * @file Bytes -> lines, in batches. Splits on '\n' (dropping a trailing '\r') and decodes UTF-8.
 * A bad line never fails the input: invalid UTF-8 and NUL bytes become U+FFFD (the line is kept
 * and counted), and a line longer than `maxLineBytes` is set aside and counted (its bytes are
 * dropped as they arrive, never buffered whole). Pure: no I/O.
 */
import { isUtf8 } from 'node:buffer';

/** Counts of damaged lines: the first two kept (bad bytes replaced), the last two skipped. */
export interface SkipCounts {
  /** Lines kept with invalid UTF-8 replaced by U+FFFD. */
  invalidUtf8: number;
  /** Lines kept with NUL bytes replaced by U+FFFD. */
  nulBytes: number;
  /** Lines skipped: longer than the line cap. */
  tooLong: number;
  /** Lines skipped: the record parser could not parse them (counted by the record stream, not here). */
  unparsable: number;
}

export const noSkips = (): SkipCounts => ({ invalidUtf8: 0, nulBytes: 0, tooLong: 0, unparsable: 0 });

export interface LineBatch {
  lines: string[];
  /** 1-based line number of each line in its source. */
  lineNos: number[];
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export class LineSplitter {
  readonly skipped: SkipCounts = noSkips();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private oversized = false;
  private lineNo = 0;
  constructor(private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Lines completed by this chunk. */
  push(chunk: Buffer): LineBatch {
    const out: LineBatch = { lines: [], lineNos: [] };
    const chunkClean = !chunk.includes(0) && isUtf8(chunk);
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      this.lineNo++;
      if (this.pendingBytes > 0 || this.oversized) {
        this.appendPending(chunk.subarray(start, nl));
        this.emitPending(out);
      } else if (nl - start > this.maxLineBytes) {
        this.skipped.tooLong++;
      } else {
        this.emit(chunk, start, nl, chunkClean, out);
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.appendPending(chunk.subarray(start));
    return out;
  }

  /** End of input: the last line, when it has no trailing newline. */
  end(): LineBatch {
    const out: LineBatch = { lines: [], lineNos: [] };
    if (this.pendingBytes > 0 || this.oversized) {
      this.lineNo++;
      this.emitPending(out);
    }
    return out;
  }

  /** A new file (rotation, truncation) follows: its lines are numbered from 1. Call after end(). */
  restartNumbering(): void {
    this.lineNo = 0;
  }

  /** True when a partial line is waiting for its newline. */
  get hasPartialLine(): boolean {
    return this.pendingBytes > 0;
  }

  private appendPending(part: Buffer): void {
    if (this.oversized) return;
    if (this.pendingBytes + part.length > this.maxLineBytes) {
      this.oversized = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    if (part.length > 0) {
      this.pending.push(Buffer.from(part)); // copy: the chunk's memory is reused by the stream
      this.pendingBytes += part.length;
    }
  }

  private emitPending(out: LineBatch): void {
    if (this.oversized) {
      this.skipped.tooLong++;
      this.oversized = false;
    } else {
      const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
      this.emit(buf, 0, buf.length, false, out);
    }
    this.pending = [];
    this.pendingBytes = 0;
  }

  private emit(buf: Buffer, start: number, end: number, known: boolean, out: LineBatch): void {
    if (end > start && buf[end - 1] === 13) end--;
    let text = buf.toString('utf8', start, end); // invalid UTF-8 decodes as U+FFFD
    if (!known) {
      const slice = buf.subarray(start, end);
      if (slice.includes(0)) {
        this.skipped.nulBytes++;
        text = text.replaceAll('\0', '\ufffd');
      } else if (!isUtf8(slice)) this.skipped.invalidUtf8++;
    }
    out.lines.push(text);
    out.lineNos.push(this.lineNo);
  }
}

/** Lines left out (not the ones kept with bad bytes replaced). */
export function totalSkipped(s: SkipCounts): number {
  return s.tooLong + s.unparsable;
}

/** "2 longer than --max-line-bytes, 1 unparsable record": why lines were left out. */
export function skippedParts(s: SkipCounts): string {
  return [s.tooLong && `${s.tooLong} longer than --max-line-bytes`, s.unparsable && `${s.unparsable} unparsable record${s.unparsable === 1 ? '' : 's'}`].filter(Boolean).join(', ');
}
