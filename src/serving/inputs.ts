/**
 * Prediction inputs in each pipeline's own data formats, turned into model inputs exactly as prepare does:
 * MNIST IDX image files, CIFAR-10 binary batches, UCI household power files (→ hourly series → the same features).
 */
import path from 'node:path';
import type { StoredArray } from '../data/arrays';
import { readCifarBatch, CIFAR_CHANNELS, CIFAR_SIDE } from '../data/cifar';
import { DataError } from '../data/errors';
import { readIdx } from '../data/idx';
import { parsePowerText, powerFeatureTable, resampleHourly, type PowerReading } from '../data/power';
import { readRegularFile } from '../data/paths';
import { MNIST_SIDE, toNhwc } from '../data/images';
import type { PipelineName } from '../workflows/shared/types';
import { PredictError } from './errors';

/** Which row of which input a prediction belongs to, printed beside it. */
export type RowKey = Record<string, string | number>;

export interface ModelInput {
  x: StoredArray;
  rows: RowKey[];
  /** Power: column names of x, checked against the model's signature. */
  columns?: string[];
  /** Power: the known value at each row's target time (NaN where it lies past the input). */
  actual?: number[];
}

function concat(parts: ModelInput[], shape: number[]): ModelInput {
  const n = parts.reduce((a, p) => a + p.x.shape[0], 0);
  const data = new Float32Array(n * shape.reduce((a, b) => a * b, 1));
  let at = 0;
  for (const p of parts) {
    data.set(p.x.data, at);
    at += p.x.data.length;
  }
  return { x: { shape: [n, ...shape], data }, rows: parts.flatMap((p) => p.rows) };
}

const imageRows = (file: string, count: number): RowKey[] => Array.from({ length: count }, (_, index) => ({ file: path.basename(file), index }));

async function mnistImages(file: string): Promise<ModelInput> {
  const { dims, data } = await readIdx(file);
  if (dims.length !== 3 || dims[1] !== MNIST_SIDE || dims[2] !== MNIST_SIDE) {
    throw new DataError(`expected MNIST images [count, 28, 28], got [${dims.join(', ')}] (is it a labels file?)`, file, 'offset 3');
  }
  return { x: { shape: [dims[0], MNIST_SIDE, MNIST_SIDE, 1], data: toNhwc(data, dims[0], MNIST_SIDE, 1, false) }, rows: imageRows(file, dims[0]) };
}

async function cifarImages(file: string): Promise<ModelInput> {
  const batch = await readCifarBatch(file);
  const x = { shape: [batch.count, CIFAR_SIDE, CIFAR_SIDE, CIFAR_CHANNELS], data: toNhwc(batch.images, batch.count, CIFAR_SIDE, CIFAR_CHANNELS, true) };
  return { x, rows: imageRows(file, batch.count).map((r, i) => ({ ...r, label: batch.labels[i] })) };
}

/** Power features from the files, with the training run's bucket and horizon; rows up to the latest time are kept. */
async function powerRows(files: string[], params: { bucketMinutes: number; horizonSteps: number }): Promise<ModelInput> {
  const readings: PowerReading[] = [];
  for (const file of files) readings.push(...parsePowerText((await readRegularFile(file)).toString('utf8'), file).readings);
  if (readings.length === 0) throw new DataError('no readings in the power files', files.join(', '));
  readings.sort((a, b) => a.ts - b.ts);
  const bucketMs = params.bucketMinutes * 60_000;
  const table = powerFeatureTable(resampleHourly(readings, bucketMs), params.horizonSteps, bucketMs, { includeUnlabeled: true });
  if (table.rows.length === 0) throw new DataError(`not enough history in the power files for the model's lags (${table.names.join(', ')})`, files.join(', '));
  const horizonMs = params.horizonSteps * bucketMs;
  return {
    // Rounded to float32 like the prepared training data the model saw.
    x: { shape: [table.rows.length, table.names.length], data: Float32Array.from(table.rows.flat()) },
    columns: table.names,
    rows: table.times.map((t) => ({ features_at: new Date(t).toISOString(), target_time: new Date(t + horizonMs).toISOString() })),
    actual: table.targets,
  };
}

export async function readModelInput(pipeline: PipelineName, files: string[], trainingParams: Record<string, string>): Promise<ModelInput> {
  if (pipeline === 'mnist') return concat(await Promise.all(files.map(mnistImages)), [MNIST_SIDE, MNIST_SIDE, 1]);
  if (pipeline === 'cifar10') return concat(await Promise.all(files.map(cifarImages)), [CIFAR_SIDE, CIFAR_SIDE, CIFAR_CHANNELS]);
  if (pipeline === 'power') {
    return powerRows(files, { bucketMinutes: Number(trainingParams.bucketMinutes ?? 60), horizonSteps: Number(trainingParams.horizonSteps ?? 1) });
  }
  throw new PredictError(`predict does not read ${pipeline} inputs yet (mnist, cifar10 and power do)`);
}
