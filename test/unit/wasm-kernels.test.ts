/**
 * The wasm training kernels of src/models/wasm-kernels.ts against the pure-JS cpu backend's, on random inputs:
 * convolution gradients through `tf.grads` (so through tfjs' own conv2d gradient, as `model.fit` uses them),
 * the kernels directly for what the conv2d op cannot express on wasm (NCHW), Tile, the gradients of a small
 * functional CNN with max-pooling and batch normalization, and `fit` on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from '../../src/models/wasm-kernels';

type Backend = 'cpu' | 'wasm';
const TOL = 1e-4; // max |wasm − cpu| relative to max |cpu|, per gradient tensor
const worst: Record<string, number> = {};

/** Deterministic values in [-1, 1), the same on both backends. */
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `fn` on a backend, returning its outputs' values (all tensors freed). */
async function on(backend: Backend, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return values;
}

function relErr(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return scale === 0 ? err : err / scale;
}

async function expectSame(label: string, group: string, fn: () => tf.Tensor[]): Promise<void> {
  const want = await on('cpu', fn);
  const got = await on('wasm', fn);
  got.forEach((g, i) => {
    const e = relErr(g, want[i]);
    worst[group] = Math.max(worst[group] ?? 0, e);
    if (!(e <= TOL)) throw new Error(`${label} output ${i}: relative error ${e}`);
  });
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: number | [number, number];
  pad: Pad;
}
const CONV_CASES: ConvCase[] = [
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
function convGrads(c: ConvCase, seed: number): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(rand(size(c.x), seed), c.x);
    const f = tf.tensor4d(rand(size(c.f), seed + 1), c.f);
    const y = tf.conv2d(x, f, c.s, c.pad);
    const r = tf.tensor(rand(size(y.shape), seed + 2), y.shape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)));
    return g([x, f]);
  };
}
const label = (c: ConvCase) => `x ${c.x} f ${c.f} s ${JSON.stringify(c.s)} pad ${JSON.stringify(c.pad)}`;

/** The kernel itself, for configurations the conv2d op cannot run on wasm (NCHW). */
function runKernel(name: string, inputs: Record<string, [number[], number]>, attrs: object): () => tf.Tensor[] {
  return () => {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, [shape, seed]] of Object.entries(inputs)) ts[k] = tf.tensor(rand(size(shape), seed), shape);
    return [tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor];
  };
}

/** A small functional CNN: conv → BN (batch statistics) → relu → max-pool → conv (stride 2) → relu → dense → xent. */
function cnnGrads(seed: number): () => tf.Tensor[] {
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
    const loss = (w1: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, w2: tf.Tensor, wd: tf.Tensor) => {
      const h1 = tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same');
      const { mean, variance } = tf.moments(h1, [0, 1, 2]);
      const bn = tf.batchNorm(h1, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-3);
      const p = tf.maxPool(tf.relu(bn) as tf.Tensor4D, 2, 2, 'valid');
      const h2 = tf.relu(tf.conv2d(p, w2 as tf.Tensor4D, 2, 'same'));
      const logits = tf.matMul(tf.reshape(h2, [4, 72]), wd);
      return tf.losses.softmaxCrossEntropy(labels, logits);
    };
    return tf.grads(loss)(params);
  };
}

