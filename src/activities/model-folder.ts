/**
 * Completes a trained model's folder into an MLflow model (MLmodel, input example, environment files) at training time,
 * where the data, the model's shapes and the run are at hand; registration then uploads the folder as it is.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readArray } from '../data/arrays';
import type { DataRoot } from '../data/paths';
import { mlflowModelFiles, type InputExample, type ModelFlavor, type ModelSignature } from '../mlflow';

/** The run artifact folder the model is logged under (`runs:/<run>/model`). */
export const MODEL_ARTIFACT_PATH = 'model';
/** Rows (or images, sequences) in a model's input example. */
const EXAMPLE_ROWS = 3;

export async function writeMlflowModel(
  root: DataRoot,
  dir: string,
  spec: { runId: string; flavor: ModelFlavor; signature: ModelSignature; example: InputExample },
): Promise<void> {
  let modelSizeBytes = 0;
  for (const name of await fs.readdir(dir)) modelSizeBytes += (await fs.lstat(path.join(dir, name))).size;
  const files = mlflowModelFiles({
    ...spec,
    artifactPath: MODEL_ARTIFACT_PATH,
    // Stable per run so a retried training describes the same model.
    modelUuid: createHash('sha256').update(spec.runId).digest('hex').slice(0, 32),
    createdAt: new Date(),
    modelSizeBytes,
  });
  for (const [name, text] of Object.entries(files)) await root.writeFile(path.join(dir, name), text);
}

/** The first rows of a prepared array as nested arrays of its per-row shape (tensor input example). */
export async function tensorExample(preparedDir: string, array: string): Promise<InputExample> {
  const { shape, data } = await readArray(preparedDir, array);
  const rows = Math.min(EXAMPLE_ROWS, shape[0]);
  const nest = (offset: number, dims: number[]): unknown =>
    dims.length === 0 ? data[offset] : Array.from({ length: dims[0] }, (_, i) => nest(offset + i * dims.slice(1).reduce((a, b) => a * b, 1), dims.slice(1)));
  return { type: 'ndarray', data: nest(0, [rows, ...shape.slice(1)]) as unknown[] };
}

/** The first rows of a prepared feature matrix as a DataFrame example with the feature names as columns. */
export async function tableExample(preparedDir: string, array: string, columns: string[]): Promise<InputExample> {
  const { shape, data } = await readArray(preparedDir, array);
  const [nrow, ncol] = shape;
  const rows = Array.from({ length: Math.min(EXAMPLE_ROWS, nrow) }, (_, r) => Array.from(data.subarray(r * ncol, (r + 1) * ncol)));
  return { type: 'dataframe', columns, data: rows };
}
