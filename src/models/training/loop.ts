/**
 * The training loop: one seeded permutation per epoch, model.trainOnBatch per batch, validation at the end of
 * each epoch. Unlike model.fit it can checkpoint and stop between any two batches and resume at the batch where
 * it stopped with the same order and dropout masks. Epoch metrics mean what fit's did: train metrics are the
 * batch values averaged with batch-size weights over the epoch, val metrics are evaluated on the whole
 * validation set after it.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import type { StoredArray } from '../../data/arrays';
import { augmentImages } from '../augment';
import type { CheckpointState } from './checkpoints';
import { NonRetryableError } from '../../errors';
import { DIVERGED, EpochRecord } from './protocol';
import { seedFor, seedMathRandom, shuffledOrder } from './seeding';

export class TrainingDivergedError extends NonRetryableError {
  override name = DIVERGED;
}

export interface TrainingData {
  xTrain: tfType.Tensor;
  yTrain: tfType.Tensor;
  xVal: tfType.Tensor;
  yVal: tfType.Tensor;
  /** The training images as read, when each epoch trains on a fresh seeded augmentation of them. */
  augmentFrom?: StoredArray;
}

export interface LoopOptions {
  totalEpochs: number;
  batchSize: number;
  seed: number;
  checkpointEveryMs: number;
}

export type LoopPosition = Omit<CheckpointState, 'version' | 'files'>;

export interface LoopHooks {
  /** Asked before each batch: true makes the loop checkpoint where it is and return. */
  shouldStop(): boolean;
  /** Writes a checkpoint of the model at this position; returns its name. */
  saveCheckpoint(position: LoopPosition): Promise<string>;
  onBatch?(epoch: number, batch: number, batches: number): void;
  onCheckpoint?(name: string, position: LoopPosition): void;
  onEpoch?(record: EpochRecord, checkpoint: string): void;
}

export const START: LoopPosition = { epochsDone: 0, batchesDone: 0, partial: { samples: 0, sums: {} }, history: [] };

/** tfjs names: loss, acc → MLflow names train_loss, train_accuracy (val_ prefixed for validation). */
function metricName(prefix: 'train' | 'val', key: string): string {
  return `${prefix}_${key === 'acc' ? 'accuracy' : key}`;
}

const valuesOf = (out: number | number[]) => (Array.isArray(out) ? out : [out]);

function epochTensor(tf: Tf, data: TrainingData, seed: number, epoch: number): tfType.Tensor {
  const base = data.augmentFrom;
  if (!base) return data.xTrain;
  // The augmentation seed formula predates this loop: kept so augmented epochs stay what they were.
  return tf.tensor(augmentImages(base.data, base.shape as [number, number, number, number], seed * 1000 + epoch), base.shape);
}

export async function trainLoop(
  tf: Tf,
  model: tfType.LayersModel,
  data: TrainingData,
  opts: LoopOptions,
  start: LoopPosition,
  hooks: LoopHooks,
): Promise<{ stopped: boolean; position: LoopPosition }> {
  const n = data.xTrain.shape[0];
  const batches = Math.ceil(n / opts.batchSize);
  const names = model.metricsNames;
  let position: LoopPosition = start;
  let lastSaveAt = Date.now();
  let unsaved = false;
  const save = async (next: LoopPosition) => {
    position = next;
    const name = await hooks.saveCheckpoint(next);
    lastSaveAt = Date.now();
    unsaved = false;
    hooks.onCheckpoint?.(name, next);
    return name;
  };

  for (let epoch = start.epochsDone + 1; epoch <= opts.totalEpochs; epoch++) {
    const resuming = epoch === start.epochsDone + 1;
    const partial = resuming ? { samples: start.partial.samples, sums: { ...start.partial.sums } } : { samples: 0, sums: {} as Record<string, number> };
    const order = shuffledOrder(n, seedFor(opts.seed, 'shuffle', epoch));
    const xEpoch = epochTensor(tf, data, opts.seed, epoch);
    const here = (batchesDone: number): LoopPosition => ({ epochsDone: epoch - 1, batchesDone, partial, history: position.history });
    try {
      for (let b = resuming ? start.batchesDone : 0; b <= batches; b++) {
        if (hooks.shouldStop()) {
          if (unsaved) await save(here(b));
          return { stopped: true, position };
        }
        if (b === batches) break;
        const idx = tf.tensor1d(order.subarray(b * opts.batchSize, Math.min(n, (b + 1) * opts.batchSize)), 'int32');
        const xb = tf.gather(xEpoch, idx);
        const yb = tf.gather(data.yTrain, idx);
        // Dropout masks depend on the position only, so a resumed batch draws what the first attempt drew.
        seedMathRandom(seedFor(opts.seed, 'batch', epoch, b));
        const values = valuesOf(await model.trainOnBatch(xb, yb));
        const size = idx.shape[0];
        tf.dispose([idx, xb, yb]);
        if (!Number.isFinite(values[0])) {
          throw new TrainingDivergedError(`training diverged at epoch ${epoch} (batch ${b + 1} of ${batches}): loss is ${values[0]}`);
        }
        names.forEach((key, i) => (partial.sums[key] = (partial.sums[key] ?? 0) + values[i] * size));
        partial.samples += size;
        unsaved = true;
        hooks.onBatch?.(epoch, b + 1, batches);
        if (b + 1 < batches && Date.now() - lastSaveAt >= opts.checkpointEveryMs) await save(here(b + 1));
      }
    } finally {
      if (xEpoch !== data.xTrain) xEpoch.dispose();
    }

    const evaluated = model.evaluate(data.xVal, data.yVal, { batchSize: opts.batchSize });
    const scalars = Array.isArray(evaluated) ? evaluated : [evaluated];
    const valValues = await Promise.all(scalars.map(async (s) => (await s.data())[0]));
    tf.dispose(scalars);
    if (!Number.isFinite(valValues[0])) throw new TrainingDivergedError(`training diverged at epoch ${epoch} (validation): loss is ${valValues[0]}`);

    const metrics: Record<string, number> = {};
    names.forEach((key) => (metrics[metricName('train', key)] = partial.sums[key] / partial.samples));
    names.forEach((key, i) => (metrics[metricName('val', key)] = valValues[i]));
    const record: EpochRecord = { epoch, metrics, time: Date.now() };
    const checkpoint = await save({ epochsDone: epoch, batchesDone: 0, partial: { samples: 0, sums: {} }, history: [...position.history, record] });
    hooks.onEpoch?.(record, checkpoint);
  }
  return { stopped: false, position };
}
