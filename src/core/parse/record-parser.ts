/**
 * @file Record assembly: turns physical lines into `LogRecord`s. Buffers the first lines for
 * format detection (unless a format is forced), then parses each line with that format and joins
 * continuation lines (stack traces, tracebacks, indented or header-less lines) onto the record
 * before them, capped at 1,000 lines / 1 MiB so memory stays bounded.
 * Owns no I/O: the caller feeds lines and takes the completed records.
 */
import type { LogRecord } from '../types.js';
import {
  isBlankLine, isContinuationLine, isPythonExceptionLine, PYTHON_TRACEBACK_START, startsIndented,
} from './continuation.js';
import { DEFAULT_DETECT_LINES, detectFormat } from './detect.js';
import { LINE_PARSERS, type InputFormat } from './formats.js';
import { emptyFields, type LineFields, type LineParseContext, type LineParser } from './line-fields.js';
import { parsePlainLine, readLeadingTime } from './plain.js';

/** Most physical lines in one record; the rest of a longer continuation starts a new record. */
export const MAX_RECORD_LINES = 1000;
/** Most message characters (UTF-16 code units, ~1 MiB) gathered from continuation lines. */
export const MAX_RECORD_CHARS = 1024 * 1024;

export interface RecordParserOptions {
  /** Copied into every record: file path, `-` for stdin. */
  source: string;
  /** A fixed format, or `auto` to detect from the first `detectLines` lines. */
  format: InputFormat | 'auto';
  /** Lines buffered for auto-detection, default 50. */
  detectLines?: number;
  /** Year for year-less timestamps (syslog RFC 3164, klog, Android); default: the current UTC year. */
  year?: number;
}

export interface RecordParser {
  /**
   * Feed one physical line (no trailing newline; a trailing `\r` is dropped) with its 1-based
   * line number. Returns the records completed by this line (usually 0 or 1; more only when the
   * detection buffer drains).
   */
  push(line: string, lineNo: number): LogRecord[];
  /**
   * End of input or an idle pause (--follow): return every record still pending (including the
   * detection buffer, detecting on what is there). After flush(), parsing continues normally.
   */
  flush(): LogRecord[];
  /** The format in use (after detection), or null while still buffering. */
  readonly format: InputFormat | null;
  /** Lines set aside because parsing them failed (e.g. JSON nested too deep to stringify). */
  readonly unparsable: number;
}

class LineRecordParser implements RecordParser {
  private mode: InputFormat | null = null;
  private parseLine: LineParser = parsePlainLine;
  /** header/syslog/klog: a line without the format's header continues the open record. */
  private headerLinesOnly = false;
  /** json/logfmt: every line is a record. */
  private oneLinePerRecord = false;

  private readonly detectLines: number;
  private readonly bufferedLines: string[] = [];
  private readonly bufferedLineNos: number[] = [];

  private readonly fields: LineFields = emptyFields();
  private readonly ctx: LineParseContext;
  private readonly source: string;

  private open: LogRecord | null = null;
  private openParts: string[] | null = null;
  private openLines = 0;
  private openChars = 0;
  private pendingBlanks = 0;
  private inTraceback = false;

  constructor(options: RecordParserOptions) {
    this.source = options.source;
    this.ctx = { year: options.year };
    this.detectLines = Math.max(1, Math.floor(options.detectLines ?? DEFAULT_DETECT_LINES));
    if (options.format !== 'auto') this.useFormat(options.format);
  }

  get format(): InputFormat | null {
    return this.mode;
  }

  get unparsable(): number {
    return this.bad;
  }
  private bad = 0;

  push(line: string, lineNo: number): LogRecord[] {
    if (line.charCodeAt(line.length - 1) === 13 /* \r */) line = line.slice(0, -1);
    if (this.mode === null) {
      this.bufferedLines.push(line);
      this.bufferedLineNos.push(lineNo);
      return this.bufferedLines.length < this.detectLines ? [] : this.drainDetectionBuffer([]);
    }
    const done = this.consumeSafely(line, lineNo);
    return done === null ? [] : [done];
  }

  flush(): LogRecord[] {
    const out: LogRecord[] = [];
    if (this.mode === null && this.bufferedLines.length > 0) this.drainDetectionBuffer(out);
    const last = this.closeOpen();
    if (last !== null) out.push(last);
    return out;
  }

  private useFormat(format: InputFormat): void {
    this.mode = format;
    this.parseLine = LINE_PARSERS[format];
    this.oneLinePerRecord = format === 'json' || format === 'logfmt';
    this.headerLinesOnly = format === 'header' || format === 'syslog' || format === 'klog';
  }

