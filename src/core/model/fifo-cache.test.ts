import { describe, expect, it } from 'vitest';
import { FifoCache } from './fifo-cache.js';

/** The Map-based cache FifoCache replaces (oldest deleted when full, before every set). */
function referenceSet(map: Map<string, number>, capacity: number, key: string, value: number): void {
  if (map.size >= capacity) map.delete(map.keys().next().value!);
  map.set(key, value);
}

describe('FifoCache', () => {
  it('holds exactly the entries of the Map-based cache it replaces, in any sequence of sets', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const capacity of [1, 2, 5, 64]) {
      const c = new FifoCache<string, number>(capacity);
      const ref = new Map<string, number>();
      for (let i = 0; i < 5000; i++) {
        const key = `k${Math.floor(rand() * capacity * 3)}`;
        c.set(key, i);
        referenceSet(ref, capacity, key, i);
        expect(c.size).toBe(ref.size);
      }
      for (const [k, v] of ref) expect(c.get(k)).toBe(v);
      for (let k = 0; k < capacity * 3; k++) expect(c.get(`k${k}`)).toBe(ref.get(`k${k}`));
    }
  });

  it('holds at most maxWeight of weighed entries, dropping the oldest first', () => {
    const c = new FifoCache<string, string>(1000, 100, (k, v) => k.length + v.length);
    for (let i = 0; i < 500; i++) c.set(`key${i}`, 'v'.repeat(i % 20));
    let held = 0;
    for (let i = 0; i < 500; i++) {
      const v = c.get(`key${i}`);
      if (v !== undefined) held += `key${i}`.length + v.length;
    }
    expect(held).toBeLessThanOrEqual(100);
    expect(c.get('key499')).toBe('v'.repeat(499 % 20));
    expect(c.get('key0')).toBeUndefined();
    c.set('huge', 'x'.repeat(200)); // heavier than the bound: not kept
    expect(c.get('huge')).toBeUndefined();
  });

  it('holds nothing with capacity 0', () => {
    const c = new FifoCache<string, number>(0);
    c.set('a', 1);
    expect(c.get('a')).toBeUndefined();
  });
});
