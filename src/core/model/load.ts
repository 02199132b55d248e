/**
 * @file Loading a model bundle from a file or from bytes (the registry): read, check metadata
 * (task, labels, feature spec and its hash), then open an onnxruntime session on it.
 */
import { readBundle, readModelFile, type ModelMetadata } from './bundle.js';

export { readModelFile } from './bundle.js';
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


export async function loadModel(source: ModelSource): Promise<LoadedModel> {
  const origin = 'path' in source ? source.path : source.origin;
  const bytes = 'path' in source ? readModelFile(source.path) : source.bytes;
  const bundle = readBundle(bytes, origin);
  const session = await createSession(bytes, bundle.outputName, origin);
  return { ref: `${bundle.meta.name}@${bundle.meta.version}`, meta: bundle.meta, sha256: bundle.sha256, bytes, session, origin };
}
