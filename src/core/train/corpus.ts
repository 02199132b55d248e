/**
 * @file The mined corpus of logging statements (fixtures/logstatements: message format strings
 * and the level their authors gave them, from 158 open-source projects) turned into training
 * text that reads like runtime logs: every placeholder (`%s`, `%d`, `%(name)s`, `{}`, `{0}`,
 * `{name:?}`, `${expr}`) is filled with a realistic value chosen by a seeded generator from the
 * placeholder's type and name, so the model never learns placeholders and the result is the
 * same on every machine. Rows the corpus README calls less reliable weigh less.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { normalizeLevel } from '../parse/index.js';
import { createRng, type Rng } from './prng.js';
import type { LabeledMessage } from './trainers.js';

/** The corpus files, in the order they are read. */
export const CORPUS_FILES = ['go-python-c-rust.csv.gz', 'java-csharp-js.csv.gz'] as const;

export interface CorpusRow extends LabeledMessage {
  /** The project (repository) the statement came from. */
  group: string;
  /** Relative weight of the row (1, or less for rows the corpus README calls less reliable). */
  weight: number;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, max: number) => Math.floor(rng() * max);

const WORDS = ['orders', 'payments', 'default', 'primary', 'users', 'billing', 'inventory', 'main', 'reports', 'alpha', 'events', 'tenant-a', 'catalog', 'metrics', 'sessions', 'api', 'search', 'cache', 'worker', 'jobs'];
const HOSTS = ['db-1.internal', 'api.example.com', 'node-3', 'kafka-0.kafka', 'redis-master', 'ip-10-0-1-17', 'storage02', 'localhost'];
const PATHS = ['/var/lib/app/data.db', '/etc/app/config.yaml', '/tmp/upload-3f2a.tmp', '/srv/www/index.html', 'C:\\ProgramData\\App\\app.log', './build/output.json', '/home/deploy/releases/42'];
const URLS = ['https://api.example.com/v1/orders', 'http://localhost:8080/health', 'grpc://10.2.0.5:9090', 'https://auth.internal/token'];
const CAUSES = ['connection refused', 'i/o timeout', 'context deadline exceeded', 'permission denied', 'no such file or directory', 'EOF', 'broken pipe', 'invalid argument', 'unexpected end of JSON input', 'java.io.IOException: Connection reset by peer', 'resource temporarily unavailable', 'NullPointerException'];
const TYPES = ['string', 'int64', '*http.Request', 'map[string]interface {}', 'Order', 'NoneType'];

function number(rng: Rng): string {
  const r = rng();
  if (r < 0.4) return String(int(rng, 10));
  if (r < 0.7) return String(int(rng, 1000));
  return String(int(rng, 10_000_000));
}
const hex = (rng: Rng) => '0x' + Math.floor(rng() * 0xffffffff).toString(16);
const uuid = (rng: Rng) => [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => int(rng, 16).toString(16)).join('')).join('-');
const ip = (rng: Rng) => `10.${int(rng, 256)}.${int(rng, 256)}.${int(rng, 256)}`;
const float = (rng: Rng) => (rng() * 1000).toFixed(2);
const time = (rng: Rng) => `2024-0${1 + int(rng, 9)}-1${int(rng, 10)}T0${int(rng, 10)}:${10 + int(rng, 50)}:${10 + int(rng, 50)}Z`;

