/**
 * @file Shared loader for benchmarks and the default-model script: the LogHub 2k samples shipped
 * in fixtures/loghub-2k (copied from ../shared/datasets/loghub with LogHub's LICENSE/CITATION).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCsvDataset } from '../src/core/train/dataset.js';
import type { LabeledMessage } from '../src/core/train/trainers.js';

export const LOGHUB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'loghub-2k');
export const SYSTEMS = ['Android', 'Apache', 'BGL', 'HDFS', 'HPC', 'Hadoop', 'HealthApp', 'Linux', 'OpenSSH', 'OpenStack', 'Spark', 'Windows'] as const;
/** Systems whose lines carry a level (LogHub README). */
export const LEVEL_SYSTEMS = ['Android', 'Apache', 'BGL', 'HDFS', 'Hadoop', 'OpenStack', 'Spark', 'Windows'] as const;

export function loadSystem(system: string): LabeledMessage[] {
  const path = join(LOGHUB_DIR, `${system}_2k.log_structured.csv`);
  if (!existsSync(path)) throw new Error(`missing ${path}`);
  const hasLevel = (LEVEL_SYSTEMS as readonly string[]).includes(system);
  const ds = loadCsvDataset(path, { text: 'Content', ...(hasLevel ? { level: 'Level' } : {}), ...(system === 'BGL' ? { label: 'Label' } : {}) }, system);
  return ds.records.map((r) => ({ ...r, level: hasLevel ? r.level : null, anomaly: system === 'BGL' ? r.anomaly : null }));
}
