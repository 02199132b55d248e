import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { startPostgres, type TestDatabase } from '../support/postgres.js';
import { registerDb } from '../../src/commands/db.js';
import { registerRegister } from '../../src/commands/register.js';
import { registerModels } from '../../src/commands/models.js';
import { registerBackfill, parseSince } from '../../src/commands/backfill.js';
import { summaryLine } from '../../src/core/db/run.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db?.stop();
});

function program(): Command {
  const p = new Command('logml').exitOverride();
  p.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerDb(p);
  registerRegister(p);
  registerModels(p);
  registerBackfill(p);
  return p;
}

async function run(...argv: string[]): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  try {
    await program().parseAsync(['node', 'logml', ...argv]);
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

describe('db commands, argv to database', () => {
  it('db migrate twice', async () => {
    expect(await run('db', 'migrate', '--db', db.url)).toMatch(/migrated to version \d+ \(applied 1(, \d+)*\)/);
    expect(await run('db', 'migrate', '--db', db.url)).toMatch(/already at version/);
  });

  it('register, models list/show/promote; refuses different bytes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'logml-reg-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const f1 = path.join(dir, 'a.onnx');
    const f2 = path.join(dir, 'b.onnx');
    writeFileSync(f1, Buffer.from('not really onnx 1'));
    writeFileSync(f2, Buffer.from('not really onnx 2'));
    expect(await run('register', f1, '--name', 'm', '--version', '1', '--alias', 'staging', '--db', db.url)).toMatch(/^registered m@1 sha256 [0-9a-f]{64}, alias staging/);
    expect(await run('register', f1, '--name', 'm', '--version', '1', '--db', db.url)).toMatch(/already registered \(same bytes\)/);
    await expect(run('register', f2, '--name', 'm', '--version', '1', '--db', db.url)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/different bytes/) });
    await expect(run('register', f2, '--db', db.url)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/not a valid ONNX|not a logml model/) });
    expect(await run('register', f2, '--name', 'm', '--version', '2', '--db', db.url)).toMatch(/registered m@2/);
    expect(await run('models', 'promote', 'm@2', '--alias', 'staging', '--db', db.url)).toBe('m@staging -> 2 (was 1)\n');
    const list = (await run('models', 'list', '--format', 'ndjson', '--db', db.url)).trim().split('\n').map((l) => JSON.parse(l));
    expect(list.map((m: { version: string; aliases: string[] }) => [m.version, m.aliases])).toEqual([['2', ['staging']], ['1', []]]);
    expect(await run('models', 'list', '--format', 'table', '--db', db.url)).toMatch(/m@2.*staging/);
    expect(await run('models', 'show', 'm@staging', '--format', 'table', '--db', db.url)).toMatch(/^m@2\n {2}sha256/);
  });

  it('usage errors: bad choices and numbers are rejected by commander', async () => {
    await expect(run('backfill', '--workers', '0', '--db', db.url)).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    await expect(run('backfill', '--write', 'xml', '--db', db.url)).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    await expect(run('backfill', '--since', 'last tuesday', '--db', db.url)).rejects.toMatchObject({ code: 'commander.invalidArgument' });
  });

  it('a wrong password: a clear error, exit 1, the password nowhere', async () => {
    const url = new URL(db.url);
    url.password = 'S3cret-Never-Shown';
    const err = await run('models', 'list', '--db', url.toString()).catch((e: unknown) => e as Error & { exitCode: number; hint?: string });
    expect(err).toMatchObject({ exitCode: 1 });
    expect(`${(err as Error).message} ${(err as { hint?: string }).hint}`).not.toMatch(/S3cret-Never-Shown|S3cret/);
    expect((err as Error).message).toMatch(/password authentication failed|connecting to PostgreSQL/);
  });
});

describe('backfill: errors name the problem and where the settings came from', () => {
  it('--text-column that does not exist: exit 2 with a hint naming the options', async () => {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`CREATE TABLE IF NOT EXISTS logs (id bigint PRIMARY KEY, message text NOT NULL, level text, created_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`INSERT INTO logs (id, message) VALUES (1, 'hello') ON CONFLICT DO NOTHING`);
    await client.end();
    const err = (await run('backfill', '--db', db.url, '--text-column', 'nope').catch((e: unknown) => e)) as Error & { exitCode: number; hint?: string };
    expect(err).toMatchObject({ exitCode: 2 });
    expect(err.message).toMatch(/column .*nope.* does not exist/);
    expect(err.hint).toMatch(/--text-column/);
  });
  it('a URL from DATABASE_URL is named as such', async () => {
    vi.stubEnv('DATABASE_URL', 'postgres://logml@127.0.0.1:1/none');
    try {
      const err = (await run('backfill').catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/settings from DATABASE_URL/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('parseSince / summaryLine', () => {
  it('durations are before now; ISO passes through', () => {
    expect(parseSince('2h', Date.parse('2024-05-01T12:00:00Z'))).toBe('2024-05-01T10:00:00.000Z');
    expect(parseSince('2024-05-01T00:00:00Z')).toBe('2024-05-01T00:00:00Z');
  });
  it('one line for cron', () => {
    expect(summaryLine({ scored: 12345, skipped: 10, total: 12355, chunks: 7, retries: 0, durationMs: 2500, rate: 4938, models: ['level@1', 'anomaly@1'] })).toBe(
      'backfill level@1 + anomaly@1: scored 12,345, skipped 10 (already scored), 4,938 logs/s, 2.5s',
    );
  });
});
