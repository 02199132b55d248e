import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { useMigratedDatabase } from './helpers.js';
import { archiveModel, listModels, promoteModel, recordMetrics, registerModel, resolveModelRef, sha256Hex, showModel } from '../../src/core/db/registry.js';

let pool: pg.Pool;
useMigratedDatabase({}, (_db, p) => {
  pool = p;
});

const v1 = new Uint8Array([8, 1, 2, 3, 4, 5, 6, 7]);
const v2 = new Uint8Array([8, 9, 9, 9]);

describe('registry', () => {
  it('round trip: register, resolve by version and alias, bytes and sha256 intact', async () => {
    const r = await registerModel(pool, { name: 'level', version: '1.0.0', bytes: v1, metadata: { task: 'level' }, aliases: ['production'] });
    expect(r).toMatchObject({ created: true, sha256: sha256Hex(v1), aliases: ['production'] });
    for (const ref of ['level@1.0.0', 'level@production']) {
      const m = await resolveModelRef(pool, ref);
      expect(m).toMatchObject({ name: 'level', version: '1.0.0', sha256: sha256Hex(v1) });
      expect([...m.bytes]).toEqual([...v1]);
    }
  });

  it('same bytes again: a no-op; different bytes under the same version: refused', async () => {
    expect((await registerModel(pool, { name: 'level', version: '1.0.0', bytes: v1 })).created).toBe(false);
    const refused = (await registerModel(pool, { name: 'level', version: '1.0.0', bytes: v2 }).then(() => ({ message: 'registered', hint: '' }), (e: unknown) => e)) as { message: string; hint: string };
    expect(refused.message).toMatch(/already registered with different bytes/);
    // the version is stored in the model file: register cannot give it another one, train can
    expect(refused.hint).toContain('logml train ... --name level --model-version <new version>');
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM ml_models');
    expect(rows[0].n).toBe(1);
  });

  it('promote moves an alias; list and show report it with metrics', async () => {
    await registerModel(pool, { name: 'level', version: '1.1.0', bytes: v2 });
    const p = await promoteModel(pool, 'level@1.1.0', 'production');
    expect(p).toEqual({ name: 'level', alias: 'production', version: '1.1.0', previous: '1.0.0' });
    expect((await resolveModelRef(pool, 'level@production')).version).toBe('1.1.0');
    await recordMetrics(pool, { modelName: 'level', modelVersion: '1.1.0', accuracy: 0.9234, f1: 0.88, sampleSize: 500, predictionsCount: 500, details: { source: 'x.csv' } });
    const list = await listModels(pool);
    expect(list.map((m) => `${m.name}@${m.version}:${m.aliases.join(',')}`)).toEqual(['level@1.1.0:production', 'level@1.0.0:']);
    const shown = await showModel(pool, 'level@production');
    expect(shown.metrics[0]).toMatchObject({ accuracy: 0.923, f1: 0.88, sampleSize: 500 });
    await expect(promoteModel(pool, 'level@9.9.9', 'production')).rejects.toThrow(/no model level@9.9.9.*/);
  });

  it('archive hides a version from the list and from promotion, keeps it loadable; refused while an alias points at it; restore undoes it', async () => {
    // level@production is 1.1.0 (promoted above): it cannot be archived
    const held = (await archiveModel(pool, 'level@1.1.0').then(() => null, (e: unknown) => e)) as { message: string; hint: string };
    expect(held.message).toBe('level@1.1.0 is what production points at: it cannot be archived');
    expect(held.hint).toBe('promote another version first: logml models promote level@<version> --alias production');
    expect(await archiveModel(pool, 'level@1.0.0')).toEqual({ name: 'level', version: '1.0.0', archived: true, changed: true });
    expect((await archiveModel(pool, 'level@1.0.0')).changed).toBe(false);
    expect((await listModels(pool)).map((m) => m.version)).toEqual(['1.1.0']);
    const all = await listModels(pool, { all: true });
    expect(all.map((m) => [m.version, m.archivedAt !== null])).toEqual([['1.1.0', false], ['1.0.0', true]]);
    expect(all[0]).toMatchObject({ task: null, latestMetrics: { accuracy: 0.923, f1: 0.88, sampleSize: 500 } });
    await expect(promoteModel(pool, 'level@1.0.0', 'staging')).rejects.toThrow(/level@1.0.0 is archived/);
    expect((await resolveModelRef(pool, 'level@1.0.0')).version).toBe('1.0.0');
    expect(await archiveModel(pool, 'level@1.0.0', { restore: true })).toMatchObject({ archived: false, changed: true });
    expect((await listModels(pool)).map((m) => m.version)).toEqual(['1.1.0', '1.0.0']);
  });

  it('tampered bytes in the table are refused on load', async () => {
    await pool.query(`UPDATE ml_models SET onnx = '\\x0800'::bytea WHERE name = 'level' AND version = '1.0.0'`);
    await expect(resolveModelRef(pool, 'level@1.0.0')).rejects.toThrow(/does not match its sha256/);
  });

  it('bad references are usage errors', async () => {
    await expect(resolveModelRef(pool, 'level')).rejects.toThrow(/invalid model reference/);
    await expect(resolveModelRef(pool, 'le vel@x')).rejects.toThrow(/invalid model name/);
    await expect(resolveModelRef(pool, 'nope@1')).rejects.toThrow(/no model nope@1/);
  });
});
