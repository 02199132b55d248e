/**
 * @file `PgStateStore`: the template miner's state in PostgreSQL (`ml_templates`, one row per
 * template, and the one-row `ml_template_meta` for tick, aliases and parameter words), shared by
 * every process and host using the database. `save` never overwrites what another process saved:
 * it merges (counts add up as deltas, the more general text wins, aliases and parameter words are
 * unions), under a transaction-level advisory lock. See docs/db.md "Templates". Never prints.
 */
import type pg from 'pg';
import { MINER_STATE_VERSION, TemplateMiner, WILDCARD, type MinerState, type StateStore, type TemplateRecord } from '../templates/index.js';
import type { BackfillTemplates } from './backfill.js';
import { InputError } from '../errors.js';
import { createPool, dbFailure, ping, withTransaction } from './connection.js';
import { requireSchema } from './migrate.js';

/** Advisory lock key serialising saves ('logml' + 'tmpl' as two int4). */
const SAVE_LOCK: readonly [number, number] = [0x6c6f676d, 0x746d706c];

/** What this store last loaded or saved for one template: the base of the next delta. */
interface Base {
  count: number;
  template: string;
  lastSeenTick: number;
}

interface TemplateRow {
  template_id: string;
  template: string;
  tokens: string[];
  count: string;
  created_tick: string;
  last_seen_tick: string;
  variant_of: string | null;
  variant_position: number | null;
}

interface MetaRow {
  tick: string;
  aliases: Record<string, string>;
  parameter_words: string[];
}

/** Follow aliases to the final id; a cycle (two hosts merged both ways) counts as no alias. */
function resolveAlias(aliases: ReadonlyMap<string, string>, id: string): string {
  const seen = new Set<string>([id]);
  let current = id;
  for (let next = aliases.get(current); next !== undefined; next = aliases.get(current)) {
    if (seen.has(next)) return id;
    seen.add(next);
    current = next;
  }
  return current;
}

/** A row another program (or a bad restore) damaged is refused by name, not half-loaded. */
function checkRow(r: TemplateRow): void {
  const whole = (v: string) => /^-?\d+$/.test(v);
  if (!Array.isArray(r.tokens) || !r.tokens.every((t) => typeof t === 'string') || !whole(r.count) || !whole(r.created_tick) || !whole(r.last_seen_tick)) {
    throw new InputError(`ml_templates row ${r.template_id} is corrupt (its tokens must be a JSON array of strings)`, `delete that row (DELETE FROM ml_templates WHERE template_id = '${r.template_id.replace(/'/g, "''")}'); the miner relearns it`);
  }
}

const wildcardsOf = (tokens: readonly string[]) => tokens.reduce((n, t) => n + (t === WILDCARD ? 1 : 0), 0);

/**
 * Miner state in `ml_templates` / `ml_template_meta` (needs `logml db migrate`). One store per
 * miner: it remembers the counts it loaded so that `save` adds only what the miner learnt since.
 *
 * @example
 * const store = new PgStateStore(pool);
 * const miner = await TemplateMiner.load(store);
 * miner.add('user 42 logged in');
 * await miner.save(store); // merged with what other processes saved meanwhile
 */
export class PgStateStore implements StateStore {
  private base = new Map<string, Base>();

  constructor(private readonly pool: pg.Pool) {}

