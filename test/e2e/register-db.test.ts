/**
 * @file End-to-end `logml register` with the built binary against a real PostgreSQL: the
 * command's own --version / --model-version (not the program's -V/--version), and a refused
 * re-register whose hint can be followed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/core/model/bundle.js';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { startPostgres, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
const LEVEL = join(ROOT, 'models', 'level.onnx');
const own = readBundle(readFileSync(LEVEL), LEVEL).meta;

beforeAll(async () => {
  db = await startPostgres();
  expect((await runCli(['db', 'migrate', '--db', db.url])).code).toBe(0);
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

describe('logml register (built binary)', () => {
  it('register MODEL --version V registers (the program version is -V before the command)', async () => {
    const r = await runCli(['register', LEVEL, '--version', own.version, '--db', db.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^registered ${own.name}@${own.version} sha256 [0-9a-f]{64}\\n$`));
    const again = await runCli(['register', LEVEL, '--model-version', own.version, '--db', db.url, '--debug']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already registered \(same bytes\)/);
    const v = await runCli(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a version other than the model\'s own is refused with a hint that can be followed', async () => {
    const r = await runCli(['register', LEVEL, '--model-version', '9.9.9', '--db', db.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`logml: --model-version 9.9.9 differs from the model's own version ${own.version}`);
    expect(r.stderr).toContain('hint: predictions are stored under the model\'s own name@version: leave --model-version out, or retrain with "logml train ... --model-version 9.9.9"');
  });
});
