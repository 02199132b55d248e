import { describe, expect, it } from 'vitest';
import { bearerCheck, isLoopbackHost } from './auth.js';
import { checkAccess } from './index.js';

describe('serve access', () => {
  it('tells loopback hosts from the others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect([h, isLoopbackHost(h)]).toEqual([h, true]);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1']) expect([h, isLoopbackHost(h)]).toEqual([h, false]);
  });

  it('checks the bearer token exactly', () => {
    const ok = bearerCheck('s3cret-token-0123456789');
    expect(ok('Bearer s3cret-token-0123456789')).toBe(true);
    expect(ok('bearer s3cret-token-0123456789')).toBe(true);
    expect(ok('Bearer s3cret-token-012345678')).toBe(false);
    expect(ok('Basic s3cret-token-0123456789')).toBe(false);
    expect(ok(undefined)).toBe(false);
    expect(bearerCheck(null)(undefined)).toBe(true);
  });

  it('refuses a non-loopback host without a token, and short tokens', () => {
    expect(() => checkAccess('0.0.0.0', null)).toThrow(/reachable from other machines: a bearer token is required/);
    expect(() => checkAccess('127.0.0.1', 'short')).toThrow(/at least 16/);
    expect(() => checkAccess('0.0.0.0', 'a-long-enough-token-123')).not.toThrow();
    expect(() => checkAccess('127.0.0.1', null)).not.toThrow();
  });
});
