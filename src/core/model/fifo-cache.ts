/**
 * @file A bounded first-in-first-out map: the entries of a Map whose oldest entry is deleted
 * when it is full (what the scorer's caches were), with the insertion order kept in a ring of
 * keys, so forgetting is O(1). `map.delete(map.keys().next().value)` walks the Map's iterator
 * over every deleted slot, which cost about 80x as much on varied input. Also bounded by weight
 * (`weigh`, e.g. characters of key and value): the oldest entries go while the total is over.
 */
export class FifoCache<K, V> {
  private readonly map = new Map<K, V>();
  private readonly ring: Array<K | undefined>;
  private head = 0;
  private weight = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxWeight = Infinity,
    private readonly weigh: (key: K, value: V) => number = () => 0,
  ) {
    this.ring = new Array<K | undefined>(Math.max(0, capacity));
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }

  /**
   * As on the plain Map it replaces: when full, the oldest entry goes first (even when `key` is
   * already held); a held key keeps its place. An entry heavier than maxWeight is not kept.
   */
  set(key: K, value: V): void {
    if (this.capacity === 0) return;
    if (this.map.size >= this.capacity) this.evictOldest();
    const held = this.map.get(key);
    if (held !== undefined) {
      this.weight += this.weigh(key, value) - this.weigh(key, held);
      this.map.set(key, value);
      return;
    }
    const w = this.weigh(key, value);
    if (w > this.maxWeight) return;
    while (this.weight + w > this.maxWeight && this.map.size > 0) this.evictOldest();
    this.ring[(this.head + this.map.size) % this.capacity] = key;
    this.map.set(key, value);
    this.weight += w;
  }

  private evictOldest(): void {
    const key = this.ring[this.head] as K;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.weight -= this.weigh(key, this.map.get(key)!);
    this.map.delete(key);
  }
}
