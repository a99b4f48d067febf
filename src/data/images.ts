/**
 * Image arrays as the vision models take them: pixels scaled 0–255 → 0–1 in NHWC order, a seeded validation split.
 * Pure: the prepare activity reads the files and writes the result; prediction inputs reuse `toNhwc`.
 */
import path from 'node:path';
import { DataError } from './errors';
import type { Mnist } from './idx';
import { seededShuffleIndices } from './split';
import type { StoredArray } from './arrays';

export const MNIST_SIDE = 28;

/** Both splits must hold 28x28 images: a different size would be read with the wrong layout. */
export function checkMnistShapes(train: Mnist & { imagesFile: string }, test: Mnist & { imagesFile: string }): void {
  for (const split of [train, test]) {
    if (split.rows !== MNIST_SIDE || split.cols !== MNIST_SIDE) {
      const other = split === train ? test : train;
      throw new DataError(
        `images are ${split.rows}x${split.cols}, expected ${MNIST_SIDE}x${MNIST_SIDE} like MNIST (${path.basename(other.imagesFile)} has ${other.rows}x${other.cols})`,
        split.imagesFile,
        'offset 8',
      );
    }
  }
}

/** Pixels to [0,1] float32 in NHWC order; CIFAR's records are CHW planes. Prediction inputs get the same. */
export function toNhwc(pixels: Uint8Array, count: number, side: number, channels: number, chw: boolean): Float32Array {
  const out = new Float32Array(count * side * side * channels);
  const plane = side * side;
  for (let i = 0; i < count; i++) {
    const base = i * plane * channels;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) {
        const from = chw ? base + c * plane + p : base + p * channels + c;
        out[base + p * channels + c] = pixels[from] / 255;
      }
    }
  }
  return out;
}

/** Seeded train/validation split of (images, labels) plus the untouched test set. */
function splitImageArrays(
  train: { x: Float32Array; y: Uint8Array },
  test: { x: Float32Array; y: Uint8Array },
  imageShape: number[],
  validationFraction: number,
  seed: number,
): Record<string, StoredArray> {
  const n = train.y.length;
  const size = imageShape.reduce((a, b) => a * b, 1);
  const order = seededShuffleIndices(n, seed);
  const nVal = Math.max(1, Math.round(n * validationFraction));
  const take = (indices: ArrayLike<number>) => {
    const x = new Float32Array(indices.length * size);
    const y = new Float32Array(indices.length);
    for (let j = 0; j < indices.length; j++) {
      x.set(train.x.subarray(indices[j] * size, (indices[j] + 1) * size), j * size);
      y[j] = train.y[indices[j]];
    }
    return { x: { shape: [indices.length, ...imageShape], data: x }, y: { shape: [indices.length], data: y } };
  };
  const val = take(Array.from(order).slice(0, nVal));
  const tr = take(Array.from(order).slice(nVal));
  return {
    x_train: tr.x,
    y_train: tr.y,
    x_val: val.x,
    y_val: val.y,
    x_test: { shape: [test.y.length, ...imageShape], data: test.x },
    y_test: { shape: [test.y.length], data: Float32Array.from(test.y) },
  };
}

/** Labelled 8-bit images as the MNIST and CIFAR-10 readers return them. */
export interface LabelledImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/**
 * The prepared arrays of an image data set: train and test pixels to NHWC in [0,1], then the seeded
 * train/validation split. `chw`: the records store channel planes (CIFAR) rather than interleaved pixels.
 */
export function imageArrays(
  train: LabelledImages,
  test: LabelledImages,
  layout: { side: number; channels: number; chw: boolean },
  validationFraction: number,
  seed: number,
): Record<string, StoredArray> {
  const { side, channels, chw } = layout;
  const nhwc = (set: LabelledImages) => ({ x: toNhwc(set.images, set.count, side, channels, chw), y: set.labels });
  return splitImageArrays(nhwc(train), nhwc(test), [side, side, channels], validationFraction, seed);
}
