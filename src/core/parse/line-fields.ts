/**
 * @file The scratch shape every line-format parser fills: header fields split off one physical
 * line. Parsers write into a caller-owned object (no allocation per line) and return whether the
 * line had their format's header. Internal to src/core/parse; not re-exported.
 */
import type { Level } from '../types.js';

export interface LineFields {
  time: string | null;
  level: Level | null;
  message: string;
  component: string | null;
}

/** Options every line parser may need; `year` fills year-less timestamps (injectable for tests). */
export interface LineParseContext {
  year: number | undefined;
}

/** Fill `out` from `line` and return true when the line carries this format's header. */
export type LineParser = (line: string, out: LineFields, ctx: LineParseContext) => boolean;

export function emptyFields(): LineFields {
  return { time: null, level: null, message: '', component: null };
}

const SPACE = 32;
const TAB = 9;

/** `s.slice(start)` without trailing spaces/tabs, allocating no more than the slice itself. */
export function sliceTrimEnd(s: string, start: number): string {
  let end = s.length;
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== SPACE && c !== TAB) break;
    end--;
  }
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
