/**
 * @file How often each masked text has been seen in this run, in bounded memory: two
 * generations of maps (the current one, and the one before it), so an entry survives while it
 * keeps being seen, both lookups and forgetting are O(1), and at most 2 x `maxKeys` keys (each
 * cut to 256 characters) are ever held.
 */

const MAX_KEY_CHARS = 256;

export class NoveltyCounter {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();

  constructor(private readonly maxKeys: number) {}

  /** Count one more sighting of `key`; returns how many times it has been seen, this one included. */
  observe(key: string): number {
    // a copy, not a slice: V8 keeps a sliced string's whole parent alive
    const k = key.length > MAX_KEY_CHARS ? Buffer.from(key.slice(0, MAX_KEY_CHARS)).toString() : key;
    let n = this.current.get(k);
    if (n === undefined) {
      n = this.previous.get(k) ?? 0;
      if (this.current.size >= this.maxKeys) {
        this.previous = this.current;
        this.current = new Map();
      }
    }
    this.current.set(k, n + 1);
    return n + 1;
  }
}
