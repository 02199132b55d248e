/**
 * @file The W3C extended log format (IIS, and proxies that write it): `#Software:`, `#Version:`,
 * `#Date:` directives and a `#Fields: date time s-ip cs-method cs-uri-stem ... sc-status` line
 * that names the space-separated columns of the rows after it (a server restart writes the
 * directives again, maybe with other fields). Each row becomes an access record: time from
 * `date` and `time` (UTC, as the format defines), message `METHOD /uri?query status`, the status
 * code as the `status` field. Directive lines are not records. Chosen by auto-detection when the
 * input's first lines hold a `#Fields:` directive.
 */
import type { LogRecord } from '../types.js';
import { ColumnDocumentParser } from './csv-document.js';
import { normalizeTime } from './time.js';

const FIELDS = '#Fields:';
/** Directive lines the format defines: the input's first lines must hold `#Fields:` among them. */
const DIRECTIVE = /^#(?:Software|Version|Date|Fields|Remark|Start-Date|End-Date):/;

/** Is this the start of a W3C extended log (directives, one of them `#Fields:`)? */
export function isW3cLog(firstLines: readonly string[]): boolean {
  let fields = false;
  for (const line of firstLines) {
    if (line.trim().length === 0) continue;
    if (!DIRECTIVE.test(line)) return fields;
    if (line.startsWith(FIELDS)) fields = true;
  }
  return fields;
}

interface Columns {
  date: number;
  time: number;
  method: number;
  stem: number;
  query: number;
  status: number;
}

function columnsOf(directive: string): Columns {
  const names = directive.slice(FIELDS.length).trim().split(/\s+/);
  const at = (name: string) => names.indexOf(name);
  return { date: at('date'), time: at('time'), method: at('cs-method'), stem: at('cs-uri-stem'), query: at('cs-uri-query'), status: at('sc-status') };
}

export class W3cDocumentParser extends ColumnDocumentParser {
  private columns: Columns | null = null;

  push(line: string, lineNo: number): LogRecord[] {
    if (line.charCodeAt(line.length - 1) === 13 /* \r */) line = line.slice(0, -1);
    if (line.trim().length === 0) return [];
    if (line.charCodeAt(0) === 35 /* # */) {
      if (line.startsWith(FIELDS)) this.columns = columnsOf(line);
      return [];
    }
    const c = this.columns;
    if (c === null) return [{ source: this.source, line: lineNo, time: null, level: null, message: line, component: null }];
    const f = line.split(' ');
    const at = (i: number) => (i >= 0 && i < f.length && f[i] !== '-' ? f[i]! : '');
    const stamp = `${at(c.date)} ${at(c.time)}`.trim();
    const status = /^\d{3}$/.test(at(c.status)) ? Number(at(c.status)) : undefined;
    const query = at(c.query);
    const request = [at(c.method), at(c.stem) + (query ? `?${query}` : ''), status ?? ''].filter((p) => p !== '').join(' ');
    const record: LogRecord = {
      source: this.source,
      line: lineNo,
      time: stamp.length > 0 ? normalizeTime(stamp, { year: this.year }) : null,
      level: null,
      message: request.length > 0 ? request : line,
      component: null,
    };
    if (status !== undefined) record.status = status;
    return [record];
  }

  flush(): LogRecord[] {
    return [];
  }
}
