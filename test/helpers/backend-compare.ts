/**
 * Comparing a tfjs backend with the pure-JS cpu reference: deterministic inputs, running one computation on each
 * backend, and the relative error between the results. Used by the wasm-kernel and native-backend tests.
 */
import type * as tfType from '@tensorflow/tfjs';

type Tf = typeof tfType;

/** Deterministic values in [-1, 1), the same on every backend. */
export function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `fn` on a backend, returning its outputs' values (all tensors freed). */
export async function on(tf: Tf, backend: string, fn: () => tfType.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available`);
  const outs = tf.tidy(fn);
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return values;
}

/** max |got − want| relative to max |want|. */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return scale === 0 ? err : err / scale;
}

/**
 * Runs `fn` on cpu and on `backend`; throws when an output differs by more than `tol` (relative), and records the
 * worst error per group in `worst` for the test's summary line.
 */
export async function expectSameAsCpu(
  tf: Tf,
  backend: string,
  worst: Record<string, number>,
  label: string,
  group: string,
  fn: () => tfType.Tensor[],
  tol: number,
): Promise<void> {
  const want = await on(tf, 'cpu', fn);
  const got = await on(tf, backend, fn);
  got.forEach((g, i) => {
    const e = relErr(g, want[i]);
    worst[group] = Math.max(worst[group] ?? 0, e);
    if (!(e <= tol)) throw new Error(`${label} output ${i}: relative error ${e} on ${backend} (tolerance ${tol})`);
  });
}

export type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
export interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: number | [number, number];
  pad: Pad;
}

/** Convolution shapes of the project's CNNs and the padding/stride cases around them. */
export const CONV_CASES: ConvCase[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
  { x: [2, 10, 10, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 2, pad: 'valid' },
  { x: [2, 10, 10, 3], f: [3, 3, 3, 4], s: 2, pad: 'valid' },
  { x: [3, 8, 7, 5], f: [5, 3, 5, 6], s: [2, 1], pad: 'same' },
  { x: [2, 7, 8, 2], f: [2, 4, 2, 3], s: 1, pad: 'same' },
  { x: [2, 8, 9, 3], f: [3, 3, 3, 2], s: 1, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { x: [2, 8, 9, 3], f: [3, 3, 3, 2], s: 2, pad: [[0, 0], [0, 1], [1, 1], [0, 0]] },
  { x: [3, 6, 6, 4], f: [1, 1, 4, 5], s: 2, pad: 'valid' },
  { x: [4, 28, 28, 1], f: [3, 3, 1, 8], s: 1, pad: 'valid' }, // MNIST's first layer, small
  { x: [4, 13, 13, 8], f: [3, 3, 8, 16], s: 1, pad: 'valid' }, // MNIST's second layer, small
  { x: [2, 16, 16, 16], f: [3, 3, 16, 16], s: 1, pad: 'same' }, // CIFAR-style block
];

/** Gradients of Σ conv2d(x, f) ⊙ r with respect to x and f. */
export function convGrads(tf: Tf, c: ConvCase, seed: number): () => tfType.Tensor[] {
  return () => {
    const x = tf.tensor4d(rand(size(c.x), seed), c.x);
    const f = tf.tensor4d(rand(size(c.f), seed + 1), c.f);
    const y = tf.conv2d(x, f, c.s, c.pad);
    const r = tf.tensor(rand(size(y.shape), seed + 2), y.shape);
    const g = tf.grads((a: tfType.Tensor, b: tfType.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tfType.Tensor4D, b as tfType.Tensor4D, c.s, c.pad), r)));
    return g([x, f]);
  };
}

/** A small functional CNN: conv → BN (batch statistics) → relu → max-pool → conv (stride 2) → relu → dense → xent. */
export function cnnGrads(tf: Tf, seed: number): () => tfType.Tensor[] {
  return () => {
    const x = tf.tensor4d(rand(4 * 12 * 12 * 2, seed), [4, 12, 12, 2]);
    const params = [
      tf.tensor4d(rand(3 * 3 * 2 * 6, seed + 1), [3, 3, 2, 6]),
      tf.tensor1d(rand(6, seed + 2).map((v) => 1 + 0.5 * v)),
      tf.tensor1d(rand(6, seed + 3)),
      tf.tensor4d(rand(3 * 3 * 6 * 8, seed + 4).map((v) => 0.3 * v), [3, 3, 6, 8]),
      tf.tensor2d(rand(3 * 3 * 8 * 5, seed + 5).map((v) => 0.3 * v), [72, 5]),
    ];
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5);
    const loss = (w1: tfType.Tensor, gamma: tfType.Tensor, beta: tfType.Tensor, w2: tfType.Tensor, wd: tfType.Tensor) => {
      const h1 = tf.conv2d(x, w1 as tfType.Tensor4D, 1, 'same');
      const { mean, variance } = tf.moments(h1, [0, 1, 2]);
      const bn = tf.batchNorm(h1, mean, variance, beta as tfType.Tensor1D, gamma as tfType.Tensor1D, 1e-3);
      const p = tf.maxPool(tf.relu(bn) as tfType.Tensor4D, 2, 2, 'valid');
      const h2 = tf.relu(tf.conv2d(p, w2 as tfType.Tensor4D, 2, 'same'));
      const logits = tf.matMul(tf.reshape(h2, [4, 72]), wd);
      return tf.losses.softmaxCrossEntropy(labels, logits);
    };
    return tf.grads(loss)(params);
  };
}

/** A tiny CNN with seeded weights: conv → max-pool → conv → batch norm → dense softmax, Adam. */
export function tinyCnn(tf: Tf): tfType.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.batchNormalization(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/** 32 8×8 images: class 1 has a bright square in the top-left corner. */
export function tinyData(tf: Tf): { x: tfType.Tensor4D; y: tfType.Tensor1D } {
  const n = 32;
  const noise = rand(n * 64, 99);
  const xs = new Float32Array(n * 64);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    ys[i] = i % 2;
    for (let p = 0; p < 64; p++) {
      const inSquare = Math.floor(p / 8) < 3 && p % 8 < 3;
      xs[i * 64 + p] = 0.2 * noise[i * 64 + p] + (ys[i] === 1 && inSquare ? 1 : 0);
    }
  }
  return { x: tf.tensor4d(xs, [n, 8, 8, 1]), y: tf.tensor1d(ys) };
}
