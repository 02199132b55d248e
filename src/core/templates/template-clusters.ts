/**
 * @file The clustering core: groups token sequences into templates online. Drain's idea (bucket
 * by length and leading token, then similarity against the bucket's templates) with these
 * changes: two tokens that differ by a plain word (`opened` / `closed`, `state=up` /
 * `state=down`, `num=3` / `top=x`) never merge on first sight, they may be different events; a
 * position merges once enough one-word variants of the same template have been seen (a real
 * parameter, e.g. user names), and the words so proven to be parameter values count as
 * parameters everywhere afterwards; tokens are generalised piecewise (`user=<*>`); an
 * established `<*>` may span several tokens. Owns clusters, buckets, LRU eviction and the
 * aliases left by merges. Knows nothing of masking, messages, persistence formats or I/O.
 */

import { WILDCARD } from './masker.js';
import { differByWord, differingWords, fitsPattern, generaliseToken } from './tokens.js';
import { templateIdFor } from './stable-id.js';

/** One template cluster, live in memory. */
export interface Cluster {
  id: string;
  tokens: string[];
  /** `renderTemplate(tokens)`, kept up to date by the core whenever `tokens` change. */
  text: string;
  count: number;
  createdTick: number;
  lastSeenTick: number;
  /** Set when this cluster was created as a one-word variant of another one. */
  variantOf: Cluster | null;
  variantPosition: number;
  /** Variants of this cluster by position. */
  variants: Map<number, Cluster[]> | null;
  /** Set once merged into another cluster or evicted: the object must no longer be used. */
  mergedInto: Cluster | null;
  evicted: boolean;
  bucket: Cluster[];
  /** Estimated bytes held (text and tokens), counted against `maxBytes` while the cluster is live. */
  bytes: number;
}

/** Estimated heap bytes of a template: its text and tokens (2 bytes a char at worst, plus string and slot overheads). */
export function clusterBytes(tokens: readonly string[], text: string): number {
  let n = 128 + 2 * text.length;
  for (const t of tokens) n += 24 + 2 * t.length;
  return n;
}

/** Tuning knobs of the clustering core (defaults live with the miner options). */
export interface ClusterSettings {
  similarityThreshold: number;
  prefixDepth: number;
  maxClusters: number;
  /** Estimated bytes of all live templates; beyond it the least recently seen are evicted. */
  maxClusterBytes: number;
  variantMergeCount: number;
}

export type ChangeType = 'created' | 'changed' | 'none';

/** Share of `maxClusters` evicted at once when over capacity. */
const EVICTED_SHARE = 0.01;

/** Most extra tokens one wildcard may span (bounds the search for spanning templates). */
const MAX_SPANNED_EXTRA = 16;

/** Do template[from..from+count) and tokens[at..at+count) fit, position by position? */
function fitsRange(template: readonly string[], tokens: readonly string[], from: number, at: number, count: number): boolean {
  for (let i = 0; i < count; i++) {
    const t = template[from + i]!;
    const x = tokens[at + i]!;
    if (t !== x && t !== WILDCARD && !(t.includes(WILDCARD) && fitsPattern(t, x))) return false;
  }
  return true;
}

/** Cap on remembered parameter words, so memory stays bounded on any input. */
const MAX_PARAMETER_WORDS = 100_000;

/** Render template tokens as text: tokens joined by one space, continuation tokens (`\n...`) appended as is. */
export function renderTemplate(tokens: readonly string[]): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (i > 0 && token.charCodeAt(0) !== 10 /* \n */) out += ' ';
    out += token;
  }
  return out;
}

function hasDigit(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    if (code >= 48 && code <= 57) return true;
  }
  return false;
}

interface Comparison {
  mismatches: number;
  wordMismatches: number;
  wordPosition: number;
}

export class TemplateClusters {
  readonly byId = new Map<string, Cluster>();
  /** Ids of clusters merged away, to the id they were merged into (may chain). */
  readonly aliases = new Map<string, string>();
  tick = 0;
  private readonly buckets = new Map<string, Cluster[]>();
  private readonly comparison: Comparison = { mismatches: 0, wordMismatches: 0, wordPosition: -1 };
  /** Words seen as values of a position proven to be a parameter (by a variant merge). */
  readonly parameterWords = new Set<string>();

  constructor(readonly settings: ClusterSettings) {}

