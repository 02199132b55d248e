import { describe, expect, it } from 'vitest';
import { outputWidth, TextTable } from './text-table.js';

const len = (s: string) => [...s].length;

describe('TextTable', () => {
  it('no line is longer than width - 1, at any width', () => {
    for (const width of [10, 40, 80, 81, 200]) {
      const t = new TextTable([{ head: 'line', width: 8, align: 'right', cut: 'start' }, { head: 'level', width: 5, optional: true }, { head: 'message' }], width);
      const out = t.text('models: a-very-long-model-name@1.2.3, another-model@4.5.6') + t.header() + t.row(['/var/log/app/very/long/path.log:123456', 'ERROR', 'x'.repeat(500)]);
      for (const line of out.split('\n').slice(0, -1)) expect(len(line)).toBeLessThanOrEqual(width - 1);
    }
  });

  it('keeps the end of a cut path, the start of a cut message, and drops optional columns when narrow', () => {
    const wide = new TextTable([{ head: 'line', width: 8, align: 'right', cut: 'start' }, { head: 'level', width: 5, optional: true }, { head: 'message' }], 80);
    expect(wide.row(['app.log:123456', 'WARN', 'disk full on /dev/sda1'])).toBe('…:123456  WARN   disk full on /dev/sda1\n');
    expect(wide.header().split('\n')[0]).toBe('    line  level  message');
    const narrow = new TextTable([{ head: 'line', width: 8, align: 'right', cut: 'start' }, { head: 'level', width: 5, optional: true }, { head: 'message' }], 40);
    expect(narrow.row(['7', 'WARN', 'a'.repeat(100)])).toBe(`       7  ${'a'.repeat(28)}…\n`);
  });

  it('the width is the terminal\'s, else $COLUMNS, else 120', () => {
    expect(outputWidth({ columns: 90 }, { COLUMNS: '50' })).toBe(90);
    expect(outputWidth({}, { COLUMNS: '50' })).toBe(50);
    expect(outputWidth({}, {})).toBe(120);
  });
});
