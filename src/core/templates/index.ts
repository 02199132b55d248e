/**
 * @file Public surface of the template miner: only what commands need. Helpers (tokens,
 * clustering core, hashing) stay internal.
 */

export { TemplateMiner, DEFAULT_TEMPLATE_MINER_OPTIONS } from './template-miner.js';
export type { TemplateMinerOptions, AddResult, MatchResult, TemplateInfo } from './template-miner.js';
export { MemoryStateStore, FileStateStore, MINER_STATE_VERSION } from './state-store.js';
export type { MinerState, StateStore, TemplateRecord } from './state-store.js';
export { DEFAULT_MASKING_RULES, loadMaskingRules, parseMaskingRules, WILDCARD } from './masker.js';
export type { MaskingRule } from './masker.js';
export type { ChangeType } from './template-clusters.js';
export { templateParams } from './params.js';
