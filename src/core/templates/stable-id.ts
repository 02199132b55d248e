/**
 * @file Stable template ids: 16 hex chars of a 64-bit FNV-1a hash of the masked template text a
 * cluster was created with. Same first-seen text, same id, on any host and after any restart.
 * Pure; runs only when a cluster is created, never on the per-line path.
 */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/**
 * 64-bit FNV-1a over the UTF-8 bytes of `text`, as 16 lowercase hex chars.
 *
 * @example
 * templateIdFor('connection opened from <*>'); // always the same 16 hex chars
 */
export function templateIdFor(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}
