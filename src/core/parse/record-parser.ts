/**
 * @file Record assembly: turns physical lines into `LogRecord`s. Buffers the first lines for
 * format detection (unless a format is forced), then parses each line with that format and joins
 * continuation lines (stack traces, tracebacks, indented or header-less lines) onto the record
 * before them, capped at 1,000 lines / 1 MiB so memory stays bounded. In an auto-detected JSON or
 * logfmt input, the lines between readable ones (a traceback, a text logger's line) are parsed by
 * a record parser of their own, with its own detection. Colour codes (ANSI CSI sequences) are
 * dropped from every line.
 * Owns no I/O: the caller feeds lines and takes the completed records.
 */
import { liftLeadingLevel, opensWithLevelWord } from './leading-level.js';
import type { LogRecord } from '../types.js';
import {
  GO_PANIC_START, isBlankLine, isContinuationLine, isCrashOpener, isGoTraceLine, isNodeCrashLine, isPythonExceptionLine, NODE_CRASH_START, PYTHON_TRACEBACK_START, startsIndented,
} from './continuation.js';
import { DEFAULT_DETECT_LINES, detectFormat } from './detect.js';
import { PrefixAwareParser } from './prefixed.js';
import { isJsonDocument, JsonDocumentParser } from './json-document.js';
import { csvHeaderOf, CsvDocumentParser } from './csv-document.js';
import { isW3cLog, W3cDocumentParser } from './w3c-document.js';
import { LINE_PARSERS, parseAnyLine, type InputFormat } from './formats.js';
import { emptyFields, sliceTrimEnd, type LineFields, type LineParseContext, type LineParser } from './line-fields.js';
import { criPayload } from './app-headers.js';
import { parsePlainLine, readLeadingTime } from './plain.js';
import { parseJsonLogLine } from './json-lines.js';
import { julHeader, julRecordLine } from './jul.js';

/** Most physical lines in one record; the rest of a longer continuation starts a new record. */
export const MAX_RECORD_LINES = 1000;
/** Most message characters (UTF-16 code units, ~1 MiB) gathered from continuation lines. */
export const MAX_RECORD_CHARS = 1024 * 1024;
/**
 * Auto-detected inputs are re-checked as they go (a file that mixes formats): after this many
 * lines that do not parse in the detected format (unindented, not stack-trace lines, gathered by
 * one record or in a row), detection runs again on them; when another format reads them, the
 * parser switches and those lines are parsed again, as records of their own.
 */