  /**
   * Every saved template, with templates that some process merged away folded into the template
   * they were merged into (counts added). Null when nothing was saved yet.
   */
  async load(): Promise<MinerState | null> {
    let templates: TemplateRow[];
    let meta: MetaRow | undefined;
    try {
      [templates, meta] = await withTransaction(this.pool, async (c) => {
        await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const t = await c.query<TemplateRow>(
          `SELECT template_id, template, tokens, count::text, created_tick::text, last_seen_tick::text, variant_of, variant_position
           FROM ml_templates ORDER BY template_id`,
        );
        const m = await c.query<MetaRow>('SELECT tick::text, aliases, parameter_words FROM ml_template_meta');
        return [t.rows, m.rows[0]] as const;
      });
    } catch (err) {
      throw dbFailure(err, 'loading the template state from ml_templates', 'run "logml db migrate" (same --db / DATABASE_URL) if the table does not exist');
    }
    this.base.clear();
    for (const r of templates) checkRow(r);
    if (templates.length === 0 && meta === undefined) return null;
    const aliasMap = new Map(Object.entries(meta?.aliases ?? {}));
    const live = new Set(templates.map((r) => r.template_id));
    const records = new Map<string, TemplateRecord>();
    const folded: TemplateRow[] = [];
    for (const r of templates) {
      const to = resolveAlias(aliasMap, r.template_id);
      if (to !== r.template_id && live.has(to)) {
        folded.push(r);
        continue;
      }
      records.set(r.template_id, {
        id: r.template_id,
        template: r.template,
        tokens: r.tokens,
        count: Number(r.count),
        createdTick: Number(r.created_tick),
        lastSeenTick: Number(r.last_seen_tick),
        variantOf: null,
        variantPosition: null,
      });
    }
    // a template merged away by some process: its count belongs to the one it was merged into
    for (const r of folded) {
      const target = records.get(resolveAlias(aliasMap, r.template_id));
      if (target === undefined) continue;
      target.count += Number(r.count);
      target.lastSeenTick = Math.max(target.lastSeenTick, Number(r.last_seen_tick));
    }
    // the same text under two ids (two hosts created it from different first lines, e.g. "key k3"
    // and "key k7", both generalised since): one template, the smallest id, the other an alias
    const byText = new Map<string, TemplateRecord>();
    for (const rec of [...records.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const key = JSON.stringify(rec.tokens);
      const kept = byText.get(key);
      if (kept === undefined) {
        byText.set(key, rec);
        continue;
      }
      kept.count += rec.count;
      kept.lastSeenTick = Math.max(kept.lastSeenTick, rec.lastSeenTick);
      kept.createdTick = Math.min(kept.createdTick, rec.createdTick);
      records.delete(rec.id);
      aliasMap.set(rec.id, kept.id);
    }
    // variant links only between two live templates
    for (const r of templates) {
      const rec = records.get(r.template_id);
      if (rec && r.variant_of !== null && r.variant_position !== null && records.has(r.variant_of) && r.variant_of !== r.template_id) {
        rec.variantOf = r.variant_of;
        rec.variantPosition = r.variant_position;
      }
    }
    // aliases whose source is still a live template (a cycle, or a target never saved) are dropped
    const aliases: Record<string, string> = {};
    for (const [from, to] of aliasMap) if (!records.has(from)) aliases[from] = to;
    for (const rec of records.values()) this.base.set(rec.id, { count: rec.count, template: rec.template, lastSeenTick: rec.lastSeenTick });
    return {
      version: MINER_STATE_VERSION,
      tick: [...records.values()].reduce((max, r) => Math.max(max, r.lastSeenTick), Number(meta?.tick ?? 0)),
      templates: [...records.values()],
      aliases,
      parameterWords: meta?.parameter_words ?? [],
    };
  }

  /**
   * Merge `state` into the database: counts grow by what the miner learnt since this store's last
   * load or save; a template's text becomes the more general of the two (more `<*>`); ticks keep
   * the extremes; aliases and parameter words are unions. Templates another process saved stay.
   */
  async save(state: MinerState): Promise<void> {
    const rows: unknown[] = [];
    for (const t of state.templates) {
      const base = this.base.get(t.id);
      const delta = t.count - (base?.count ?? 0);
      if (base && delta === 0 && base.template === t.template && base.lastSeenTick === t.lastSeenTick) continue;
      rows.push({
        id: t.id,
        template: t.template,
        tokens: t.tokens,
        wildcards: wildcardsOf(t.tokens),
        delta,
        created_tick: t.createdTick,
        last_seen_tick: t.lastSeenTick,
        variant_of: t.variantOf,
        variant_position: t.variantPosition,
      });
    }
    // merged away here since the last load/save: its count moved into the template it joined,
    // whose delta carries it, so it leaves the merged-away row (which load folds into the target)
    const liveIds = new Set(state.templates.map((t) => t.id));
    const mergedAway: Array<{ id: string; count: number }> = [];
    for (const [id, base] of this.base) if (!liveIds.has(id) && state.aliases[id] !== undefined) mergedAway.push({ id, count: base.count });
    try {
      await withTransaction(this.pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1, $2)', [...SAVE_LOCK]);
        if (rows.length > 0) {
          await c.query(
            `INSERT INTO ml_templates AS t (template_id, template, tokens, wildcards, count, created_tick, last_seen_tick, variant_of, variant_position)
             SELECT r.id, r.template, r.tokens, r.wildcards, GREATEST(r.delta, 0), r.created_tick, r.last_seen_tick, r.variant_of, r.variant_position
             FROM jsonb_to_recordset($1::jsonb) AS r(id text, template text, tokens jsonb, wildcards int, delta bigint, created_tick bigint, last_seen_tick bigint, variant_of text, variant_position int)
             ORDER BY r.id
             ON CONFLICT (template_id) DO UPDATE SET
               count = GREATEST(t.count + EXCLUDED.count, 0),
               template = CASE WHEN EXCLUDED.wildcards > t.wildcards THEN EXCLUDED.template ELSE t.template END,
               tokens = CASE WHEN EXCLUDED.wildcards > t.wildcards THEN EXCLUDED.tokens ELSE t.tokens END,
               variant_of = CASE WHEN EXCLUDED.wildcards > t.wildcards THEN EXCLUDED.variant_of ELSE COALESCE(t.variant_of, EXCLUDED.variant_of) END,
               variant_position = CASE WHEN EXCLUDED.wildcards > t.wildcards THEN EXCLUDED.variant_position ELSE COALESCE(t.variant_position, EXCLUDED.variant_position) END,
               wildcards = GREATEST(t.wildcards, EXCLUDED.wildcards),
               created_tick = LEAST(t.created_tick, EXCLUDED.created_tick),
               last_seen_tick = GREATEST(t.last_seen_tick, EXCLUDED.last_seen_tick),
               last_seen = CASE WHEN EXCLUDED.count > 0 THEN now() ELSE t.last_seen END,
               updated_at = now()`,
            [JSON.stringify(rows)],
          );
        }
        if (mergedAway.length > 0) {
          await c.query(
            `UPDATE ml_templates t SET count = GREATEST(t.count - m.count, 0), updated_at = now()
             FROM jsonb_to_recordset($1::jsonb) AS m(id text, count bigint) WHERE t.template_id = m.id`,
            [JSON.stringify(mergedAway)],
          );
        }
        await c.query(
          `INSERT INTO ml_template_meta AS m (id, tick, aliases, parameter_words) VALUES (true, $1, $2::jsonb, $3::jsonb)
           ON CONFLICT (id) DO UPDATE SET
             tick = GREATEST(m.tick, EXCLUDED.tick),
             aliases = m.aliases || EXCLUDED.aliases,
             parameter_words = COALESCE((SELECT jsonb_agg(DISTINCT w ORDER BY w) FROM jsonb_array_elements_text(m.parameter_words || EXCLUDED.parameter_words) AS w), '[]'::jsonb),
             updated_at = now()`,
          [state.tick, JSON.stringify(state.aliases), JSON.stringify(state.parameterWords)],
        );
      });
    } catch (err) {
      throw dbFailure(err, 'saving the template state to ml_templates', 'run "logml db migrate" (same --db / DATABASE_URL) if the table does not exist');
    }
    this.base.clear();
    for (const t of state.templates) this.base.set(t.id, { count: t.count, template: t.template, lastSeenTick: t.lastSeenTick });
  }
}

/**
 * A `PgStateStore` on its own small pool, for commands that otherwise use no database
 * (`templates --db`, `predict --template-db`): connects, checks the schema; `close` ends the pool.
 *
 * @example
 * const { store, close } = await openPgStateStore(process.env.DATABASE_URL);
 * try { await miner.save(store); } finally { await close(); }
 */
export async function openPgStateStore(db: string | undefined): Promise<{ store: PgStateStore; close: () => Promise<void> }> {
  const pool = createPool({ db, max: 2, applicationName: 'logml-templates' });
  try {
    await ping(pool, { db });
    await requireSchema(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return { store: new PgStateStore(pool), close: () => pool.end().catch(() => undefined) };
}

/**
 * The backfill's template miner (one per process): restored from ml_templates; `save` merges
 * what it learnt back. Ids are stable hashes, so concurrent processes give the same ids.
 *
 * @example
 * await backfill(pool, scorer, { table, templates: await backfillTemplates(pool) });
 */
export async function backfillTemplates(pool: pg.Pool): Promise<BackfillTemplates> {
  const store = new PgStateStore(pool);
  const miner = await TemplateMiner.load(store);
  return { ids: (messages) => messages.map((m) => miner.add(m).templateId), save: () => miner.save(store) };
}
