/**
 * @file `TemplateMiner`: the facade commands use. Masks a message, splits it into tokens (a
 * multi-line message is its first line plus one continuation token), and hands the tokens to
 * the clustering core; `add` learns, `match` only looks. Keeps the per-message fast paths (the
 * template a digit shape led to, the template of an exact masked text) and converts to and from
 * the plain `MinerState`. Never does I/O itself (stores do), never logs.
 */

import { DEFAULT_MASKING_RULES, createMasker, type Masker, type MaskingRule } from './masker.js';
import { TemplateClusters, type ChangeType, type Cluster } from './template-clusters.js';
import { exceptionType } from './exception-type.js';
import { CONTINUATION, exceptionToken, fitsPattern, tokenize } from './tokens.js';
import { WILDCARD, type MaskedShape } from './masker.js';
import { MINER_STATE_VERSION, validateMinerState, type MinerState, type StateStore, type TemplateRecord } from './state-store.js';

/**
 * A token that holds digits surviving masking: rebuilt from `parts` (strings as they are,
 * pairs of numbers as [start, end) ranges of the message) to check it against the template.
 */
interface ResidualToken {
  index: number;
  parts: Array<string | number>;
}

/** What the miner keeps in a masked shape's memo slot. */
interface ShapeMemo {
  cluster: Cluster | null;
  residual: ResidualToken[];
}

const NO_MEMO: ShapeMemo = { cluster: null, residual: [] };

/** Options of a `TemplateMiner`; every field has a default in `DEFAULT_TEMPLATE_MINER_OPTIONS`. */
export interface TemplateMinerOptions {
  /** Masking rules, in priority order. Default: `DEFAULT_MASKING_RULES`. */
  maskingRules: readonly MaskingRule[];
  /**
   * Share of a template's tokens that must agree for a line to join it (0..1). Positions that
   * differ must look like parameters (digits, punctuation); two plain words never count as the
   * same. Default 0.5.
   */
  similarityThreshold: number;
  /** Leading tokens that partition templates (besides the token count). Default 1. */
  prefixDepth: number;
  /** Templates kept in memory; beyond it the least recently seen are evicted (1% at once). Default 50,000. */
  maxClusters: number;
  /**
   * How many distinct plain words must be seen at one position of an otherwise identical
   * template before that position is taken as a parameter (the variants are merged, and those
   * words count as parameter values everywhere from then on). Default 5.
   */
  variantMergeCount: number;
  /** Distinct masked messages remembered for the exact-match fast path. Default 100,000. */
  maxCacheEntries: number;
  /**
   * Estimated bytes of the templates kept (text and tokens): long lines make big templates, so
   * the count alone does not bound memory; beyond it the least recently seen are evicted. Default 64 MiB.
   */
  maxClusterBytes: number;
  /** Estimated bytes of the masked messages remembered for the fast path (cleared when over). Default 16 MiB. */
  maxCacheBytes: number;
}

export const DEFAULT_TEMPLATE_MINER_OPTIONS: Readonly<TemplateMinerOptions> = Object.freeze({
  maskingRules: DEFAULT_MASKING_RULES,
  similarityThreshold: 0.5,
  prefixDepth: 1,
  maxClusters: 50_000,
  variantMergeCount: 5,
  maxCacheEntries: 100_000,
  maxClusterBytes: 64 * 1024 * 1024,
  maxCacheBytes: 16 * 1024 * 1024,
});

/** What `add` reports for one message. */
export interface AddResult {
  templateId: string;
  template: string;
  changeType: ChangeType;
}

/** What `match` reports for a known message. */
export interface MatchResult {
  templateId: string;
  template: string;
}

/** A template as listed by `templates()`. */
export interface TemplateInfo {
  templateId: string;
  template: string;
  count: number;
}

/**
 * Online log template miner.
 *
 * @example
 * const miner = new TemplateMiner();
 * miner.add('connection opened from 10.0.0.1'); // { templateId: '…', template: 'connection opened from <*>', changeType: 'created' }
 * miner.add('connection opened from 10.0.0.2'); // same templateId, changeType: 'none'
 * miner.match('connection closed from 10.0.0.3'); // null: a different event
 */
export class TemplateMiner {
  readonly options: Readonly<TemplateMinerOptions>;
  private readonly masker: Masker;
  private readonly clusters: TemplateClusters;
  /** Masked message -> cluster, for the (very common) exact repeat of a masked message. */
  private readonly cache = new Map<string, Cluster>();
  private readonly scratch: string[] = [];
  private readonly scratchStarts: number[] = [];

