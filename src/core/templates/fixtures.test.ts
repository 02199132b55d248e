import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TemplateMiner } from './index.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/templates/', import.meta.url));

/** LogPAI grouping accuracy: share of lines whose predicted group equals their true group. */
function groupingAccuracy(predicted: string[], truth: string[]): number {
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  predicted.forEach((p, i) => groups.set(p, [...(groups.get(p) ?? []), i]));
  let correct = 0;
  for (const lines of groups.values()) {
    const t = truth[lines[0]!]!;
    if (lines.every((i) => truth[i] === t) && truthSize.get(t) === lines.length) correct += lines.length;
  }
  return correct / truth.length;
}

function lines(name: string): string[] {
  return readFileSync(FIXTURES + name, 'utf8').split('\n').slice(0, -1);
}

// Floors a little under what the default miner reaches on these 300-line LogHub excerpts.
const FLOORS: Record<string, number> = { hdfs: 0.97, openssh: 0.72, linux: 0.82, healthapp: 0.97, spark: 0.84 };

describe('grouping accuracy on LogHub excerpts (default options)', () => {
  for (const [system, floor] of Object.entries(FLOORS)) {
    it(`${system}: GA >= ${floor}`, () => {
      const messages = lines(`${system}.log`);
      const events = lines(`${system}.events`);
      expect(messages).toHaveLength(300);
      expect(events).toHaveLength(300);
      const miner = new TemplateMiner();
      const ids = messages.map((m) => miner.add(m).templateId).map((id) => miner.resolveId(id));
      expect(groupingAccuracy(ids, events)).toBeGreaterThanOrEqual(floor);
    });
  }
});
