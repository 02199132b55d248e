/**
 * @file Augmentation: deterministic, jargon lines are INFO and free of trouble words, statements
 * keep their level inside their jargon, and the rows spread over the asked number of groups.
 */
import { describe, expect, it } from 'vitest';
import { LEXICON } from '../features/lexicon.js';
import { tokenize } from '../features/tokenize.js';
import { augmentRows, jargonLine, withoutTroubleWords } from './augment.js';
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
  it('re-uses trouble statements without their trouble words as INFO (topicOnly)', () => {
    const rows = augmentRows([...statements, { message: 'Could not deploy release 42 to cluster', level: 'WARN', group: 'd' }], { seed: 1, neutral: 0, context: 0, groups: 3, topicOnly: 30 });
    const topic = rows.filter((r) => r.group!.startsWith('synthetic-topic'));
    expect(topic).toHaveLength(30);
    expect(topic.every((r) => r.level === 'INFO')).toBe(true);
    expect(new Set(topic.map((r) => r.message))).toEqual(new Set(['deploy release 42 to cluster']));
    expect(topic.every((r) => r.source === 'd')).toBe(true); // the project's words: its source for groupShrink
    // without the option, the rows are what they were
    expect(augmentRows(statements, { seed: 1, neutral: 20, context: 20, groups: 3 })).toEqual(augmentRows(statements, { seed: 1, neutral: 20, context: 20, groups: 3, topicOnly: 0 }));
  });
  it('finds the trouble words: lexicon words, negations, error-like identifiers', () => {
    expect(withoutTroubleWords('Failed to clone repository shop.git: connection refused')).toBe('to clone repository shop.git: connection');
    expect(withoutTroubleWords("Can't open /var/lib/app.db while migrating")).toBe('open /var/lib/app.db migrating');
    expect(withoutTroubleWords('SocketTimeoutError raised by upstream')).toBe('raised by upstream');
    expect(withoutTroubleWords('Server started on port 8080')).toBeNull(); // nothing to take away
    expect(withoutTroubleWords('Connection refused')).toBeNull(); // too little left
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