function tinyCnn(): tf.Sequential {
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
function tinyData(): { x: tf.Tensor4D; y: tf.Tensor1D } {
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

describe('wasm training kernels', () => {
  afterAll(() => {
    console.log(`max relative error vs cpu: ${JSON.stringify(worst)}`);
  });

  it('wasm lacks Conv2DBackpropFilter; registration adds it once and keeps native kernels by default', async () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const nativeInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(nativeInput).toBeDefined();
    expect(registerMissingWasmKernels(tf)).toEqual(['Conv2DBackpropFilter']);
    const first = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    expect(registerMissingWasmKernels(tf)).toEqual([]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(first);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(nativeInput);
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('conv2d gradients (composite filter gradient, native input gradient) match cpu', async () => {
    for (const [i, c] of CONV_CASES.entries()) await expectSame(label(c), 'conv2d grads, default kernels', convGrads(c, 10 * i + 1));
  });

  it('replaceSlowKernels swaps in the composite Conv2DBackpropInput and Tile, once', () => {
    expect(registerMissingWasmKernels(tf, { replaceSlowKernels: true })).toEqual(['Conv2DBackpropInput', 'Tile']);
    const k = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(registerMissingWasmKernels(tf, { replaceSlowKernels: true })).toEqual([]);
    expect(registerMissingWasmKernels(tf)).toEqual([]);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(k);
  });

  it('conv2d gradients with both composite kernels match cpu', async () => {
    for (const [i, c] of CONV_CASES.entries()) await expectSame(label(c), 'conv2d grads, replaceSlowKernels', convGrads(c, 10 * i + 5));
  });

  it('both kernels match cpu for NCHW, explicit padding and rounding modes, called directly', async () => {
    // x [2, 3, 9, 8] NCHW, filter [3, 3, 3, 4], stride 2, 'same' → dy [2, 4, 5, 4].
    const nchw = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW' };
    await expectSame('filter NCHW', 'Conv2DBackpropFilter NCHW/pad', runKernel('Conv2DBackpropFilter', { x: [[2, 3, 9, 8], 1], dy: [[2, 4, 5, 4], 2] }, { ...nchw, filterShape: [3, 3, 3, 4] }));
    await expectSame('input NCHW', 'Conv2DBackpropInput NCHW/pad', runKernel('Conv2DBackpropInput', { dy: [[2, 4, 5, 4], 3], filter: [[3, 3, 3, 4], 4] }, { ...nchw, inputShape: [2, 3, 9, 8] }));
    // Numeric padding 1 with stride 2 on 8×8: output 4×4 under 'floor' rounding.
    const num = { strides: [2, 2], pad: 1, dataFormat: 'NHWC', dimRoundingMode: 'floor' };
    await expectSame('filter pad=1', 'Conv2DBackpropFilter NCHW/pad', runKernel('Conv2DBackpropFilter', { x: [[2, 8, 8, 3], 5], dy: [[2, 4, 4, 2], 6] }, { ...num, filterShape: [3, 3, 3, 2] }));
    await expectSame('input pad=1', 'Conv2DBackpropInput NCHW/pad', runKernel('Conv2DBackpropInput', { dy: [[2, 4, 4, 2], 7], filter: [[3, 3, 3, 2], 8] }, { ...num, inputShape: [2, 8, 8, 3] }));
  });

  it('composite Tile matches cpu', async () => {
    const cases: [number[], number[]][] = [
      [[1, 1, 1, 6], [4, 5, 3, 1]], // BatchNormalization's gradient
      [[2, 3], [3, 2]],
      [[3, 1, 2], [1, 4, 1]],
      [[2, 2, 2], [1, 1, 1]],
      [[1, 2, 1, 2, 1, 2, 1], [2, 2, 2, 2, 2, 2, 2]], // too many broadcast axes: native fallback
    ];
    for (const [i, [shape, reps]] of cases.entries()) {
      await expectSame(`tile ${shape} × ${reps}`, 'Tile', () => [tf.tile(tf.tensor(rand(size(shape), i + 1), shape), reps)]);
    }
    const ints = await on('wasm', () => [tf.tile(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), [2, 1])]);
    expect(Array.from(ints[0])).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    const bools = await on('wasm', () => [tf.tile(tf.tensor1d([true, false], 'bool'), [2])]);
    expect(Array.from(bools[0])).toEqual([1, 0, 1, 0]);
  });

  it('a small CNN with max-pooling and batch normalization has the same gradients as on cpu', async () => {
    await expectSame('functional CNN', 'CNN gradients', cnnGrads(7));
  });

  it('rejects configurations it cannot compute with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 5, 5, 2]);
    const dy = tf.zeros([1, 4, 4, 3]); // wrong for 'valid' 3×3 (3×3 expected)
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'valid', filterShape: [3, 3, 2, 3] })).toThrow(
      /Conv2DBackpropFilter \(wasm, durable-ml composite\): unsupported dy shape/,
    );
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [0, 1], pad: 'valid', filterShape: [2, 2, 2, 3] })).toThrow(/unsupported strides/);
    tf.dispose([x, dy]);
  });

  it('trains a tiny CNN on wasm: the loss falls and no tensors leak', async () => {
    await tf.setBackend('wasm');
    const { x, y } = tinyData();
    const model = tinyCnn();
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 12; step++) {
      losses.push((await model.trainOnBatch(x, y)) as number);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1); // flat after the optimizer's first step creates its slots
    expect(losses[losses.length - 1]).toBeLessThan(0.7 * losses[0]);
    const history = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, shuffle: false });
    const fitLoss = history.history.loss as number[];
    expect(fitLoss[2]).toBeLessThan(losses[0]);
    model.dispose();
    tf.dispose([x, y]);
  });
});
