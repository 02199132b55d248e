/**
 * @file Augmentation: deterministic, jargon lines are INFO and free of trouble words, statements
 * keep their level inside their jargon, and the rows spread over the asked number of groups.
 */
import { describe, expect, it } from 'vitest';
import { LEXICON } from '../features/lexicon.js';
import { tokenize } from '../features/tokenize.js';
import { augmentRows, jargonLine } from './augment.js';
import { createRng } from './prng.js';
import type { LabeledMessage } from './trainers.js';

const statements: LabeledMessage[] = [
  { message: 'Connection refused', level: 'ERROR', group: 'a' },
  { message: 'Server started', level: 'INFO', group: 'b' },
  { message: 'no level here', level: null, group: 'c' },
];

describe('augmentRows', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const opts = { seed: 3, neutral: 50, context: 50, groups: 4 };
    expect(augmentRows(statements, opts)).toEqual(augmentRows(statements, opts));
    expect(augmentRows(statements, { ...opts, seed: 4 })).not.toEqual(augmentRows(statements, opts));
  });
  it('labels jargon lines INFO and keeps each statement level inside its jargon', () => {
    const rows = augmentRows(statements, { seed: 1, neutral: 200, context: 200, groups: 5 });
    const neutral = rows.filter((r) => r.group!.startsWith('synthetic-neutral'));
    const context = rows.filter((r) => r.group!.startsWith('synthetic-context'));
    expect(neutral).toHaveLength(200);
    expect(context).toHaveLength(200);
    expect(neutral.every((r) => r.level === 'INFO')).toBe(true);
    for (const r of context) {
      const from = statements.find((s) => s.level && r.message.includes(s.message))!;
      expect(from, r.message).toBeDefined();
      expect(r.level).toBe(from.level);
    }
    expect(new Set(rows.map((r) => r.group)).size).toBe(10);
  });
  it('makes jargon without severity words (what it teaches is "unknown is not trouble")', () => {
    const rng = createRng(9);
    for (let i = 0; i < 2000; i++) {
      const line = jargonLine(rng);
      expect(line.length).toBeGreaterThan(0);
      for (const t of tokenize(line)) expect(LEXICON.get(t), `${t} in ${line}`).toBeUndefined();
    }
  });
});
