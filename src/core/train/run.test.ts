/** @file The shared training entry point: the default version follows the data and the options. */
import { describe, expect, it } from 'vitest';
import { versionOfRecords } from './run.js';

describe('versionOfRecords', () => {
  const rows = [
    { message: 'disk full', level: 'ERROR' as const, anomaly: true },
    { message: 'started', level: 'INFO' as const, anomaly: false },
  ];
  it('is the same for the same rows and options, whatever the key order', () => {
    const v = versionOfRecords(rows, { seed: 42, task: 'level' });
    expect(v).toMatch(/^1-[0-9a-f]{8}$/);
    expect(versionOfRecords([...rows], { task: 'level', seed: 42 })).toBe(v);
  });
  it('changes with a message, a label, the order, an option or the held-out part', () => {
    const v = versionOfRecords(rows, { seed: 42 });
    expect(versionOfRecords([{ ...rows[0]!, message: 'disk ful' }, rows[1]!], { seed: 42 })).not.toBe(v);
    expect(versionOfRecords([{ ...rows[0]!, level: 'WARN' }, rows[1]!], { seed: 42 })).not.toBe(v);
    expect(versionOfRecords([{ ...rows[0]!, anomaly: null }, rows[1]!], { seed: 42 })).not.toBe(v);
    expect(versionOfRecords([rows[1]!, rows[0]!], { seed: 42 })).not.toBe(v);
    expect(versionOfRecords(rows, { seed: 43 })).not.toBe(v);
    expect(versionOfRecords(rows.slice(0, 1), { seed: 42 }, rows.slice(1))).not.toBe(versionOfRecords(rows, { seed: 42 }));
  });
});
