/**
 * @file Where the shipped default models live: models/ at the package root (the same relative
 * place from src/core/model under tsx and from dist/core/model when built).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));

/** The shipped level and anomaly models that exist, level first. */
export function defaultModelPaths(): string[] {
  return ['level.onnx', 'anomaly.onnx'].map((f) => MODELS_DIR + f).filter((p) => existsSync(p));
}