  private drainDetectionBuffer(out: LogRecord[]): LogRecord[] {
    this.useFormat(detectFormat(this.bufferedLines));
    for (let i = 0; i < this.bufferedLines.length; i++) {
      const done = this.consumeSafely(this.bufferedLines[i]!, this.bufferedLineNos[i]!);
      if (done !== null) out.push(done);
    }
    this.bufferedLines.length = 0;
    this.bufferedLineNos.length = 0;
    return out;
  }

  /**
   * One bad line never ends the input: a line whose parsing throws (a line parser fails before
   * the record state changes) is counted in `unparsable` and left out.
   */
  private consumeSafely(line: string, lineNo: number): LogRecord | null {
    try {
      return this.consume(line, lineNo);
    } catch {
      this.bad++;
      return null;
    }
  }

  /** One physical line; returns the record it completed, if any. */
  private consume(line: string, lineNo: number): LogRecord | null {
    const fields = this.fields;
    if (this.oneLinePerRecord) {
      if (isBlankLine(line)) return null;
      if (!this.parseLine(line, fields, this.ctx)) parsePlainLine(line, fields, this.ctx);
      return this.recordFromFields(lineNo);
    }
    if (line.length === 0 || isBlankLine(line)) {
      if (this.open !== null) this.pendingBlanks++;
      return null;
    }
    if (this.open !== null) {
      if (startsIndented(line) || isContinuationLine(line)) return this.continueWith(line, lineNo);
      if (this.headerLinesOnly) {
        if (this.parseLine(line, fields, this.ctx)) return this.startRecord(line, lineNo);
        if (readLeadingTime(line, this.ctx) !== null) {
          parsePlainLine(line, fields, this.ctx);
          return this.startRecord(line, lineNo);
        }
        return this.continueWith(line, lineNo);
      }
      if (this.inTraceback && isPythonExceptionLine(line)) return this.continueWith(line, lineNo);
      parsePlainLine(line, fields, this.ctx);
      return this.startRecord(line, lineNo);
    }
    if (!this.parseLine(line, fields, this.ctx)) parsePlainLine(line, fields, this.ctx);
    return this.startRecord(line, lineNo);
  }

  /** Open a record from `this.fields`; returns the record it closed. */
  private startRecord(line: string, lineNo: number): LogRecord | null {
    const done = this.closeOpen();
    const record = this.recordFromFields(lineNo);
    this.open = record;
    this.openLines = 1;
    this.openChars = record.message.length;
    this.inTraceback = line.startsWith(PYTHON_TRACEBACK_START);
    return done;
  }

  private continueWith(line: string, lineNo: number): LogRecord | null {
    const blanks = this.pendingBlanks;
    this.pendingBlanks = 0;
    if (line.startsWith(PYTHON_TRACEBACK_START)) this.inTraceback = true;
    else if (this.inTraceback && !startsIndented(line) && isPythonExceptionLine(line)) this.inTraceback = false;
    if (this.openLines + blanks + 1 > MAX_RECORD_LINES || this.openChars + blanks + 1 + line.length > MAX_RECORD_CHARS) {
      // Over the cap: this line starts a new record, kept exactly as it is.
      const done = this.closeOpen();
      this.open = { source: this.source, line: lineNo, time: null, level: null, message: line, component: null };
      this.openLines = 1;
      this.openChars = line.length;
      return done;
    }
    const parts = (this.openParts ??= [this.open!.message]);
    for (let i = 0; i < blanks; i++) parts.push('');
    parts.push(line);
    this.openLines += blanks + 1;
    this.openChars += blanks + 1 + line.length;
    return null;
  }

  private closeOpen(): LogRecord | null {
    const record = this.open;
    if (record === null) return null;
    if (this.openParts !== null) {
      record.message = this.openParts.join('\n');
      this.openParts = null;
    }
    this.open = null;
    this.openLines = 0;
    this.openChars = 0;
    this.pendingBlanks = 0;
    return record;
  }

  private recordFromFields(lineNo: number): LogRecord {
    const f = this.fields;
    return { source: this.source, line: lineNo, time: f.time, level: f.level, message: f.message, component: f.component };
  }
}

/**
 * Create a streaming record parser for one input.
 *
 * @example
 * const parser = createRecordParser({ source: 'app.log', format: 'auto' });
 * const records = lines.flatMap((line, i) => parser.push(line, i + 1)).concat(parser.flush());
 */
export function createRecordParser(options: RecordParserOptions): RecordParser {
  return new LineRecordParser(options);
}
