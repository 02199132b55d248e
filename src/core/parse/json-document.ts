/**
 * @file JSON that is not one object per line: pretty-printed objects (`jq .`, `kubectl ... -o
 * json` items, editors' exports) and arrays of objects (`[{...},{...}]`, on one line or many).
 * The objects are cut out of the text as their braces close (strings and escapes respected) and
 * each is read as one JSON log line, numbered by the line it starts on. Chosen by auto-detection
 * from the input's first line (`isJsonDocument`); anything between objects that is not `[`, `]`,
 * `,` or space becomes a plain record, and an object over MAX_RECORD_CHARS is given up on (its
 * text so far becomes a plain record), so memory stays bounded.
 */
import type { LogRecord } from '../types.js';
import type { InputFormat } from './formats.js';

/** The record parser objects are handed to (a `json` LineRecordParser), and the cap it applies. */
export interface JsonObjectSink {
  push(line: string, lineNo: number): LogRecord[];
  flush(): LogRecord[];
  readonly unparsable: number;
}

/**
 * Does the input open as a JSON document rather than JSON lines? Its first non-blank line is `[`
 * (alone or followed by `{`), or opens an object it does not close (`{` alone, `{"level": ...,`).
 */
export function isJsonDocument(lines: readonly string[]): boolean {
  const first = lines.find((l) => l.trim().length > 0)?.trim();
  if (first === undefined) return false;
  if (first.startsWith('[')) {
    const rest = first.slice(1).trimStart();
    return rest.length === 0 || rest.startsWith('{');
  }
  if (first === '{') return true;
  return first.startsWith('{"') && !first.endsWith('}');
}

export class JsonDocumentParser {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Text of the open object from earlier lines. */
  private parts: string[] = [];
  private chars = 0;
  private startLine = 0;

  constructor(
    private readonly objects: JsonObjectSink,
    private readonly maxChars: number,
  ) {}

  get format(): InputFormat {
    return 'json';
  }

  get unparsable(): number {
    return this.objects.unparsable;
  }

  push(line: string, lineNo: number): LogRecord[] {
    if (line.charCodeAt(line.length - 1) === 13 /* \r */) line = line.slice(0, -1); // CRLF input
    const out: LogRecord[] = [];
    let from = this.depth > 0 ? 0 : -1; // where the open object's text starts in this line
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (this.depth === 0) {
        if (c === 32 || c === 9 || c === 44 /* , */ || c === 91 /* [ */ || c === 93 /* ] */) continue;
        if (c !== 123 /* { */) {
          // not JSON between objects: the rest of the line is a plain record
          out.push(...this.objects.push(line.slice(i), lineNo));
          return out;
        }
        this.depth = 1;
        this.startLine = lineNo;
        from = i;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 /* } */ || c === 93) {
        this.depth--;
        if (this.depth === 0) {
          this.parts.push(line.slice(from, i + 1));
          out.push(...this.emit());
          from = -1;
        }
      }
    }
    if (this.depth > 0) {
      const piece = line.slice(Math.max(0, from));
      this.parts.push(piece);
      this.chars += piece.length + 1;
      if (this.chars > this.maxChars) out.push(...this.emit()); // too big: its text so far, as it is
    }
    return out;
  }

  flush(): LogRecord[] {
    const out = this.depth > 0 ? this.emit() : [];
    out.push(...this.objects.flush());
    return out;
  }

  private emit(): LogRecord[] {
    const text = this.parts.join('\n');
    this.parts = [];
    this.chars = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    return this.objects.push(text, this.startLine);
  }
}
