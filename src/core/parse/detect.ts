/**
 * @file Format auto-detection: run every format's line parser over a sample and keep the one that
 * parses most lines (ties go to the more specific format). Lines that can only be continuations
 * (stack frames, indented lines) and blank lines do not vote. Pure; never throws.
 */
import { isBlankLine, isContinuationLine } from './continuation.js';
import { DETECTION_ORDER, LINE_PARSERS, type InputFormat } from './formats.js';
import { looksLikeJsonObject } from './json-lines.js';
import { emptyFields, type LineFields, type LineParseContext } from './line-fields.js';

/** Lines looked at by default, and the hard cap whatever the caller passes. */
export const DEFAULT_DETECT_LINES = 50;
const MAX_DETECT_LINES = 1000;
/** The winning format must parse at least this share of the voting lines, else `plain`. */
const MIN_SHARE = 0.5;

const DETECT_CONTEXT: LineParseContext = { year: 2000 };
/** Above this, a line votes json on its braces alone: JSON.parse of a huge line twice is wasted time. */
const MAX_JSON_PROBE_CHARS = 1 << 20;

/**
 * Pick the input format of a sample of physical lines.
 *
 * @example detectFormat(['{"level":30,"msg":"a"}', '{"level":40,"msg":"b"}']) // 'json'
 * @example detectFormat(['hello', 'world'])                                    // 'plain'
 */
/** Whether `format` parses `line`; a line that makes the parser throw (e.g. JSON nested too deep) votes for nothing. */
function probe(format: InputFormat, line: string, fields: LineFields): boolean {
  try {
    return LINE_PARSERS[format](line, fields, DETECT_CONTEXT);
  } catch {
    return false;
  }
}

export function detectFormat(sample: readonly string[]): InputFormat {
  const fields = emptyFields();
  const counts = new Array<number>(DETECTION_ORDER.length).fill(0);
  let voters = 0;
  const n = Math.min(sample.length, MAX_DETECT_LINES);
  for (let i = 0; i < n; i++) {
    let line = sample[i]!;
    if (line.charCodeAt(line.length - 1) === 13 /* \r */) line = line.slice(0, -1);
    if (isBlankLine(line) || isContinuationLine(line)) continue;
    voters++;
    for (let f = 0; f < DETECTION_ORDER.length; f++) {
      const format = DETECTION_ORDER[f]!;
      const parses = format === 'json' && line.length > MAX_JSON_PROBE_CHARS
        ? looksLikeJsonObject(line)
        : probe(format, line, fields);
      if (parses) counts[f]!++;
    }
  }
  let best = -1;
  for (let f = 0; f < DETECTION_ORDER.length; f++) {
    if (counts[f]! > 0 && (best < 0 || counts[f]! > counts[best]!)) best = f;
  }
  if (best < 0 || counts[best]! < voters * MIN_SHARE) return 'plain';
  return DETECTION_ORDER[best]!;
}