  constructor(options: Partial<TemplateMinerOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_TEMPLATE_MINER_OPTIONS, ...options });
    this.masker = createMasker(this.options.maskingRules);
    this.clusters = new TemplateClusters(this.options);
  }

  /**
   * Learn from one message (header already removed; continuation lines joined by '\n').
   *
   * @example
   * const { templateId, changeType } = miner.add('user 42 logged in');
   */
  add(message: string): AddResult {
    const singleLine = message.indexOf('\n') < 0;
    if (singleLine) {
      const seen = this.masker.shapeOf(message);
      const known = seen === null ? null : this.fromShapeMemo(seen, message);
      if (known !== null) {
        known.count++;
        known.lastSeenTick = ++this.clusters.tick;
        return { templateId: known.id, template: known.text, changeType: 'none' };
      }
    }
    const key = this.maskedKey(message);
    const shape = singleLine ? this.masker.lastShape : null;
    const { cluster, changeType } = this.addMasked(key);
    if (shape !== null) shape.memo = this.shapeMemo(shape, key, cluster);
    return { templateId: cluster.id, template: cluster.text, changeType };
  }

  private addMasked(key: string): { cluster: Cluster; changeType: ChangeType } {
    const cached = this.cached(key);
    if (cached !== null) {
      cached.count++;
      cached.lastSeenTick = ++this.clusters.tick;
      return { cluster: cached, changeType: 'none' };
    }
    const learnt = this.clusters.add(this.tokensOf(key));
    this.remember(key, learnt.cluster);
    return learnt;
  }

  /**
   * Find the template of a message without learning (for inference): the template `add` would
   * put it in, or null when `add` would create a new one.
   *
   * @example
   * miner.match('user 7 logged in'); // { templateId, template: 'user <*> logged in' } or null
   */
  match(message: string): MatchResult | null {
    const key = this.maskedKey(message);
    const cluster = this.cached(key) ?? this.clusters.find(this.tokensOf(key));
    return cluster === null ? null : { templateId: cluster.id, template: cluster.text };
  }

  /**
   * The live id for an id returned earlier: the same id unless its template was merged into
   * another one (then that one's id). Ids never change on generalisation.
   */
  resolveId(templateId: string): string {
    return this.clusters.resolve(templateId);
  }

  /** All live templates, most frequent first. */
  templates(): TemplateInfo[] {
    return [...this.clusters.byId.values()]
      .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1))
      .map((c) => ({ templateId: c.id, template: c.text, count: c.count }));
  }

  /** Plain-JSON snapshot of everything needed to resume. */
  toState(): MinerState {
    const templates: TemplateRecord[] = [];
    for (const c of this.clusters.byId.values()) {
      templates.push({
        id: c.id,
        template: c.text,
        tokens: [...c.tokens],
        count: c.count,
        createdTick: c.createdTick,
        lastSeenTick: c.lastSeenTick,
        variantOf: c.variantOf?.id ?? null,
        variantPosition: c.variantOf === null ? null : c.variantPosition,
      });
    }
    return { version: MINER_STATE_VERSION, tick: this.clusters.tick, templates, aliases: Object.fromEntries(this.clusters.aliases), parameterWords: [...this.clusters.parameterWords] };
  }

  /**
   * A miner resumed from a state (validated; throws InputError when it is not one).
   *
   * @example
   * const miner = TemplateMiner.fromState(JSON.parse(text));
   */
  static fromState(state: MinerState, options: Partial<TemplateMinerOptions> = {}): TemplateMiner {
    const valid = validateMinerState(state, 'template miner state');
    const miner = new TemplateMiner(options);
    const clusters = miner.clusters;
    clusters.tick = valid.tick;
    for (const [from, to] of Object.entries(valid.aliases)) clusters.aliases.set(from, to);
    for (const word of valid.parameterWords) clusters.parameterWords.add(word);
    const restored: Array<[Cluster, TemplateRecord]> = [];
    for (const record of valid.templates) {
      const cluster = clusters.restore({
        id: record.id,
        tokens: [...record.tokens],
        count: record.count,
        createdTick: record.createdTick,
        lastSeenTick: record.lastSeenTick,
        variantPosition: -1,
      });
      restored.push([cluster, record]);
    }
    for (const [cluster, record] of restored) {
      const base = record.variantOf === null ? undefined : clusters.byId.get(record.variantOf);
      if (base !== undefined && record.variantPosition !== null) clusters.linkVariant(cluster, base, record.variantPosition);
    }
    return miner;
  }

  /**
   * A miner resumed from a store, or a fresh one when the store is empty.
   *
   * @example
   * const miner = await TemplateMiner.load(new FileStateStore('state.json'));
   */
  static async load(store: StateStore, options: Partial<TemplateMinerOptions> = {}): Promise<TemplateMiner> {
    const state = await store.load();
    return state === null ? new TemplateMiner(options) : TemplateMiner.fromState(state, options);
  }

  /** Save the current state to a store. */
  async save(store: StateStore): Promise<void> {
    await store.save(this.toState());
  }

  /**
   * Masked first line, plus '\n' and the exception type (if one is named) when continuation lines
   * follow: the cache key and token source.
   */
  private maskedKey(message: string): string {
    const newline = message.indexOf('\n');
    if (newline < 0) return this.masker.mask(message);
    const first = this.masker.mask(message.slice(0, newline));
    if (message.slice(newline + 1).trim() === '') return first;
    return `${first}\n${exceptionType(message.split('\n')) ?? ''}`;
  }

  /**
   * The template a message of a remembered shape belongs to, without masking, tokenising or
   * comparing: the template the shape led to last time, provided it is still live and every
   * token that carries digits surviving the masking fits it (measured: 3x the speed of the
   * cache lookup path on messages whose identifiers carry varying digits).
   */
  private fromShapeMemo(shape: MaskedShape, message: string): Cluster | null {
    const memo = shape.memo as ShapeMemo | null;
    if (memo === null || memo.cluster === null) return null;
    let cluster = memo.cluster;
    while (cluster.mergedInto !== null) cluster = cluster.mergedInto;
    if (cluster.evicted) return null;
    const residual = memo.residual;
    for (let i = 0; i < residual.length; i++) {
      const r = residual[i]!;
      const expected = cluster.tokens[r.index]!;
      if (expected === WILDCARD) continue;
      let token = '';
      const parts = r.parts;
      for (let k = 0; k < parts.length; k++) {
        const part = parts[k]!;
        token += typeof part === 'string' ? part : message.slice(part, parts[++k] as number);
      }
      if (expected !== token && !fitsPattern(expected, token)) return null;
    }
    return cluster;
  }

  /** What to remember for a shape: its template and the tokens its surviving digits fall in. */
  private shapeMemo(shape: MaskedShape, masked: string, cluster: Cluster): ShapeMemo {
    const residual: ResidualToken[] = [];
    if (shape.masked === null) {
      const starts = this.scratchStarts;
      const tokens = tokenize(masked, [], starts);
      // A template whose wildcard spans several tokens does not align position by position.
      if (tokens.length !== cluster.tokens.length) return NO_MEMO;
      const pieces = shape.pieces;
      let offset = 0;
      let tokenIndex = 0;
      let cursor = 0;
      let current: ResidualToken | null = null;
      let currentEnd = 0;
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!;
        if (typeof piece === 'string') {
          offset += piece.length;
          continue;
        }
        const end = pieces[++i] as number;
        const outEnd = offset + (end - piece);
        while (tokenIndex + 1 < tokens.length && starts[tokenIndex + 1]! <= offset) tokenIndex++;
        const tokenStart = starts[tokenIndex]!;
        const tokenEnd = tokenStart + tokens[tokenIndex]!.length;
        if (tokenStart > offset || outEnd > tokenEnd) return NO_MEMO;
        if (current === null || current.index !== tokenIndex) {
          if (current !== null) current.parts.push(masked.slice(cursor, currentEnd));
          current = { index: tokenIndex, parts: [] };
          residual.push(current);
          cursor = tokenStart;
          currentEnd = tokenEnd;
        }
        // The text since the previous digit run of this token, then this run.
        current.parts.push(masked.slice(cursor, offset), piece, end);
        cursor = outEnd;
        offset = outEnd;
      }
      if (current !== null) current.parts.push(masked.slice(cursor, currentEnd));
    }
    return { cluster, residual };
  }

  private tokensOf(key: string): string[] {
    const newline = key.indexOf('\n');
    const tokens = tokenize(newline >= 0 ? key.slice(0, newline) : key, this.scratch);
    if (newline >= 0) {
      tokens.push(CONTINUATION);
      if (newline + 1 < key.length) tokens.push(exceptionToken(key.slice(newline + 1)));
    }
    return tokens;
  }

  private cached(key: string): Cluster | null {
    let cluster = this.cache.get(key);
    if (cluster === undefined) return null;
    while (cluster.mergedInto !== null) cluster = cluster.mergedInto;
    return cluster.evicted ? null : cluster;
  }

  private remember(key: string, cluster: Cluster): void {
    const bytes = 64 + 2 * key.length;
    if (this.cache.size >= this.options.maxCacheEntries || this.cacheBytes + bytes > this.options.maxCacheBytes) {
      this.cache.clear();
      this.cacheBytes = 0;
    }
    if (bytes > this.options.maxCacheBytes) return;
    this.cache.set(key, cluster);
    this.cacheBytes += bytes;
  }
  private cacheBytes = 0;

  /** Estimated bytes held by the templates and the fast-path cache (what the byte limits bound). */
  memoryBytes(): number {
    return this.clusters.bytes + this.cacheBytes;
  }
}
