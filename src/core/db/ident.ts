/**
 * @file Identifier quoting for the user's table and column names. Every user-given name goes
 * through `quoteIdent` / `quoteTable`, so a name with quotes or semicolons is only ever a name,
 * never SQL. Values never go through here: they are query parameters.
 */
import { UsageError } from '../errors.js';

/**
 * Quote one identifier: wrap in double quotes, double any inner quote.
 * @example quoteIdent('we"ird; DROP TABLE x;--') // '"we""ird; DROP TABLE x;--"'
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new UsageError('empty table or column name', 'give a name, e.g. --table logs');
  if (name.includes('\0')) throw new UsageError('table or column name contains a NUL character');
  if (Buffer.byteLength(name, 'utf8') > 63) {
    throw new UsageError(`name "${name.slice(0, 20)}..." is longer than PostgreSQL's 63-byte limit`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Quote a table name, optionally schema-qualified: the first dot separates schema and table
 * (so a schema name cannot contain a dot; a table name after the schema can).
 * @example quoteTable('public.logs') // '"public"."logs"'
 * @example quoteTable('logs') // '"logs"'
 */
export function quoteTable(name: string): string {
  const dot = name.indexOf('.');
  if (dot > 0 && dot < name.length - 1) return `${quoteIdent(name.slice(0, dot))}.${quoteIdent(name.slice(dot + 1))}`;
  return quoteIdent(name);
}
