/**
 * @file A small severity lexicon: words that mean trouble (or its absence) in any system's logs.
 * Each token in the lexicon adds one extra feature for its category, shared by all systems, so a
 * model can learn "failure words" once and carry that to logs it never saw. Changing this list
 * changes the features: bump FeatureSpec.lexicon.
 */

export type LexiconCategory = 'fail' | 'warn' | 'ok';

const FAIL = [
  'error', 'errors', 'err', 'exception', 'exceptions', 'fail', 'fails', 'failed', 'failure', 'failures', 'failing',
  'fatal', 'panic', 'crash', 'crashed', 'abort', 'aborted', 'aborting', 'corrupt', 'corrupted', 'denied', 'refused',
  'invalid', 'illegal', 'unable', 'cannot', 'couldn', 'lost', 'killed', 'kill', 'severe', 'critical', 'unreachable',
  'timeout', 'broken', 'bad', 'rejected', 'unexpected', 'mismatch', 'violation', 'overflow', 'segfault', 'traceback',
  'throwable', 'emergency', 'terminated', 'died', 'dead', 'fault', 'faulty', 'interrupt', 'halt', 'halted', 'unhandled',
  'uncaught', 'forbidden', 'unauthorized', 'disconnected', 'severed', 'reset', 'oom', 'exhausted', 'deadlock',
];
const WARN = [
  'warn', 'warning', 'warnings', 'deprecated', 'retry', 'retrying', 'retries', 'slow', 'exceeded', 'exceeds', 'missing',
  'unknown', 'ignoring', 'ignored', 'skipping', 'skipped', 'fallback', 'degraded', 'delay', 'delayed', 'expired',
  'unrecognized', 'unsupported', 'not', 'no', 'without', 'mismatched', 'limit', 'throttled', 'again', 'still',
  'discarding', 'dropped', 'dropping', 'stale', 'obsolete', 'conflict', 'late', 'blocked', 'waiting', 'unavailable',
];
const OK = [
  'success', 'successful', 'successfully', 'succeeded', 'completed', 'complete', 'started', 'starting', 'ok', 'done',
  'ready', 'connected', 'registered', 'opened', 'finished', 'accepted', 'created', 'loaded', 'received', 'sent',
  'initialized', 'stored', 'added', 'updated', 'enabled', 'running', 'listening', 'saved', 'closed', 'stopped',
];

export const LEXICON: ReadonlyMap<string, LexiconCategory> = new Map<string, LexiconCategory>([
  ...OK.map((w) => [w, 'ok'] as [string, LexiconCategory]),
  ...WARN.map((w) => [w, 'warn'] as [string, LexiconCategory]),
  ...FAIL.map((w) => [w, 'fail'] as [string, LexiconCategory]),
]);
