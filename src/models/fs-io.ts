/**
 * Saves and loads tfjs LayersModels as plain files (model.json + weights.bin) with only @tensorflow/tfjs:
 * the `file://` handler lives in tfjs-node, which may not be installed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tf } from './backend';
import type * as tfType from '@tensorflow/tfjs';

/** Writes a file and flushes it to the disk, so a rename that follows never publishes a half-written file. */
export async function writeFileSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (new files, renames) to the disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes model.json and weights.bin into an existing folder, each flushed to the disk. */
export async function writeModelFiles(tf: Tf, model: tfType.LayersModel, dir: string, includeOptimizer = false): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData
        ? Buffer.concat((Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData]).map((b) => Buffer.from(b)))
        : Buffer.alloc(0);
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileSynced(path.join(dir, 'weights.bin'), weights);
      await writeFileSynced(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
    { includeOptimizer },
  );
}

/** Saves a model as `dir`, replacing what was there only once the new files are complete. */
export async function saveModelFiles(tf: Tf, model: tfType.LayersModel, dir: string, includeOptimizer = false): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const old = `${dir}.old-${process.pid}-${Date.now()}`;
  await fs.mkdir(tmp, { recursive: true });
  await writeModelFiles(tf, model, tmp, includeOptimizer);
  await fs.rename(dir, old).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await fs.rename(tmp, dir);
  await syncDir(path.dirname(dir));
  await fs.rm(old, { recursive: true, force: true });
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

export async function loadModelFiles(tf: Tf, dir: string): Promise<tfType.LayersModel> {
  const modelJson = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
  const weights = await fs.readFile(path.join(dir, 'weights.bin'));
  const weightSpecs: tfType.io.WeightsManifestEntry[] = modelJson.weightsManifest[0].weights;
  // A truncated weights file would otherwise load as garbage or fail deep inside tfjs.
  const expected = weightSpecs.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * (BYTES_PER_VALUE[w.dtype] ?? 4), 0);
  if (weights.byteLength !== expected) {
    throw new Error(`${path.join(dir, 'weights.bin')} has ${weights.byteLength} bytes; model.json describes ${expected}`);
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      trainingConfig: modelJson.trainingConfig,
      weightSpecs,
      weightData,
    }),
  );
}
