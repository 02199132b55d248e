/**
 * @file The command line's own rough edges, with the built binary: commander's usage errors in
 * logml's `logml: ... / hint: ...` shape, `-m` and `--db [url]` alike in every command, help
 * defaults shown once and never as `[]`.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('usage errors from the option parser', () => {
  it.each([
    [['train'], /^logml: required option '-t, --task <task>' not specified$/, 'logml train'],
    [['predict', '--bogus'], /^logml: unknown option '--bogus'$/, 'logml predict'],
    [['models', 'show'], /^logml: missing required argument 'ref'$/, 'logml models show'],
    [['predict', '--batch-size', 'x'], /^logml: option '--batch-size <n>' argument 'x' is invalid\. --batch-size must be a whole number/, 'logml predict'],
    [['nonsense'], /^logml: unknown command 'nonsense'$/, 'logml'],
  ])('%j: one logml line and a hint naming the command\'s --help, exit 2', async (args, first, command) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(first);
    expect(lines[1]).toBe(`hint: run "${command} --help" for its options and examples`);
  });
});

describe('options alike across commands', () => {
  it('backfill takes -m like predict and report', async () => {
    // port 1: nothing listens, so the run fails at connecting, after -m was accepted
    const r = await runCli(['backfill', '-m', 'level-default@production', '--db', 'postgres://logml@127.0.0.1:1/none']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^logml: connecting to PostgreSQL \(settings from --db\) failed/);
  });

  it('--db takes an optional URL everywhere, and refuses a value that is not one', async () => {
    for (const c of [['db', 'migrate'], ['models', 'list'], ['backfill'], ['register', 'x.onnx']]) {
      const help = await runCli([...c, '--help']);
      expect(help.stdout).toMatch(/--db \[url\]/);
    }
    const r = await runCli(['models', 'show', '--db', 'level-default@production']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--db takes a connection URL (postgres://user@host/db), got "level-default@production"');
    // an empty value (--db "$UNSET") means the environment, as --db alone does
    for (const args of [['models', 'list', '--db', ''], ['models', 'list', '--db']]) {
      const env = await runCli(args, { env: { DATABASE_URL: 'postgres://logml@127.0.0.1:1/none' } });
      expect(env.code).toBe(1);
      expect(env.stderr).toMatch(/^logml: connecting to PostgreSQL \(settings from DATABASE_URL\) failed/);
    }
  });

  it('help shows no "(default: [])"', async () => {
    for (const c of [['register'], ['backfill'], ['predict'], ['report']]) {
      const help = await runCli([...c, '--help']);
      expect(help.stdout).not.toContain('(default: [])');
    }
  });
});
