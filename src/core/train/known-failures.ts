/**
 * @file Well-known failure messages of operating systems, language runtimes and common servers:
 * the strerror texts of POSIX errno values, fatal signals, runtime crashes and out-of-memory
 * kills, database / network failures every on-call engineer recognises, and the degradation
 * warnings that come before them (retries, throttling, lag, pressure, deprecation). The mined corpus
 * holds logging *calls*, whose text rarely includes the error string a runtime appends, so these
 * are taught separately: each phrase alone and inside a few neutral frames, at its level.
 * Changing this list changes what `npm run train:default` builds.
 */
import type { Level } from '../types.js';
import type { LabeledMessage } from './trainers.js';

/** [phrase, level] */
export const KNOWN_FAILURES: ReadonlyArray<readonly [string, Level]> = [
  // POSIX strerror texts (glibc wording)
  ['No space left on device', 'ERROR'],
  ['Connection refused', 'ERROR'],
  ['Connection timed out', 'ERROR'],
  ['Connection reset by peer', 'ERROR'],
  ['Broken pipe', 'ERROR'],
  ['Cannot allocate memory', 'ERROR'],
  ['Permission denied', 'ERROR'],
  ['Input/output error', 'ERROR'],
  ['Read-only file system', 'ERROR'],
  ['Too many open files', 'ERROR'],
  ['No route to host', 'ERROR'],
  ['Network is unreachable', 'ERROR'],
  ['Disk quota exceeded', 'ERROR'],
  ['Stale file handle', 'ERROR'],
  ['Device or resource busy', 'ERROR'],
  ['Operation not permitted', 'ERROR'],
  ['Resource temporarily unavailable', 'WARN'],
  ['Host is down', 'ERROR'],
  ['Address already in use', 'ERROR'],
  ['Transport endpoint is not connected', 'ERROR'],
  // fatal signals and crashes
  ['Segmentation fault', 'ERROR'],
  ['Segmentation fault (core dumped)', 'ERROR'],
  ['Bus error', 'ERROR'],
  ['Aborted (core dumped)', 'ERROR'],
  ['Illegal instruction', 'ERROR'],
  ['Floating point exception', 'ERROR'],
  ['terminated by signal SIGSEGV', 'ERROR'],
  ['terminated by signal SIGKILL', 'ERROR'],
  ['core dumped', 'ERROR'],
  ['stack smashing detected', 'FATAL'],
  ['double free or corruption', 'FATAL'],
  ['Kernel panic - not syncing', 'FATAL'],
  // memory
  ['Out of memory: Killed process', 'ERROR'],
  ['java.lang.OutOfMemoryError: Java heap space', 'ERROR'],
  ['java.lang.OutOfMemoryError: GC overhead limit exceeded', 'ERROR'],
  ['java.lang.StackOverflowError', 'ERROR'],
  ['MemoryError', 'ERROR'],
  ['RecursionError: maximum recursion depth exceeded', 'ERROR'],
  ['FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', 'FATAL'],
  ['OOMKilled', 'ERROR'],
  ['runtime: out of memory', 'FATAL'],
  // runtime errors
  ['panic: runtime error: index out of range', 'ERROR'],
  ['panic: runtime error: invalid memory address or nil pointer dereference', 'ERROR'],
  ['fatal error: all goroutines are asleep - deadlock!', 'FATAL'],
  ['java.lang.NullPointerException', 'ERROR'],
  ['Traceback (most recent call last)', 'ERROR'],
  ['Unhandled exception', 'ERROR'],
  ['UnhandledPromiseRejectionWarning', 'ERROR'],
  ['TypeError: Cannot read properties of undefined', 'ERROR'],
  ['thread panicked', 'ERROR'],
  // databases
  ['deadlock detected', 'ERROR'],
  ['could not serialize access due to concurrent update', 'ERROR'],
  ['too many connections', 'ERROR'],
  ['remaining connection slots are reserved', 'ERROR'],
  ['duplicate key value violates unique constraint', 'ERROR'],
  ['the database system is shutting down', 'WARN'],
  ['password authentication failed for user', 'ERROR'],
  ['Lock wait timeout exceeded; try restarting transaction', 'ERROR'],
  // network, TLS, DNS, containers
  ['certificate has expired', 'ERROR'],
  ['certificate verify failed', 'ERROR'],
  ['TLS handshake timeout', 'ERROR'],
  ['no such host', 'ERROR'],
  ['Name or service not known', 'ERROR'],
  ['context deadline exceeded', 'ERROR'],
  ['upstream timed out', 'ERROR'],
  ['502 Bad Gateway', 'ERROR'],
  ['503 Service Unavailable', 'ERROR'],
  ['CrashLoopBackOff', 'ERROR'],
  ['Back-off restarting failed container', 'ERROR'],
  ['ImagePullBackOff', 'ERROR'],
  ['Liveness probe failed', 'WARN'],
  ['Readiness probe failed', 'WARN'],
  ['disk pressure', 'WARN'],
  ['checksum mismatch', 'ERROR'],
  ['data corruption detected', 'FATAL'],
  // degradation: the warnings an operator acts on before they become errors
  ['retrying in 5s', 'WARN'],
  ['retry attempt 2 of 5', 'WARN'],
  ['will retry after backoff', 'WARN'],
  ['reconnecting after connection loss', 'WARN'],
  ['request took longer than expected', 'WARN'],
  ['slow response from upstream', 'WARN'],
  ['rate limit exceeded', 'WARN'],
  ['throttling requests', 'WARN'],
  ['429 Too Many Requests', 'WARN'],
  ['replication lag is growing', 'WARN'],
  ['queue is almost full', 'WARN'],
  ['buffer usage above 90%', 'WARN'],
  ['memory usage above 85% of the limit', 'WARN'],
  ['disk usage at 92%', 'WARN'],
  ['low disk space', 'WARN'],
  ['high CPU usage', 'WARN'],
  ['long GC pause', 'WARN'],
  ['is deprecated and will be removed in a future release', 'WARN'],
  ['certificate will expire soon', 'WARN'],
  ['falling back to the default', 'WARN'],
  ['using stale cached data', 'WARN'],
  ['running in degraded mode', 'WARN'],
  ['circuit breaker is open', 'WARN'],
  ['evicting entries under memory pressure', 'WARN'],
  ['moved to the dead letter queue', 'WARN'],
  ['clock skew detected', 'WARN'],
  ['missed heartbeat', 'WARN'],
  ['dropping messages', 'WARN'],
];

/** Neutral frames a phrase is taught in ({} = the phrase); none adds trouble words of its own. */
const FRAMES = ['{}', 'worker {id}: {}', 'request {id} to {host}: {}', 'write {path}: {}', 'job {id} ended: {}', '{host}: {}', 'open {path}: {}', 'dial tcp {host}:{port}: {}'];
const VALUES: Record<string, string[]> = {
  id: ['7', '42', '1093', '3f2a'],
  host: ['10.0.3.7', 'db-1.internal', 'api.example.com'],
  path: ['/var/lib/app/data.db', '/tmp/upload.tmp'],
  port: ['5432', '443', '8080'],
};

/** The phrases as training rows (group `known-failures`), deterministic. */
export function knownFailureRows(weight = 1): LabeledMessage[] {
  const rows: LabeledMessage[] = [];
  KNOWN_FAILURES.forEach(([phrase, level], i) => {
    FRAMES.forEach((frame, j) => {
      const text = frame.replace(/\{(\w+)\}/g, (_m, k: string) => VALUES[k]![(i + j) % VALUES[k]!.length]!).replace('{}', phrase);
      rows.push({ message: text, level, anomaly: null, group: 'known-failures', weight });
    });
  });
  return rows;
}
