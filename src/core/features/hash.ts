/**
 * @file FNV-1a (32-bit) hashing of tokens and token pairs into a fixed number of buckets.
 * Bucket 0 is reserved for padding, so a feature index is always in [1, dims).
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units of `s`, continuing from `seed`. */
export function fnv1a32(s: string, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** Bucket of a 32-bit hash in [1, dims). */
export function bucketOf(hash: number, dims: number): number {
  return (hash % (dims - 1)) + 1;
}

/** Hash of the pair "a b" (same as fnv1a32('a b')), without building the string. */
export function pairHash(hashOfA: number, b: string): number {
  return fnv1a32(b, Math.imul((hashOfA ^ 32) >>> 0, FNV_PRIME) >>> 0);
}
