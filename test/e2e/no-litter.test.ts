/**
 * @file A run leaves nothing behind in /tmp: onnxruntime's Linux build starts a telemetry client
 * with its first session, which writes /tmp/mat-debug-<pid>.log, unless ORT_DISABLE_TELEMETRY is
 * set (logml sets it; src/core/model/session.ts). Checked on the spawned binary's own pid.
 */
import { spawn } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/run-cli.js';

/** Environment variables by which onnxruntime's telemetry client recognises a CI machine (and stays off). */
const CI_MARKERS = ['CI', 'TF_BUILD', 'GITHUB_ACTIONS', 'GITLAB_CI', 'CIRCLECI', 'TRAVIS', 'JENKINS_URL', 'CODEBUILD_BUILD_ID', 'BUILDKITE', 'TEAMCITY_VERSION', 'SYSTEM_TEAMFOUNDATIONCOLLECTIONURI'];

/** Whether `file` was written at or after `since` (a leftover of an earlier process with the same pid is older). */
function writtenSince(file: string, since: number): boolean {
  try {
    return statSync(file).mtimeMs >= since - 1000;
  } catch {
    return false;
  }
}

function runAndPid(args: string[], env: NodeJS.ProcessEnv): Promise<{ pid: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => resolve({ pid: child.pid!, code }));
  });
}

describe.runIf(process.platform === 'linux')('runtime telemetry', () => {
  it('predict with the shipped models writes no /tmp/mat-debug-<pid>.log; the user can still opt in', async () => {
    const env = { ...process.env };
    delete env.ORT_DISABLE_TELEMETRY;
    // the runtime keeps its telemetry off by itself on CI machines: take those markers away, or
    // neither half of this test would say anything there
    for (const v of CI_MARKERS) delete env[v];
    const args = ['predict', join(ROOT, 'fixtures', 'loghub', 'HDFS_200.log'), '--format', 'ndjson'];
    const t0 = Date.now();
    const quiet = await runAndPid(args, env);
    expect(quiet.code).toBe(0);
    expect(writtenSince(`/tmp/mat-debug-${quiet.pid}.log`, t0)).toBe(false);
    // the control: with telemetry asked for, the runtime does write its file (so the check above can fail)
    const t1 = Date.now();
    const loud = await runAndPid(args, { ...env, ORT_DISABLE_TELEMETRY: '0' });
    const file = `/tmp/mat-debug-${loud.pid}.log`;
    const written = writtenSince(file, t1);
    rmSync(file, { force: true });
    expect(loud.code).toBe(0);
    expect(written).toBe(true);
  });
});
