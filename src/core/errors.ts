/**
 * @file Typed errors. Core throws these; only src/cli.ts maps them to exit codes and prints them.
 * Every message names what was wrong; `hint` says what to do about it.
 */

export abstract class LogmlError extends Error {
  abstract readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends LogmlError {
  readonly exitCode = 2;
}

/** Bad input data (missing file, binary data, corrupt model...): exit 2. */
export class InputError extends LogmlError {
  readonly exitCode = 2;
}

/** Something failed that the input did not cause (database down, runtime error): exit 1. */
export class FailureError extends LogmlError {
  readonly exitCode = 1;
}

/** Standard output (or an output file) cannot be written: a full disk, an I/O error. Exit 1. */
export class OutputError extends FailureError {
  constructor(cause: NodeJS.ErrnoException) {
    const what: Record<string, string> = { ENOSPC: 'no space left on device', EIO: 'input/output error', EDQUOT: 'disk quota exceeded', EBADF: 'not open for writing', EFBIG: 'file too large' };
    const code = cause.code ?? 'error';
    super(`cannot write the output: ${what[code] ?? cause.message.split(',')[0]} (${code})`, 'free space on that device, or send the output elsewhere', { cause });
  }
}

/** A report gate was breached: exit 3. */
export class GateBreachedError extends LogmlError {
  readonly exitCode = 3;
}

/**
 * Stopped by SIGINT (exit 130) or SIGTERM (exit 143), as shells report a process killed by them;
 * thrown after what was read has been written.
 */
export class InterruptedError extends LogmlError {
  readonly exitCode: number;
  constructor(readonly signal: 'SIGINT' | 'SIGTERM', what = 'the records read before it were written') {
    super(`interrupted (${signal}); ${what}`);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

export const EXIT = { ok: 0, failure: 1, usage: 2, gate: 3, sigint: 130, sigterm: 143 } as const;

/**
 * A designed outcome that is not plain success, with its own exit code (README "Exit codes"):
 * `retrain` registered a candidate without promoting it (4), or skipped the run (5, 6). What was
 * decided is already on stdout; the message names it on stderr.
 */
export class OutcomeError extends LogmlError {
  readonly exitCode: number;
  constructor(exitCode: number, message: string, hint?: string) {
    super(message, hint);
    this.exitCode = exitCode;
  }
}