  /** Bucket of a token sequence: its length (or `length`) and its leading tokens. */
  bucketKey(tokens: readonly string[], length = tokens.length): string {
    let key = String(length);
    const depth = Math.min(this.settings.prefixDepth, length);
    for (let i = 0; i < depth; i++) {
      const token = tokens[i]!;
      // Digits or a wildcard: a parameter, so it must not split buckets (and a generalised
      // token keeps the key of the tokens it came from).
      key += '\u0000' + (hasDigit(token) || token.includes(WILDCARD) ? WILDCARD : token);
    }
    return key;
  }

  /** Follow merges from an id to the live cluster's id (the id itself when never merged). */
  resolve(id: string): string {
    let current = id;
    for (let hops = 0; hops < 1000; hops++) {
      const next = this.aliases.get(current);
      if (next === undefined) return current;
      current = next;
    }
    return current;
  }

  private compare(cluster: Cluster, tokens: readonly string[], limit: number): Comparison {
    const result = this.comparison;
    let mismatches = 0;
    let wordMismatches = 0;
    let wordPosition = -1;
    const template = cluster.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = template[i]!;
      const x = tokens[i]!;
      if (t === x || t === WILDCARD) continue;
      if (x.charCodeAt(0) === 10 /* \n */ || t.charCodeAt(0) === 10) {
        // a different exception type (or none): never the same template
        mismatches = limit + 1;
        wordMismatches++;
        wordPosition = i;
        break;
      }
      if (t.length > 3 && t.includes(WILDCARD) && fitsPattern(t, x)) continue;
      mismatches++;
      if (differByWord(t, x, this.parameterWords)) {
        wordMismatches++;
        wordPosition = i;
      }
      if (mismatches > limit) break;
    }
    result.mismatches = mismatches;
    result.wordMismatches = wordMismatches;
    result.wordPosition = wordPosition;
    return result;
  }

  private allowedMismatches(length: number): number {
    return Math.floor(length * (1 - this.settings.similarityThreshold));
  }

  /** The cluster `tokens` belongs to without learning anything, or null. */
  find(tokens: readonly string[]): Cluster | null {
    const bucket = this.buckets.get(this.bucketKey(tokens));
    if (bucket === undefined) return this.findSpanning(tokens);
    const allowed = this.allowedMismatches(tokens.length);
    let best: Cluster | null = null;
    let bestMismatches = Infinity;
    for (const cluster of bucket) {
      const c = this.compare(cluster, tokens, Math.max(allowed, 1));
      if (c.mismatches === 0) return cluster;
      if (c.wordMismatches === 0 && c.mismatches <= allowed && c.mismatches < bestMismatches) {
        best = cluster;
        bestMismatches = c.mismatches;
      }
    }
    return best ?? this.findSpanning(tokens);
  }

  /**
   * A template, shorter than the line, one of whose `<*>` spans several of the line's tokens
   * (`user <*> from <*>` for `user john smith from 10.0.0.1`): everything before that wildcard
   * and everything after it must fit the line exactly. Tried only when nothing else matched.
   */
  private findSpanning(tokens: readonly string[]): Cluster | null {
    const n = tokens.length;
    const depth = this.settings.prefixDepth;
    for (let length = n - 1; length >= Math.max(depth + 1, n - MAX_SPANNED_EXTRA); length--) {
      const bucket = this.buckets.get(this.bucketKey(tokens, length));
      if (bucket === undefined) continue;
      const extra = n - length;
      for (const cluster of bucket) {
        const template = cluster.tokens;
        // Only templates that are mostly constant text may stretch (not `data <*> <*>`).
        let constants = 0;
        for (const t of template) if (!t.includes(WILDCARD)) constants++;
        if (constants < 2 || constants * 2 < length) continue;
        for (let w = depth; w < length; w++) {
          if (template[w] !== WILDCARD) continue;
          if (fitsRange(template, tokens, 0, 0, w) && fitsRange(template, tokens, w + 1, w + 1 + extra, length - w - 1)) return cluster;
        }
      }
    }
    return null;
  }

  /** Learn from one token sequence; returns the cluster it now belongs to and what changed. */
  add(tokens: readonly string[]): { cluster: Cluster; changeType: ChangeType } {
    const tick = ++this.tick;
    const key = this.bucketKey(tokens);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    const allowed = this.allowedMismatches(tokens.length);
    let best: Cluster | null = null;
    let bestMismatches = Infinity;
    let variantBase: Cluster | null = null;
    let variantPosition = -1;
    for (const cluster of bucket) {
      const c = this.compare(cluster, tokens, Math.max(allowed, 1));
      if (c.mismatches === 0) {
        best = cluster;
        bestMismatches = 0;
        break;
      }
      if (c.wordMismatches === 0) {
        if (c.mismatches <= allowed && c.mismatches < bestMismatches) {
          best = cluster;
          bestMismatches = c.mismatches;
        }
      } else if (c.wordMismatches === 1 && c.mismatches === 1 && tokens.length >= 3) {
        // Prefer a root template over a variant as the base.
        if (variantBase === null || (variantBase.variantOf !== null && cluster.variantOf === null)) {
          variantBase = cluster;
          variantPosition = c.wordPosition;
        }
      }
    }
    if (best !== null) {
      best.count++;
      best.lastSeenTick = tick;
      if (bestMismatches === 0) return { cluster: best, changeType: 'none' };
      const changed = this.generalise(best, tokens);
      return { cluster: best, changeType: changed ? 'changed' : 'none' };
    }
    if (variantBase !== null) {
      let base = variantBase;
      if (base.variantOf !== null && base.variantPosition === variantPosition) base = base.variantOf;
      const siblings = base.variants?.get(variantPosition) ?? [];
      if (siblings.length + 2 >= this.settings.variantMergeCount) {
        this.mergeVariants(base, variantPosition, tokens, tick);
        return { cluster: base, changeType: 'changed' };
      }
      const created = this.create(tokens, bucket, tick);
      if (base.evicted) return { cluster: created, changeType: 'created' };
      created.variantOf = base;
      created.variantPosition = variantPosition;
      base.variants ??= new Map();
      base.variants.set(variantPosition, [...siblings, created]);
      return { cluster: created, changeType: 'created' };
    }
    const spanning = this.findSpanning(tokens);
    if (spanning !== null) {
      spanning.count++;
      spanning.lastSeenTick = tick;
      return { cluster: spanning, changeType: 'none' };
    }
    return { cluster: this.create(tokens, bucket, tick), changeType: 'created' };
  }

  private generalise(cluster: Cluster, tokens: readonly string[]): boolean {
    let changed = false;
    const template = cluster.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = template[i]!;
      const x = tokens[i]!;
      if (t === x || t === WILDCARD || (t.includes(WILDCARD) && fitsPattern(t, x))) continue;
      template[i] = generaliseToken(t, x);
      changed = true;
    }
    if (changed) cluster.text = renderTemplate(template);
    return changed;
  }

  private mergeVariants(base: Cluster, position: number, tokens: readonly string[], tick: number): void {
    const siblings = (base.variants?.get(position) ?? []).filter((v) => v.mergedInto === null && !v.evicted);
    base.variants?.delete(position);
    const values = [tokens[position]!, ...siblings.map((v) => v.tokens[position]!)];
    for (const value of values) {
      const words = differingWords(base.tokens[position]!, value);
      if (words !== null) this.rememberParameterWords(words);
    }
    let generalised = base.tokens[position]!;
    for (const value of values) generalised = generaliseToken(generalised, value);
    base.tokens[position] = generalised;
    this.generalise(base, tokens);
    base.text = renderTemplate(base.tokens);
    base.count++;
    base.lastSeenTick = tick;
    for (const sibling of siblings) this.absorb(base, sibling);
    this.mergeProvenVariants();
  }

  /** Merge `other` into `base`: base's template covers both, other's id becomes an alias. */
  private absorb(base: Cluster, other: Cluster): void {
    this.generalise(base, other.tokens);
    base.count += other.count;
    base.lastSeenTick = Math.max(base.lastSeenTick, other.lastSeenTick);
    this.detach(other);
    other.mergedInto = base;
    this.aliases.set(other.id, base.id);
    // Variants of the absorbed cluster become plain clusters.
    if (other.variants !== null) {
      for (const list of other.variants.values()) for (const v of list) v.variantOf = null;
    }
  }

  private rememberParameterWords(words: readonly string[]): void {
    for (const word of words) if (this.parameterWords.size < MAX_PARAMETER_WORDS) this.parameterWords.add(word);
  }

  /**
   * After new parameter words are known, variants that differ from their base only by such
   * words are merged into it (e.g. `session opened for user news` once user names are known).
   */
  private mergeProvenVariants(): void {
    for (const base of [...this.byId.values()]) {
      if (base.variants === null || base.mergedInto !== null) continue;
      for (const [position, list] of [...base.variants]) {
        const proven = list.filter((v) => {
          if (v.mergedInto !== null || v.evicted) return false;
          const words = differingWords(base.tokens[position]!, v.tokens[position]!);
          return words !== null && this.parameterWords.has(words[0]) && this.parameterWords.has(words[1]);
        });
        if (proven.length === 0) continue;
        base.variants.set(position, list.filter((v) => !proven.includes(v)));
        for (const v of proven) {
          base.tokens[position] = generaliseToken(base.tokens[position]!, v.tokens[position]!);
          this.absorb(base, v);
          base.text = renderTemplate(base.tokens);
        }
      }
    }
  }

  private detach(cluster: Cluster): void {
    const bucket = cluster.bucket;
    const at = bucket.indexOf(cluster);
    if (at >= 0) bucket.splice(at, 1);
    if (this.byId.delete(cluster.id)) this.liveBytes -= cluster.bytes;
  }

  /** Estimated bytes of the live templates. */
  get bytes(): number {
    return this.liveBytes;
  }
  private liveBytes = 0;

  private uniqueId(text: string): string {
    let id = templateIdFor(text);
    for (let n = 1; this.byId.has(id) || this.aliases.has(id); n++) id = templateIdFor(`${text}#${n}`);
    return id;
  }

  private create(tokens: readonly string[], bucket: Cluster[], tick: number): Cluster {
    const text = renderTemplate(tokens);
    const cluster: Cluster = {
      id: this.uniqueId(text),
      tokens: [...tokens],
      text,
      count: 1,
      createdTick: tick,
      lastSeenTick: tick,
      variantOf: null,
      variantPosition: -1,
      variants: null,
      mergedInto: null,
      evicted: false,
      bucket,
      bytes: clusterBytes(tokens, text),
    };
    bucket.push(cluster);
    this.byId.set(cluster.id, cluster);
    this.liveBytes += cluster.bytes;
    if (this.byId.size > this.settings.maxClusters || this.liveBytes > this.settings.maxClusterBytes) this.evictLeastRecentlyUsed(cluster);
    return cluster;
  }

  /**
   * Evict the least recently seen clusters: the oldest 1% (at least one) in one pass, so that a
   * stream of new templates at capacity costs one scan per 1% of capacity, not one per line.
   */
  private evictLeastRecentlyUsed(keep: Cluster): void {
    const candidates = [...this.byId.values()].filter((c) => c !== keep);
    if (candidates.length === 0) return;
    const count = Math.max(1, Math.floor(this.settings.maxClusters * EVICTED_SHARE));
    const bytesGoal = this.settings.maxClusterBytes * (1 - EVICTED_SHARE);
    candidates.sort((a, b) => a.lastSeenTick - b.lastSeenTick);
    let evicted = 0;
    for (const oldest of candidates) {
      if (evicted >= count && this.liveBytes <= bytesGoal) break;
      this.evict(oldest);
      evicted++;
    }
  }

  private evict(oldest: Cluster): void {
    this.detach(oldest);
    oldest.evicted = true;
    if (oldest.variants !== null) {
      for (const list of oldest.variants.values()) for (const v of list) v.variantOf = null;
    }
    const base = oldest.variantOf;
    if (base !== null && base.variants !== null) {
      const list = base.variants.get(oldest.variantPosition);
      if (list !== undefined) base.variants.set(oldest.variantPosition, list.filter((v) => v !== oldest));
    }
  }

  /** Put back a cluster from saved state (no eviction, no id recomputation). */
  restore(cluster: Omit<Cluster, 'bucket' | 'variantOf' | 'variants' | 'mergedInto' | 'evicted' | 'text' | 'bytes'>): Cluster {
    const key = this.bucketKey(cluster.tokens);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    const text = renderTemplate(cluster.tokens);
    const live: Cluster = { ...cluster, text, variantOf: null, variants: null, mergedInto: null, evicted: false, bucket, bytes: clusterBytes(cluster.tokens, text) };
    bucket.push(live);
    this.byId.set(live.id, live);
    this.liveBytes += live.bytes;
    return live;
  }

  /** Re-link a restored variant to its base. */
  linkVariant(variant: Cluster, base: Cluster, position: number): void {
    variant.variantOf = base;
    variant.variantPosition = position;
    base.variants ??= new Map();
    const list = base.variants.get(position) ?? [];
    list.push(variant);
    base.variants.set(position, list);
  }
}
