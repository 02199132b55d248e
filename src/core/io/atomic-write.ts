/**
 * @file Atomic file writes: write to a temp file beside the target, fsync, rename. A crash or a
 * kill never leaves a half-written model or state file where the old one was.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot write ${path} (${code ?? (err as Error).message})`, 'check that the folder exists and is writable');
  }
}
