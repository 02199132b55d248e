import { describe, expect, it } from 'vitest';
import { createPool, dbFailure, isConnectionError, redact, resolveConnection } from './connection.js';
import { quoteIdent, quoteTable } from './ident.js';

describe('resolveConnection', () => {
  it('prefers --db, then DATABASE_URL, then PG* variables', () => {
    const env = { DATABASE_URL: 'postgres://a@h/env' };
    expect(resolveConnection({ db: 'postgres://a@h/flag', env })).toEqual({ source: '--db', connectionString: 'postgres://a@h/flag' });
    expect(resolveConnection({ env })).toEqual({ source: 'DATABASE_URL', connectionString: 'postgres://a@h/env' });
    expect(resolveConnection({ env: { PGHOST: 'x' } })).toEqual({ source: 'PG* variables', connectionString: undefined });
  });
});

describe('redact', () => {
  it('removes URL passwords and password= pairs', () => {
    expect(redact('connect postgres://bob:hunter2@db:5432/x failed')).toBe('connect postgres://bob:***@db:5432/x failed');
    expect(redact('host=db password=s3cr3t user=bob')).toBe('host=db password=*** user=bob');
    expect(redact("password: 'a b c' end")).toBe('password: *** end');
  });
  it('removes every password the process connected with, raw or URL-encoded', async () => {
    const pool = createPool({ db: 'postgres://bob:p%40ss%2Fw0rd@127.0.0.1:1/x', env: { PGPASSWORD: 'pgpass-secret' } });
    await pool.end();
    expect(redact('echo p@ss/w0rd and p%40ss%2Fw0rd and pgpass-secret')).toBe('echo *** and *** and ***');
  });
  it('dbFailure messages are redacted and name the action', () => {
    createPool({ db: 'postgres://u:topsecret99@127.0.0.1:1/x' }).end().catch(() => {});
    const err = dbFailure(new Error('could not connect with topsecret99 to postgres://u:topsecret99@h/x'), 'connecting');
    expect(err.message).not.toContain('topsecret99');
    expect(err.message).toMatch(/^connecting failed: /);
    expect(err.exitCode).toBe(1);
  });
  it('a malformed URL is a usage error without the password', () => {
    let msg = '';
    try {
      createPool({ db: 'postgres://u:pw-very-secret@[bad/x' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/not a valid connection URL/);
    expect(msg).not.toContain('pw-very-secret');
  });
});

describe('isConnectionError', () => {
  it('knows admin shutdown, class 08 and socket errors', () => {
    expect(isConnectionError({ code: '57P01' })).toBe(true);
    expect(isConnectionError({ code: '08006' })).toBe(true);
    expect(isConnectionError({ code: 'ECONNRESET' })).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError({ code: '42P01' })).toBe(false);
  });
});

describe('quoteIdent / quoteTable', () => {
  it('quotes hostile names as names', () => {
    expect(quoteIdent('we"ird; DROP TABLE x;--')).toBe('"we""ird; DROP TABLE x;--"');
    expect(quoteTable('public.logs')).toBe('"public"."logs"');
    expect(quoteTable('logs')).toBe('"logs"');
    expect(quoteTable('s."x')).toBe('"s"."""x"');
    expect(() => quoteIdent('')).toThrow(/empty/);
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
  });
});
