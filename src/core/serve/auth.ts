/**
 * @file Who may call `logml serve`: which hosts count as this machine only (loopback), and the
 * bearer-token check, in constant time over the token's SHA-256 so neither its length nor its
 * bytes leak through timing. The token itself is never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** True when `host` binds this machine only: localhost, 127.0.0.0/8, ::1 (also ::ffff:127.x). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(h);
  return false;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** A checker for `Authorization: Bearer <token>` headers; null token: everything passes. */
export function bearerCheck(token: string | null): (authorization: string | undefined) => boolean {
  if (token === null) return () => true;
  const want = digest(token);
  return (authorization) => {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]!), want);
  };
}