/** A value for a placeholder named `name` (may be empty) of printf conversion `conv` (may be empty). */
export function placeholderValue(name: string, conv: string, rng: Rng): string {
  const n = name.toLowerCase();
  if (/^[diou]$/.test(conv)) return number(rng);
  if (/^[xXp]$/.test(conv)) return hex(rng);
  if (/^[feEgG]$/.test(conv)) return float(rng);
  if (conv === 'T') return pick(rng, TYPES);
  if (n) {
    if (/(^|_|\b)(err|error|e|ex|exc|exception|cause|reason|why|t|throwable)($|_|\b)|error|exception/.test(n)) return pick(rng, CAUSES);
    if (/path|file|dir|folder/.test(n)) return pick(rng, PATHS);
    if (/url|uri|endpoint|href|link/.test(n)) return pick(rng, URLS);
    if (/host|addr|server|peer|remote|node|ip|endpoint/.test(n)) return rng() < 0.5 ? ip(rng) : pick(rng, HOSTS);
    if (/uuid|guid|trace|span|request_?id|hash|digest|token|key/.test(n)) return rng() < 0.5 ? uuid(rng) : hex(rng);
    if (/time|date|deadline|since|until|ts$|timestamp/.test(n)) return time(rng);
    if (/dur|elapsed|latency|took|timeout|interval|delay/.test(n)) return `${number(rng)}ms`;
    if (/count|size|len|num|port|id$|_id|index|idx|offset|retries|attempt|code|status|pid|total|bytes|limit|max|min|seq|version|epoch|line/.test(n)) return number(rng);
  }
  const r = rng();
  if (r < 0.35) return number(rng);
  if (r < 0.55) return pick(rng, WORDS);
  if (r < 0.65) return pick(rng, PATHS);
  if (r < 0.75) return uuid(rng);
  if (r < 0.85) return rng() < 0.5 ? ip(rng) : pick(rng, HOSTS);
  if (r < 0.93) return `${pick(rng, WORDS)}-${int(rng, 100)}`;
  return `"${pick(rng, WORDS)}"`;
}

// %(name)s | %-08.3lld and friends | {name:fmt} {0} {} | ${expr}
const PLACEHOLDER = /%\(([A-Za-z_][\w.]*)\)[-#+ 0-9.]*[a-zA-Z]|%[-#+ 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t|I64|I32)?([diouxXeEfFgGcspqvTwaA])|\{([A-Za-z_][\w.]*)?(?::[^{}]{0,12})?\}|\{(\d{1,2})(?:[,:][^{}]{0,12})?\}|\$\{([^{}]{1,60})\}/g;

/** The message with every placeholder replaced by a realistic value (deterministic for one rng). */
export function fillPlaceholders(message: string, rng: Rng): string {
  return message.replace(PLACEHOLDER, (_m, pyName?: string, conv?: string, braceName?: string, _pos?: string, expr?: string) => {
    if (pyName) return placeholderValue(pyName.split('.').pop()!, '', rng);
    if (conv) return placeholderValue('', conv === 's' || conv === 'v' || conv === 'q' ? '' : conv, rng);
    if (braceName) return placeholderValue(braceName.split('.').pop()!, '', rng);
    if (expr) return placeholderValue(expr.replace(/[^\w.]/g, '').split('.').pop() ?? '', '', rng);
    return placeholderValue('', '', rng);
  });
}

/** Weight of a corpus row: console.* calls and entry/exit traces count for less. */
function rowWeight(native: string, message: string): number {
  if (/^\s*(==>|<==|-->|<--|enter|exit|entering|leaving)\b/i.test(message)) return 0.1;
  if (native.startsWith('console.')) return 0.5;
  return 1;
}

/** Load the corpus from `dir` (fixtures/logstatements), placeholders filled with `seed`. */
export function loadCorpus(dir: string, seed = 7): CorpusRow[] {
  const rng = createRng(seed);
  const out: CorpusRow[] = [];
  for (const file of CORPUS_FILES) {
    const rows = parse(gunzipSync(readFileSync(join(dir, file))), { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as Array<Record<string, string>>;
    for (const row of rows) {
      const level = normalizeLevel(row.level ?? '');
      const template = (row.message ?? '').trim();
      if (!level || template.length < 3) continue;
      const message = fillPlaceholders(template, rng).trim();
      if (!/[A-Za-z]{2}/.test(message)) continue;
      out.push({ message, level, anomaly: null, group: `corpus:${row.system ?? ''}`, weight: rowWeight(row.native_level ?? '', template) });
    }
  }
  return out;
}
