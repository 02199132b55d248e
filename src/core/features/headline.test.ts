import { describe, expect, it } from 'vitest';
import { headlineOf } from './headline.js';
import { maskMessage } from './mask.js';

describe('headlineOf', () => {
  it('is the text before the first clause break', () => {
    expect(headlineOf(maskMessage('Out of memory: Killed process 3121 (java) total-vm:8123456kB, anon-rss:6512344kB'))).toBe('Out of memory');
    expect(headlineOf('connection pool ready (size=<NUM>, max_overflow=<NUM>)')).toBe('connection pool ready');
    expect(headlineOf('Failed to renew lease for [DFSClient_NONMAPREDUCE_<NUM>_<NUM>] for <NUM> seconds')).toBe('Failed to renew lease for');
    expect(headlineOf('disk full - writes paused')).toBe('disk full');
    expect(headlineOf('Job done. Next run at <NUM>')).toBe('Job done');
  });
  it('is null without a break, for a one-word headline, and when the break ends the text', () => {
    expect(headlineOf('Server started on port <NUM>')).toBeNull();
    expect(headlineOf('verify: <NUM>/<NUM> archives checksum ok, <NUM> errors')).toBeNull();
    expect(headlineOf('Segmentation fault,')).toBeNull();
    expect(headlineOf('')).toBeNull();
    // a colon inside a word (host:port, a::b) is not a break, nor a bracket without a space before it
    expect(headlineOf('embedder::model loaded')).toBeNull();
    expect(headlineOf('<NUM> ddr error(s) detected and corrected')).toBeNull();
    expect(headlineOf('request{id=<NUM>} handled in <NUM> ms')).toBeNull();
    // a bracket holding only a value is part of the sentence, not a clause
    expect(headlineOf(maskMessage('Server startup in [4012] milliseconds'))).toBeNull();
    expect(headlineOf('worker (<NUM>) exited, restarting')).toBe('worker (<NUM>) exited');
    // one word, however many letters runs it holds
    expect(headlineOf('jk<NUM>_init() Found child <NUM> in scoreboard slot <NUM>')).toBeNull();
    expect(headlineOf('jk_init_failed, retrying')).toBeNull();
  });
  it('looks for the break in the first 512 characters only', () => {
    expect(headlineOf(`${'word '.repeat(200)}, tail`)).toBeNull();
    expect(headlineOf(`two words, ${'x'.repeat(100_000)}`)).toBe('two words');
  });
});
