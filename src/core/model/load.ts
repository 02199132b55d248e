/**
 * @file Loading a model bundle from a file or from bytes (the registry): read, check metadata
 * (task, labels, feature spec and its hash), then open an onnxruntime session on it.
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { readBundle, type ModelMetadata } from './bundle.js';
import { createSession, type ModelSession } from './session.js';

export interface LoadedModel {
  /** `name@version` */
  ref: string;
  meta: ModelMetadata;
  sha256: string;
  bytes: Uint8Array;
  session: ModelSession;
  origin: string;
}

export type ModelSource = { path: string } | { bytes: Uint8Array; origin: string };

/** Read and check a bundle's bytes and metadata without starting a runtime session. */
export function readModelFile(path: string): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(`model file ${path} does not exist`, 'give a path to a .onnx written by `logml train`, or leave --model out to use the shipped models');
  }
  if (st.isDirectory()) throw new InputError(`model ${path} is a directory`, 'give the path of a .onnx file');
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(`model ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'check the file permissions');
  }
}

export async function loadModel(source: ModelSource): Promise<LoadedModel> {
  const origin = 'path' in source ? source.path : source.origin;
  const bytes = 'path' in source ? readModelFile(source.path) : source.bytes;
  const bundle = readBundle(bytes, origin);
  const session = await createSession(bytes, bundle.outputName, origin);
  return { ref: `${bundle.meta.name}@${bundle.meta.version}`, meta: bundle.meta, sha256: bundle.sha256, bytes, session, origin };
}