export const REDETECT_LINES = 32;
/** In `plain` mode (auto-detected), the last lines are re-checked this often, then sparser. */
const PLAIN_RECHECK_EVERY = 64;
const PLAIN_RECHECK_SPARSE_AFTER = 4096;
const PLAIN_RECHECK_SPARSE_EVERY = 1024;
/** Lines in a row the previous header format reads before plain switches back to it. */
const RETURN_LINES = 8;

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
  /**
   * The open record is a runtime's crash report (a Go panic, Node's uncaught exception): which
   * unindented lines continue it (continuation.ts); null for other records.
   */
  private reportLine: ((line: string) => boolean) | null = null;

  /** Auto-detected: the format may change when the input does. */
  private readonly auto: boolean;
  /** Line numbers of the open record's parts (index-aligned with `openParts`). */
  private openLineNos: number[] = [];
  /** Stray lines (header-less, unindented) in the open record, and the part index of the first. */
  private strayLines: string[] = [];
  private strayFirstPart = -1;
  /**
   * Lines held back while a format change is tested: json/logfmt lines in a row that did not
   * parse, or (plain after a header format) lines in a row that the previous format reads.
   */
  private held: string[] = [];
  private heldNos: number[] = [];
  /** The header format the input was in before stray lines switched it to plain. */
  private previous: InputFormat | null = null;
  private replaying = false;
  /** plain: recent lines, and lines since the last re-check. */
  private plainRecent: string[] = [];
  private plainSeen = 0;
  /**
   * @param nested a parser for the lines a json/logfmt parser could not read: when it detects
   *   json or logfmt itself, the lines it cannot read stay plain records (no parser of its own).
   */
  constructor(options: RecordParserOptions, private readonly nested = false) {
    this.source = options.source;
    this.ctx = { year: options.year };
    this.detectLines = Math.max(1, Math.floor(options.detectLines ?? DEFAULT_DETECT_LINES));
    this.auto = options.format === 'auto';
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
    if (line.indexOf('\u001b[') >= 0) line = stripTerminalCodes(line);
    // java.util.logging's two-line records become one header line (jul.ts)
    const pending = this.julPending;
    if (pending !== null) {
      this.julPending = null;
      const joined = julRecordLine(pending.header, line);
      if (joined !== null) return this.pushLine(joined, pending.lineNo);
      return this.pushLine(pending.line, pending.lineNo).concat(this.push(line, lineNo));
    }
    const jul = julHeader(line);
    if (jul !== null) {
      this.julPending = { header: jul, line, lineNo };
      return [];
    }
    return this.pushLine(line, lineNo);
  }

  /** A java.util.logging first line waiting for its second (jul.ts). */
  private julPending: { header: { time: string; source: string }; line: string; lineNo: number } | null = null;

  private pushLine(line: string, lineNo: number): LogRecord[] {
    if (this.mode === null) {
      this.bufferedLines.push(line);
      this.bufferedLineNos.push(lineNo);
      return this.bufferedLines.length < this.detectLines ? [] : this.drainDetectionBuffer([]);
    }
    const done = this.consumeSafely(line, lineNo);
    if (this.extra.length > 0) return this.takeExtra(done);
    return done === null ? [] : [done];
  }

  /** The records a format switch completed, then `done`. */
  private takeExtra(done: LogRecord | null): LogRecord[] {
    const out = this.extra.splice(0);
    if (done !== null) out.push(done);
    return out;
  }

  flush(): LogRecord[] {
    const pending = this.julPending;
    this.julPending = null;
    const out: LogRecord[] = pending === null ? [] : this.pushLine(pending.line, pending.lineNo);
    out.push(...this.extra.splice(0));
    if (this.mode === null && this.bufferedLines.length > 0) this.drainDetectionBuffer(out);
    if (this.held.length > 0) {
      this.releaseHeld();
      out.push(...this.extra.splice(0));
    }
    const last = this.closeOpen();
    if (last !== null) out.push(last);
    return out;
  }

  private useFormat(format: InputFormat): void {
    this.mode = format;
    this.plainRecent = [];
    this.plainSeen = 0;
    this.parseLine = format === 'plain' && this.auto ? parseAnyLine : LINE_PARSERS[format];
    this.oneLinePerRecord = format === 'json' || format === 'logfmt';
    this.headerLinesOnly = format === 'header' || format === 'syslog' || format === 'klog';
  }

  private drainDetectionBuffer(out: LogRecord[]): LogRecord[] {
    this.useFormat(detectFormat(this.bufferedLines));
    for (let i = 0; i < this.bufferedLines.length; i++) {
      const done = this.consumeSafely(this.bufferedLines[i]!, this.bufferedLineNos[i]!);
      if (this.extra.length > 0) out.push(...this.takeExtra(null));
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
    fields.status = null;
    fields.continues = false;
    fields.partial = false;
    if (this.oneLinePerRecord) {
      if (isBlankLine(line)) return null;
      if (!this.parseLine(line, fields, this.ctx)) {
        if (this.auto && !this.replaying) return this.holdFailed(line, lineNo);
        parsePlainLine(line, fields, this.ctx);
      } else if (this.held.length > 0) {
        const record = this.recordFromFields(lineNo);
        this.releaseHeld();
        this.extra.push(record);
        return null;
      }
      return this.recordFromFields(lineNo);
    }
    if (line.length === 0 || isBlankLine(line)) {
      if (this.open !== null) this.pendingBlanks++;
      return null;
    }
    if (this.auto && this.mode === 'plain' && !this.replaying) {
      if (this.previous !== null && !startsIndented(line) && this.holdForPrevious(line, lineNo)) return null;
      this.recheckPlain(line);
    }
    if (this.open !== null) {
      // a record that opened indented (Next.js's ` ✓ Ready in 2.1s`): a line indented no deeper
      // is the next record, not a continuation of it
      if (this.openIndent > 0 && startsIndented(line) && indentWidth(line) <= this.openIndent) {
        if (!this.parseLine(line, fields, this.ctx)) parsePlainLine(line, fields, this.ctx);
        return this.startRecord(line, lineNo);
      }
      if (startsIndented(line) || isContinuationLine(line)) return this.continueWith(line, lineNo);
      if (this.headerLinesOnly) {
        if (this.parseLine(line, fields, this.ctx)) {
          if (this.openPartial) return this.appendPartial(fields.message, fields.partial, line, lineNo);
          return fields.continues ? this.continueWith(fields.message, lineNo) : this.startRecord(line, lineNo);
        }
        if (readLeadingTime(line, this.ctx) !== null || isCrashOpener(line) || opensWithLevelWord(line)) {
          parsePlainLine(line, fields, this.ctx);
          return this.startRecord(line, lineNo);
        }
        // an access line is one line: what follows it without a header is a line of its own, and
        // so are the header-less lines after that one (Flask's development server prints its
        // access lines among the app's bare prints)
        if (this.openOneLine) {
          parsePlainLine(line, fields, this.ctx);
          const done = this.startRecord(line, lineNo);
          this.openOneLine = true;
          return done;
        }
        // a JSON log line among text lines (a second logger in the same stream) is a record of its
        // own; a JSON payload with neither level nor time stays part of the record before it
        if (this.auto && parseJsonLogLine(line, fields, this.ctx)) {
          return this.startRecord(line, lineNo);
        }
        if (this.auto && this.strayLines.length + 1 >= REDETECT_LINES) {
          const switched = this.switchOnStrays(line, lineNo);
          if (switched !== undefined) return switched;
        }
        if (this.auto) {
          if (this.strayLines.length === 0) this.strayFirstPart = this.openParts === null ? 1 : this.openParts.length + this.pendingBlanks;
          this.strayLines.push(line);
        }
        return this.continueWith(line, lineNo);
      }
      if (this.inTraceback && isPythonExceptionLine(line)) return this.continueWith(line, lineNo);
      if (this.reportLine !== null && this.reportLine(line)) return this.continueWith(line, lineNo);
      if (!this.parseLine(line, fields, this.ctx)) parsePlainLine(line, fields, this.ctx);
      return this.startRecord(line, lineNo);
    }
    if (!this.parseLine(line, fields, this.ctx)) parsePlainLine(line, fields, this.ctx);
    return this.startRecord(line, lineNo);
  }

  /** Parse `lines` again in the current mode (no format-change logic); records go to `extra`. */
  private replay(lines: readonly string[], nos: readonly number[]): void {
    this.replaying = true;
    try {
      for (let i = 0; i < lines.length; i++) {
        const done = this.consume(lines[i]!, nos[i]!);
        if (done !== null) this.extra.push(done);
      }
    } finally {
      this.replaying = false;
    }
  }

  /**
   * Give the held lines back to the current mode. In json/logfmt, the held lines are the ones it
   * could not read (a traceback, a text logger's line, a banner among JSON lines): they get a
   * record parser of their own that detects their format, so their headers are read and a stack
   * trace stays one record.
   */
  private releaseHeld(): void {
    const lines = this.held;
    const nos = this.heldNos;
    this.held = [];
    this.heldNos = [];
    if (!this.oneLinePerRecord || !this.auto || this.nested) {
      this.replay(lines, nos);
      return;
    }
    const other = new LineRecordParser({ source: this.source, format: 'auto', detectLines: lines.length, year: this.ctx.year }, true);
    for (let i = 0; i < lines.length; i++) this.extra.push(...other.push(lines[i]!, nos[i]!));
    this.extra.push(...other.flush());
    this.bad += other.unparsable;
  }

  /** json/logfmt: hold a line that did not parse; after REDETECT_LINES of them, detect again. */
  private holdFailed(line: string, lineNo: number): null {
    this.held.push(line);
    this.heldNos.push(lineNo);
    if (this.held.length >= REDETECT_LINES) {
      const format = detectFormat(this.held);
      if (format !== this.mode) this.useFormat(format);
      this.releaseHeld();
    }
    return null;
  }

  /**
   * plain after a header format: hold lines that format reads; after a few in a row, switch back
   * and parse them with it. True when the line was held.
   */
  private holdForPrevious(line: string, lineNo: number): boolean {
    const previous = this.previous!;
    if (!LINE_PARSERS[previous](line, this.fields, this.ctx)) {
      if (this.held.length > 0) this.releaseHeld();
      return false;
    }
    this.held.push(line);
    this.heldNos.push(lineNo);
    if (this.held.length >= RETURN_LINES) {
      this.useFormat(previous);
      this.previous = null;
      this.releaseHeld();
    }
    return true;
  }

  /** plain: every so often, see whether the recent lines now read as another format. */
  private recheckPlain(line: string): void {
    const recent = this.plainRecent;
    recent.push(line);
    if (recent.length > PLAIN_RECHECK_EVERY) recent.shift();
    this.plainSeen++;
    const every = this.plainSeen > PLAIN_RECHECK_SPARSE_AFTER ? PLAIN_RECHECK_SPARSE_EVERY : PLAIN_RECHECK_EVERY;
    if (this.plainSeen % every !== 0 || recent.length < PLAIN_RECHECK_EVERY) return;
    const format = detectFormat(recent);
    if (format !== 'plain') {
      this.useFormat(format);
      this.previous = null;
    }
  }

  /**
   * Header formats: the open record has gathered REDETECT_LINES - 1 stray lines and `line` is one
   * more. When another format reads them, cut them off the record, switch, and parse them again.
   * Returns the record completed (null if none), or undefined when nothing changed.
   */
  private switchOnStrays(line: string, lineNo: number): LogRecord | null | undefined {
    const strays = this.strayLines;
    strays.push(line);
    const format = detectFormat(strays);
    strays.pop();
    if (format === this.mode) {
      strays.length = 0; // they are this format's continuation text after all; look again later
      return undefined;
    }
    const from = this.strayFirstPart;
    const parts = this.openParts ?? [this.open!.message];
    const lineNos = this.openLineNos;
    const replay = parts.slice(from);
    const replayNos = lineNos.slice(from);
    parts.length = from;
    lineNos.length = from;
    while (parts.length > 1 && parts[parts.length - 1] === '') {
      parts.pop();
      lineNos.pop();
    }
    this.openLines = parts.length;
    const cut = this.closeOpen();
    if (cut !== null) this.extra.push(cut);
    const was = this.mode!;
    this.useFormat(format);
    if (format === 'plain') this.previous = was;
    replay.push(line);
    replayNos.push(lineNo);
    this.replay(replay, replayNos);
    return null;
  }

  /** The open record takes no header-less line: an access line, or a bare line after one (see consume). */
  private openOneLine = false;
  /** Leading white space of the open record's first line (0 for the usual unindented opener). */
  private openIndent = 0;

  /** Records completed beyond the one a consume() call returns (after a format switch). */
  private readonly extra: LogRecord[] = [];

  /** Open a record from `this.fields`; returns the record it closed. */
  private startRecord(line: string, lineNo: number): LogRecord | null {
    const done = this.closeOpen();
    this.openOneLine = this.fields.status !== null;
    this.openIndent = startsIndented(line) ? indentWidth(line) : 0;
    const record = this.recordFromFields(lineNo);
    this.open = record;
    this.openLines = 1;
    this.openChars = record.message.length;
    this.openLineNos = [lineNo];
    this.openPartial = this.fields.partial;
    this.inTraceback = line.startsWith(PYTHON_TRACEBACK_START);
    // (a Node crash report's first line is a path with no space in it: most lines stop at indexOf)
    this.reportLine = GO_PANIC_START.test(this.fields.message) ? isGoTraceLine : line.indexOf(' ') < 0 && NODE_CRASH_START.test(line) ? isNodeCrashLine : null;
    return done;
  }

  /** The open record's last line was a partial one (CRI `P`): this text goes on in the same line. */
  private openPartial = false;

  private appendPartial(text: string, partial: boolean, line: string, lineNo: number): LogRecord | null {
    // over the cap: the rest of the split line starts a record of its own
    if (this.openChars + text.length > MAX_RECORD_CHARS) return this.startRecord(line, lineNo);
    // the rest of a split line is text, whatever header its start may seem to have
    const raw = criPayload(line);
    if (raw !== null) text = partial ? raw : sliceTrimEnd(raw, 0);
    const parts = (this.openParts ??= [this.open!.message]);
    parts[parts.length - 1] += text;
    this.openChars += text.length;
    this.openPartial = partial;
    return null;
  }

  private continueWith(line: string, lineNo: number): LogRecord | null {
    this.openPartial = false;
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
      this.openLineNos = [lineNo];
      return done;
    }
    const parts = (this.openParts ??= [this.open!.message]);
    for (let i = 0; i < blanks; i++) {
      parts.push('');
      this.openLineNos.push(lineNo - blanks + i);
    }
    parts.push(line);
    this.openLineNos.push(lineNo);
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
    this.openLineNos = [];
    this.openPartial = false;
    this.strayLines = [];
    this.strayFirstPart = -1;
    return record;
  }

  private recordFromFields(lineNo: number): LogRecord {
    const f = this.fields;
    liftLeadingLevel(f, this.ctx);
    const record: LogRecord = { source: this.source, line: lineNo, time: f.time, level: f.level, message: f.message, component: f.component };
    if (f.status !== null) record.status = f.status;
    return record;
  }
}

