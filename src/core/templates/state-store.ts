/**
 * @file Persistence of the miner's state: the plain-JSON `MinerState` shape, the `StateStore`
 * interface (load / save) and two stores: in memory, and a JSON file written atomically
 * (temp file + rename). A PostgreSQL store (table ml_templates) implements the same interface
 * elsewhere. This module never decides anything about templates.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FailureError, InputError } from '../errors.js';

/** Version of the `MinerState` layout; bumped on any incompatible change. */
export const MINER_STATE_VERSION = 1;

/**
 * One template as persisted. Plain JSON: a database store can keep one row per template
 * (id as primary key, the rest as columns or jsonb).
 */
export interface TemplateRecord {
  /** Stable id: 16 hex chars, hash of the masked text the template was created with. */
  id: string;
  /** Current template text (tokens joined by one space), `<*>` marks parameters. */
  template: string;
  /** Template tokens; `tokens.join(' ')` is `template` except for a multi-line continuation. */
  tokens: string[];
  /** Lines learnt into this template (including templates merged into it). */
  count: number;
  /** Miner tick (count of `add` calls) when created and when last seen. */
  createdTick: number;
  lastSeenTick: number;
  /** Id of the template this one is a one-word variant of, and the differing position. */
  variantOf: string | null;
  variantPosition: number | null;
}

/**
 * Everything a miner needs to resume: plain JSON (no Map, no class), safe to `JSON.stringify`.
 * `aliases` maps ids of templates merged away to the id they were merged into.
 *
 * Example: `{"version":1,"tick":3,"templates":[{"id":"9f0c…","template":"user <*> logged in",
 * "tokens":["user","<*>","logged","in"],"count":3,"createdTick":1,"lastSeenTick":3,
 * "variantOf":null,"variantPosition":null}],"aliases":{},"parameterWords":[]}`
 */
export interface MinerState {
  version: typeof MINER_STATE_VERSION;
  tick: number;
  templates: TemplateRecord[];
  aliases: Record<string, string>;
  /** Words proven to be parameter values (they no longer separate templates). */
  parameterWords: string[];
}

/** Where a miner's state lives between runs. */
export interface StateStore {
  /** The saved state, or null when nothing was saved yet. */
  load(): Promise<MinerState | null>;
  save(state: MinerState): Promise<void>;
}

/** Check the shape of a parsed state; throws InputError naming the source when it is wrong. */
export function validateMinerState(value: unknown, source: string): MinerState {
  const state = value as Partial<MinerState> | null;
  if (state === null || typeof state !== 'object' || !Array.isArray(state.templates) || typeof state.aliases !== 'object' || !Array.isArray(state.parameterWords)) {
    throw new InputError(`${source} is not a template miner state`, 'pass a file written by logml, or a new path to start afresh');
  }
  if (state.version !== MINER_STATE_VERSION) {
    throw new InputError(
      `${source} has state version ${String(state.version)}; this logml reads version ${MINER_STATE_VERSION}`,
      'start with a new state file, or use the logml version that wrote it',
    );
  }
  return state as MinerState;
}

/**
 * Keeps the state in memory (a deep copy, so later changes to the miner do not leak in).
 *
 * @example
 * const store = new MemoryStateStore();
 * await miner.save(store);
 * const again = await TemplateMiner.load(store);
 */
export class MemoryStateStore implements StateStore {
  private saved: string | null = null;
  async load(): Promise<MinerState | null> {
    return this.saved === null ? null : (JSON.parse(this.saved) as MinerState);
  }
  async save(state: MinerState): Promise<void> {
    this.saved = JSON.stringify(state);
  }
}

/**
 * Keeps the state in a JSON file. `save` writes a temp file beside it and renames it over the
 * target, so a crash never leaves a half-written state. A missing file loads as null.
 *
 * @example
 * const store = new FileStateStore('/var/lib/logml/templates.json');
 * const miner = await TemplateMiner.load(store);
 * miner.add('user 42 logged in');
 * await miner.save(store);
 */
export class FileStateStore implements StateStore {
  constructor(readonly path: string) {}

  async load(): Promise<MinerState | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new InputError(`cannot read template state "${this.path}": ${(error as Error).message}`, 'check the --state path and its permissions', { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new InputError(`template state "${this.path}" is not valid JSON`, 'delete it to start afresh, or restore a backup', { cause: error });
    }
    return validateMinerState(parsed, `template state "${this.path}"`);
  }

  async save(state: MinerState): Promise<void> {
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(temp, JSON.stringify(state), 'utf8');
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw new FailureError(`cannot write template state "${this.path}": ${(error as Error).message}`, 'check that the directory is writable and the disk not full', { cause: error });
    }
  }
}
