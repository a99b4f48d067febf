/**
 * The wasm training kernels of src/models/wasm-kernels.ts against the pure-JS cpu backend's, on random inputs:
 * convolution gradients through `tf.grads` (so through tfjs' own conv2d gradient, as `model.fit` uses them),
 * the kernels directly for what the conv2d op cannot express on wasm (NCHW), Tile, the gradients of a small
 * functional CNN with max-pooling and batch normalization, and `fit` on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from '../../src/models/wasm-kernels';
import * as cmp from '../helpers/backend-compare';
import { CONV_CASES, ConvCase, rand, size } from '../helpers/backend-compare';

type Backend = 'cpu' | 'wasm';
const TOL = 1e-4; // max |wasm − cpu| relative to max |cpu|, per gradient tensor
const worst: Record<string, number> = {};

const on = (backend: Backend, fn: () => tf.Tensor[]) => cmp.on(tf, backend, fn);
const expectSame = (label: string, group: string, fn: () => tf.Tensor[]) => cmp.expectSameAsCpu(tf, 'wasm', worst, label, group, fn, TOL);
const convGrads = (c: ConvCase, seed: number) => cmp.convGrads(tf, c, seed);
const cnnGrads = (seed: number) => cmp.cnnGrads(tf, seed);
const tinyCnn = () => cmp.tinyCnn(tf);
const tinyData = () => cmp.tinyData(tf);

const label = (c: ConvCase) => `x ${c.x} f ${c.f} s ${JSON.stringify(c.s)} pad ${JSON.stringify(c.pad)}`;

/** The kernel itself, for configurations the conv2d op cannot run on wasm (NCHW). */
function runKernel(name: string, inputs: Record<string, [number[], number]>, attrs: object): () => tf.Tensor[] {
  return () => {
    const ts: Record<string, tf.Tensor> = {};
    for (const [k, [shape, seed]] of Object.entries(inputs)) ts[k] = tf.tensor(rand(size(shape), seed), shape);
    return [tf.engine().runKernel(name, ts, attrs as tf.NamedAttrMap) as tf.Tensor];
  };
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
