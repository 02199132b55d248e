/**
 * @file Logs exported as CSV or TSV with a header row: `timestamp,level,message` exports of log
 * platforms, Windows Event Viewer's "Save as CSV" (`Level,Date and Time,Source,Event ID,...`),
 * LogHub's `*_structured.csv` (`LineId,Date,Time,Level,Component,Content,...`). The header names
 * the columns; each row becomes a record with its time, level, component and message read from
 * them (other columns are left out). Quoted fields may hold the delimiter, `""` and line breaks
 * (a row then spans lines, up to MAX_RECORD_CHARS). Chosen by auto-detection from the input's
 * first line (`csvHeaderOf`): a header must name a message column and a time or level column.
 */
import type { LogRecord } from '../types.js';
import type { InputFormat } from './formats.js';
import { normalizeLevel } from './level.js';
import { normalizeTime } from './time.js';

/** Where the fields of a record are, by column index (-1: absent). */
export interface CsvHeader {
  delimiter: string;
  message: number;
  time: number;
  /** A separate time-of-day column (LogHub: Date and Time), joined to `time` with a space. */
  clock: number;
  level: number;
  component: number;
  columns: number;
}

const MESSAGE_NAMES = ['message', 'msg', 'content', 'description', 'text', 'log', 'body', 'event', 'log message'];
const TIME_NAMES = ['timestamp', 'time', '@timestamp', 'datetime', 'date and time', 'date', 'ts', 'time generated', 'logged', 'created'];
const LEVEL_NAMES = ['level', 'severity', 'loglevel', 'log level', 'log.level', 'levelname', 'severity_text', 'priority'];
const COMPONENT_NAMES = ['component', 'logger', 'source', 'service', 'module', 'category', 'program', 'app', 'application'];

/** Column names are short words: letters, digits, spaces, `_ . @ -`. */
const NAME = /^[A-Za-z@][\w .@-]{0,39}$/;

function unquote(name: string): string {
  const t = name.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

/** The header of a CSV/TSV log export, when `line` is one (a UTF-8 byte-order mark before it is allowed); else null. */
export function csvHeaderOf(line: string): CsvHeader | null {
  if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
  for (const delimiter of ['\t', ',', ';']) {
    const names = line.split(delimiter).map(unquote);
    if (names.length < 2 || names.length > 64 || !names.every((n) => NAME.test(n))) continue;
    const lower = names.map((n) => n.toLowerCase());
    const find = (wanted: readonly string[]) => {
      for (const w of wanted) {
        const i = lower.indexOf(w);
        if (i >= 0) return i;
      }
      return -1;
    };
    const message = find(MESSAGE_NAMES);
    let time = find(TIME_NAMES);
    const level = find(LEVEL_NAMES);
    if (message < 0 || (time < 0 && level < 0)) continue;
    // separate Date and Time columns (LogHub) are read together
    const date = lower.indexOf('date');
    const clock = lower[time] === 'time' && date >= 0 ? time : -1;
    if (clock >= 0) time = date;
    return { delimiter, message, time, clock, level, component: find(COMPONENT_NAMES), columns: names.length };
  }
  return null;
}

/** Split one CSV row (RFC 4180 quoting) into its fields. */
export function splitCsvRow(row: string, delimiter: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const d = delimiter.charCodeAt(0);
  for (;;) {
    if (row.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = row.indexOf('"', j);
        if (q < 0) {
          value += row.slice(j);
          j = row.length;
          break;
        }
        value += row.slice(j, q);
        if (row.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      const end = row.indexOf(delimiter, j);
      fields.push(end < 0 ? value + row.slice(j) : value + row.slice(j, end));
      if (end < 0) return fields;
      i = end + 1;
    } else {
      let end = i;
      while (end < row.length && row.charCodeAt(end) !== d) end++;
      fields.push(row.slice(i, end));
      if (end >= row.length) return fields;
      i = end + 1;
    }
  }
}

/** Number of `"` in `text`: a row whose count so far is odd has a quoted field still open. */
function quotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) n++;
  return n;
}

/** What the documents read by their columns (CSV/TSV exports, W3C logs) share: plain text, no line unparsable. */
export abstract class ColumnDocumentParser {
  constructor(
    protected readonly source: string,
    protected readonly year: number | undefined,
  ) {}

  get format(): InputFormat {
    return 'plain';
  }

  readonly unparsable = 0;

  abstract push(line: string, lineNo: number): LogRecord[];
  abstract flush(): LogRecord[];
}

export class CsvDocumentParser extends ColumnDocumentParser {
  private header: CsvHeader | null = null;
  private parts: string[] = [];
  private chars = 0;
  /** Quotes in the open row's lines so far. */
  private quoteCount = 0;
  private startLine = 0;

  constructor(source: string, private readonly maxChars: number, year: number | undefined) {
    super(source, year);
  }

  push(line: string, lineNo: number): LogRecord[] {
    if (line.charCodeAt(line.length - 1) === 13 /* \r */) line = line.slice(0, -1); // CRLF input
    if (this.header === null) {
      if (line.trim().length === 0) return [];
      this.header = csvHeaderOf(line);
      if (this.header !== null) return [];
      // not a header after all (cannot happen when chosen by detection): a plain record
      return [{ source: this.source, line: lineNo, time: null, level: null, message: line, component: null }];
    }
    if (this.parts.length === 0) {
      if (line.trim().length === 0) return [];
      this.startLine = lineNo;
    }
    this.parts.push(line);
    this.chars += line.length + 1;
    this.quoteCount += quotes(line);
    if (this.quoteCount % 2 === 1 && this.chars <= this.maxChars) return [];
    return this.flush();
  }

  flush(): LogRecord[] {
    if (this.parts.length === 0) return [];
    const text = this.parts.join('\n');
    this.parts = [];
    this.chars = 0;
    this.quoteCount = 0;
    return [this.record(text)];
  }

  private record(row: string): LogRecord {
    const h = this.header!;
    const f = splitCsvRow(row, h.delimiter);
    const at = (i: number) => (i >= 0 && i < f.length ? f[i]!.trim() : '');
    const rawTime = h.clock >= 0 ? `${at(h.time)} ${at(h.clock)}`.trim() : at(h.time);
    const message = h.message < f.length ? f[h.message]! : row;
    return {
      source: this.source,
      line: this.startLine,
      time: rawTime.length > 0 ? normalizeTime(rawTime, { year: this.year }) : null,
      level: normalizeLevel(at(h.level)),
      message: message.length > 0 ? message : row,
      component: at(h.component) || null,
    };
  }
}
