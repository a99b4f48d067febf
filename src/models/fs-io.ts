/**
 * Saves and loads tfjs LayersModels as plain files (model.json + weights.bin) with only @tensorflow/tfjs:
 * the `file://` handler lives in tfjs-node, which may not be installed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tf } from './backend';
import type * as tfType from '@tensorflow/tfjs';

export async function saveModelFiles(tf: Tf, model: tfType.LayersModel, dir: string, includeOptimizer = false): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await fs.mkdir(tmp, { recursive: true });
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
      await fs.writeFile(path.join(tmp, 'weights.bin'), weights);
      await fs.writeFile(path.join(tmp, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
    { includeOptimizer },
  );
  // Replace atomically so a crash mid-save keeps the previous checkpoint intact.
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(tmp, dir);
}

export async function loadModelFiles(tf: Tf, dir: string): Promise<tfType.LayersModel> {
  const modelJson = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
  const weights = await fs.readFile(path.join(dir, 'weights.bin'));
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      trainingConfig: modelJson.trainingConfig,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData,
    }),
  );
}