/** Terminal control sequences (CSI: colours, cursor moves) that coloured loggers write. */
const CSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/** A line without its colour codes: `\u001b[33mwarn\u001b[39m: x` reads as `warn: x`. */
export function stripTerminalCodes(line: string): string {
  return line.replace(CSI, '');
}

/**
 * Create a streaming record parser for one input.
 *
 * @example
 * const parser = createRecordParser({ source: 'app.log', format: 'auto' });
 * const records = lines.flatMap((line, i) => parser.push(line, i + 1)).concat(parser.flush());
 */
export function createRecordParser(options: RecordParserOptions): RecordParser {
  if (options.format !== 'auto') return new LineRecordParser(options);
  // auto: a docker compose / kubectl --prefix stream gets one parser per service (prefixed.ts);
  // pretty-printed JSON and JSON arrays are cut into objects first (json-document.ts); a CSV/TSV
  // export with a header row is read by its columns (csv-document.ts), and so is a W3C extended
  // log (IIS) after its #Fields: directive (w3c-document.ts)
  const make = (firstLines?: readonly string[]): RecordParser => {
    if (firstLines === undefined) return new LineRecordParser(options);
    if (isJsonDocument(firstLines)) return new JsonDocumentParser(new LineRecordParser({ ...options, format: 'json' }), MAX_RECORD_CHARS);
    const first = firstLines.find((l) => l.trim().length > 0);
    if (first !== undefined && csvHeaderOf(first) !== null) return new CsvDocumentParser(options.source, MAX_RECORD_CHARS, options.year);
    if (isW3cLog(firstLines)) return new W3cDocumentParser(options.source, options.year);
    return new LineRecordParser(options);
  };
  return new PrefixAwareParser(make, Math.max(1, Math.floor(options.detectLines ?? DEFAULT_DETECT_LINES)));
}

/** Count of leading spaces and tabs. */
function indentWidth(line: string): number {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return i;
}
