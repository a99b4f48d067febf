/**
 * The input scaling a model was trained with, kept beside its weights as `preprocessing.json`: a model trained on
 * one window's standardised features can then be scored on another window's data (champion vs challenger).
 */
import path from 'node:path';
import { readMeta, type StoredArray } from '../../data/arrays';
import { DataRoot, readRegularFile } from '../../data/paths';

export const PREPROCESSING_FILE = 'preprocessing.json';

/** Per-feature standardisation (x - mean) / std, and the scale the targets were divided by. */
export interface InputScaling {
  mean: number[];
  std: number[];
  targetScale: number;
}

/** Copies the prepared data's `inputScaling` (when it has one) into the model folder. */
export async function keepInputScaling(root: DataRoot, preparedDir: string, modelDir: string): Promise<void> {
  const scaling = (await readMeta(preparedDir)).info.inputScaling;
  if (scaling) await root.writeFile(path.join(modelDir, PREPROCESSING_FILE), JSON.stringify(scaling));
}

export async function readInputScaling(modelDir: string): Promise<InputScaling> {
  return JSON.parse((await readRegularFile(path.join(modelDir, PREPROCESSING_FILE))).toString('utf8')) as InputScaling;
}

/** Features standardised with `from` (the last axis), re-standardised as a model trained with `to` expects them. */
export function rescaleFeatures(x: StoredArray, from: InputScaling, to: InputScaling): StoredArray {
  const width = x.shape[x.shape.length - 1];
  if (from.mean.length !== width || to.mean.length !== width) {
    throw new Error(`feature count differs: data has ${width}, scalings have ${from.mean.length} and ${to.mean.length}`);
  }
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    const j = i % width;
    data[i] = (x.data[i] * from.std[j] + from.mean[j] - to.mean[j]) / to.std[j];
  }
  return { shape: x.shape, data };
}
