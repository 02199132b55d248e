/**
 * @file The only module that imports onnxruntime-node. Creates sessions from bundle bytes,
 * checks feeds against the session's input names before running, and rethrows runtime failures
 * with the input names, dims and dtypes. `release()` frees the native session.
 */
import * as ort from 'onnxruntime-node';
import { FailureError, InputError } from '../errors.js';
import type { PackedBatch } from '../features/featurize.js';

export interface ModelSession {
  /** Run one packed batch; returns the output tensor's data, row-major. */
  run(batch: PackedBatch): Promise<Float32Array>;
  release(): Promise<void>;
}

// runtime warnings (e.g. about graph optimisations) are not the user's business
ort.env.logLevel = 'error';

/**
 * onnxruntime's Linux build starts Microsoft's telemetry client with the first session of a
 * process, and that client leaves an empty /tmp/mat-debug-<pid>.log behind each time: hundreds a day
 * from a cron job. logml turns it off unless the user set ORT_DISABLE_TELEMETRY. It is read
 * from the process environment when the session is made, so it is set here, before any session.
 * Worker threads get a copy of process.env, not the real one, so the CLI's entry sets it too
 * (src/cli.ts).
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export async function createSession(bytes: Uint8Array, outputName: string, origin: string, threads = 1): Promise<ModelSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      logSeverityLevel: 3,
    });
  } catch (err) {
    throw new InputError(`model ${origin} could not be loaded by onnxruntime: ${firstLine(err)}`, 'the file may be truncated or corrupt; retrain or re-download it');
  }
  for (const name of ['indices', 'values']) {
    if (!session.inputNames.includes(name)) {
      throw new InputError(`model ${origin} has inputs [${session.inputNames.join(', ')}], expected indices and values`, 'use a model written by `logml train`');
    }
  }
  if (!session.outputNames.includes(outputName)) {
    throw new InputError(`model ${origin} has outputs [${session.outputNames.join(', ')}], expected ${outputName}`, 'use a model written by `logml train`');
  }
  return {
    async run(batch: PackedBatch): Promise<Float32Array> {
      const feeds = {
        indices: new ort.Tensor('int32', batch.indices, [batch.rows, batch.width]),
        values: new ort.Tensor('float32', batch.values, [batch.rows, batch.width]),
      };
      try {
        const out = await session.run(feeds, [outputName]);
        return out[outputName]!.data as Float32Array;
      } catch (err) {
        throw new FailureError(
          `model ${origin} failed on a batch (indices int32 [${batch.rows}, ${batch.width}], values float32 [${batch.rows}, ${batch.width}]): ${firstLine(err)}`,
          'run again with --debug and report it',
          { cause: err },
        );
      }
    },
    async release() {
      await session.release();
    },
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
