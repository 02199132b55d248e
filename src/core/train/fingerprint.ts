/** @file A fingerprint of training data: sha256 over each record's message and label, in order. */
import { createHash } from 'node:crypto';

export function dataFingerprint(items: Iterable<{ message: string; label: string }>): string {
  const h = createHash('sha256');
  for (const it of items) h.update(it.message).update('\u0000').update(it.label).update('\n');
  return 'sha256:' + h.digest('hex');
}
