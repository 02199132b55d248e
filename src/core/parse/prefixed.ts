/**
 * @file Multiplexed streams: `docker compose logs` (`web-1  | <line>`) and `kubectl logs
 * --prefix` (`[pod/web-7f9c/app] <line>`) interleave the lines of several programs, each in its
 * own format, behind a per-line prefix. Read as one stream, the lines of one service were joined
 * onto another's records as continuation lines. When most of the first lines carry such a
 * prefix, each prefix gets a record parser of its own (its own format detection, continuation
 * lines and stack traces), the prefix is removed, and the service becomes the record's
 * component (`service/component` when the line names one too).
 *
 * Records come out when they are complete, each with its own line number: records of different
 * services can come out of line order (a service's record is complete when that service's next
 * line arrives, or at the end).
 */
import type { LogRecord } from '../types.js';
import type { InputFormat } from './formats.js';
import type { RecordParser } from './record-parser.js';

/** `service  | rest` (compose v2 `web-1`, v1 `web_1`; names padded with spaces to one width). */
const COMPOSE = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,62}) +\|(?: (.*))?$/;
/** `[pod/name/container] rest` (kubectl logs --prefix). */
const KUBECTL = /^\[(pod\/[^\]\s/]{1,253}\/[^\]\s/]{1,63})\] (.*)$/;
/** Share of the first (non-empty) lines that must carry one kind of prefix. */
const MIN_PREFIXED_SHARE = 0.8;
/** At most this many services get a parser of their own; lines of later ones go to the parser of unprefixed lines. */
const MAX_SERVICES = 256;

type PrefixKind = 'compose' | 'kubectl';

/** The service and the line behind it, or null. The regex sees at most the first 4,096 characters. */
function splitPrefix(line: string, kind: PrefixKind): [string, string] | null {
  if (line.length === 0) return null;
  const m = (kind === 'compose' ? COMPOSE : KUBECTL).exec(line.length > 4096 ? line.slice(0, 4096) : line);
  if (m === null) return null;
  const prefixLength = m[0].length - (m[2] ?? '').length;
  return [m[1]!, line.slice(prefixLength)];
}

/** Which prefix most of `lines` carry, or null. */
export function detectPrefix(lines: readonly string[]): PrefixKind | null {
  const nonEmpty = lines.filter((l) => l.trim().length > 0);
  if (nonEmpty.length < 2) return null;
  for (const kind of ['compose', 'kubectl'] as const) {
    const hits = nonEmpty.filter((l) => splitPrefix(l, kind) !== null).length;
    if (hits >= MIN_PREFIXED_SHARE * nonEmpty.length) return kind;
  }
  return null;
}

/**
 * A parser that buffers the first `detectLines` lines; multiplexed input is then read by one
 * parser per service, anything else by a single parser (fed the same lines in the same order, so
 * its records are exactly those it would have given alone).
 */
export class PrefixAwareParser implements RecordParser {
  private buffered: Array<[string, number]> = [];
  private kind: PrefixKind | null = null;
  private single: RecordParser | null = null;
  private readonly services = new Map<string, RecordParser>();

  constructor(
    /** A parser for one service, or for the whole input (given its first lines) when it has no prefixes. */
    private readonly make: (firstLines?: readonly string[]) => RecordParser,
    private readonly detectLines: number,
  ) {}

  /** Decided: a prefix kind (one parser per service), or none (the single parser). */
  private get decided(): boolean {
    return this.kind !== null || this.single !== null;
  }

  push(line: string, lineNo: number): LogRecord[] {
    if (this.decided) return this.route(line, lineNo);
    this.buffered.push([line, lineNo]);
    return this.buffered.length < this.detectLines ? [] : this.decide();
  }

  flush(): LogRecord[] {
    const out = this.decided ? [] : this.decide();
    if (this.single) out.push(...this.single.flush());
    for (const [service, p] of this.services) out.push(...this.tag(p.flush(), service));
    return this.kind ? out.sort((a, b) => a.line - b.line) : out;
  }

  get format(): InputFormat | null {
    if (this.single) return this.single.format;
    for (const p of this.services.values()) if (p.format !== null) return p.format;
    return null;
  }

  get unparsable(): number {
    let n = this.single?.unparsable ?? 0;
    for (const p of this.services.values()) n += p.unparsable;
    return n;
  }

  private decide(): LogRecord[] {
    this.kind = detectPrefix(this.buffered.map(([l]) => l));
    if (this.kind === null) this.single = this.make(this.buffered.map(([l]) => l));
    const out: LogRecord[] = [];
    for (const [line, lineNo] of this.buffered) out.push(...this.route(line, lineNo));
    this.buffered = [];
    return this.kind ? out.sort((a, b) => a.line - b.line) : out;
  }

  private route(line: string, lineNo: number): LogRecord[] {
    if (this.single) return this.single.push(line, lineNo);
    const split = splitPrefix(line, this.kind!);
    // a line without a prefix (compose's "Attaching to web-1, db-1") is a service of its own
    const [service, rest] = split ?? ['', line];
    let name = service;
    let parser = this.services.get(name);
    if (parser === undefined) {
      if (this.services.size >= MAX_SERVICES) {
        name = '';
        parser = this.services.get(name);
      }
      if (parser === undefined) {
        parser = this.make();
        this.services.set(name, parser);
      }
    }
    return this.tag(parser.push(rest, lineNo), name);
  }

  private tag(records: LogRecord[], service: string): LogRecord[] {
    if (service === '') return records;
    for (const r of records) r.component = r.component ? `${service}/${r.component}` : service;
    return records;
  }
}
