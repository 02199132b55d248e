import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fillPlaceholders, loadCorpus } from './corpus.js';
import { createRng } from './prng.js';

describe('fillPlaceholders', () => {
  it('fills printf, Python, brace and template-literal placeholders with values', () => {
    const out = fillPlaceholders('user %s failed %d times: %v; %(path)s {} {0} {name:?} ${err.message} %-5.2f %zu', createRng(1));
    expect(out).not.toMatch(/%[sdvf]|%\(|\{\}|\{0\}|\{name|\$\{|%zu/);
    expect(out).toMatch(/^user \S+ failed \d+ times: /);
  });
  it('chooses a value from the placeholder name', () => {
    expect(fillPlaceholders('open %(path)s', createRng(2))).toMatch(/^open (\/|C:|\.\/)/);
    expect(fillPlaceholders('listening on {port}', createRng(3))).toMatch(/^listening on \d+$/);
    expect(fillPlaceholders('request failed: {err}', createRng(4))).not.toContain('{');
  });
  it('is deterministic for a seed', () => {
    const msg = 'a %s b {} c %d';
    expect(fillPlaceholders(msg, createRng(9))).toBe(fillPlaceholders(msg, createRng(9)));
  });
  it('leaves text without placeholders alone', () => {
    expect(fillPlaceholders('Server started on port 8080', createRng(1))).toBe('Server started on port 8080');
  });
});

describe('loadCorpus', () => {
  it('reads the shipped corpus with levels, projects and no placeholders left in most rows', () => {
    const rows = loadCorpus(join(import.meta.dirname, '../../../fixtures/logstatements'));
    expect(rows.length).toBeGreaterThan(150_000);
    expect(new Set(rows.map((r) => r.group)).size).toBeGreaterThan(150);
    expect(new Set(rows.map((r) => r.level))).toEqual(new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']));
    const left = rows.filter((r) => /%[sdv]\b|\{\}/.test(r.message)).length;
    expect(left / rows.length).toBeLessThan(0.001);
  }, 60_000);
});
