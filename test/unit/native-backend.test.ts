/**
 * Native TensorFlow (@tensorflow/tfjs-node built by scripts/setup-tensorflow.sh) against the pure-JS cpu reference:
 * the ops and layers the project's models train with (conv2d and its gradients, pooling, dense, batch norm,
 * dropout, LSTM and GRU, Adam), short trainings of the real MNIST CNN and the tick RNN, and the int32 Round fix.
 * Native TensorFlow (oneDNN) sums in another order than the cpu backend: single ops agree to 1e-4 relative,
 * trainings of a few steps to 1e-3.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { loadTfBackend, Tf } from '../../src/models/backend';
import { replacedNativeKernels } from '../../src/models/native-kernels';
import { buildMnistCnn } from '../../src/models/cnn';
import { buildModel } from '../../src/models/architectures';
import * as cmp from '../helpers/backend-compare';
import { CONV_CASES, rand, size } from '../helpers/backend-compare';

const OP_TOL = 1e-4;
const TRAIN_TOL = 1e-3;
const worst: Record<string, number> = {};
let tf: Tf;

const expectSame = (label: string, group: string, fn: () => tfType.Tensor[], tol = OP_TOL) =>
  cmp.expectSameAsCpu(tf, 'tensorflow', worst, label, group, fn, tol);

/** Trains a model built by `build` for `steps` batches on one backend, from the given starting weights. */
async function trainOn(
  backend: string,
  build: () => tfType.LayersModel,
  weights: Float32Array[],
  x: () => tfType.Tensor,
  y: () => tfType.Tensor,
  steps: number,
): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await tf.setBackend(backend);
  const model = build();
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  const xs = x();
  const ys = y();
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push([await model.trainOnBatch(xs, ys)].flat()[0]);
  const out = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  tf.dispose([xs, ys]);
  return { losses, weights: out };
}

/** Same starting weights and batches on cpu and native: losses and final weights agree. */
async function expectSameTraining(group: string, build: () => tfType.LayersModel, x: () => tfType.Tensor, y: () => tfType.Tensor, steps: number) {
  await tf.setBackend('cpu');
  const initial = build();
  const weights = initial.getWeights().map((w) => w.dataSync() as Float32Array);
  initial.dispose();
  const want = await trainOn('cpu', build, weights, x, y, steps);
  const got = await trainOn('tensorflow', build, weights, x, y, steps);
  const lossErr = cmp.relErr(got.losses, want.losses);
  const weightErr = Math.max(...got.weights.map((w, i) => cmp.relErr(w, want.weights[i])));
  worst[group] = Math.max(lossErr, weightErr);
  expect(lossErr).toBeLessThanOrEqual(TRAIN_TOL);
  expect(weightErr).toBeLessThanOrEqual(TRAIN_TOL);
  expect(got.losses[steps - 1]).toBeLessThan(got.losses[0]);
}

beforeAll(async () => {
  const loaded = await loadTfBackend();
  if (loaded.backend !== 'tensorflow') {
    throw new Error(`native TensorFlow did not load (${loaded.skipped.join('; ')}): run scripts/setup.sh`);
  }
  tf = loaded.tf;
});

afterAll(() => {
  console.log(`max relative error of native TensorFlow vs cpu: ${JSON.stringify(worst)}`);
});

describe('native TensorFlow backend', () => {
  it('is tfjs-node on the pinned TensorFlow C library, with its version and threads', async () => {
    const loaded = await loadTfBackend();
    expect(loaded.provider).toBe('@tensorflow/tfjs-node@4.22.0');
    expect(loaded.tensorflowVersion).toBe('2.21.0');
    expect(loaded.threads).toBeGreaterThanOrEqual(1);
  });

  it('is the default, and DML_TFJS_BACKEND still forces wasm or cpu (the fallbacks)', () => {
    const backendIn = (forced?: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      if (forced) env.DML_TFJS_BACKEND = forced;
      else delete env.DML_TFJS_BACKEND;
      const script = `require(${JSON.stringify(path.join(__dirname, '../../src/models/backend'))}).loadTfBackend().then((b) => console.log(b.backend + ' ' + b.threads))`;
      return execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }).trim().split('\n').pop();
    };
    expect(backendIn()).toMatch(/^tensorflow \d+$/);
    expect(backendIn('wasm')).toBe('wasm 1');
    expect(backendIn('cpu')).toBe('cpu 1');
  });

  it('conv2d and its input and filter gradients match cpu', async () => {
    // tfjs-node supports 'same' and 'valid' padding only (explicit padding throws); the project's CNNs use those two.
    const cases = CONV_CASES.filter((c) => typeof c.pad === 'string');
    for (const [i, c] of cases.entries()) await expectSame(`conv ${c.x} ${c.f}`, 'conv2d grads', cmp.convGrads(tf, c, 10 * i + 3));
  });

  it('max and average pooling, forward and gradient, match cpu', async () => {
    for (const [i, pool] of (['maxPool', 'avgPool'] as const).entries()) {
      await expectSame(pool, 'pooling', () => {
        const x = tf.tensor4d(rand(2 * 9 * 9 * 3, 40 + i), [2, 9, 9, 3]);
        const f = (a: tfType.Tensor) => tf[pool](a as tfType.Tensor4D, 2, 2, 'valid');
        const y = f(x);
        const r = tf.tensor(rand(size(y.shape), 50 + i), y.shape);
        return [y, tf.grad((a: tfType.Tensor) => tf.sum(tf.mul(f(a), r)))(x)];
      });
    }
  });

  it('dense layers (matMul, bias, relu, softmax cross-entropy) and their gradients match cpu', async () => {
    await expectSame('dense', 'dense', () => {
      const x = tf.tensor2d(rand(16 * 20, 60), [16, 20]);
      const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32'), 10);
      const loss = (w1: tfType.Tensor, b1: tfType.Tensor, w2: tfType.Tensor) =>
        tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.relu(tf.add(tf.matMul(x, w1 as tfType.Tensor2D), b1)), w2 as tfType.Tensor2D));
      const params = [tf.tensor2d(rand(20 * 32, 61), [20, 32]), tf.tensor1d(rand(32, 62)), tf.tensor2d(rand(32 * 10, 63), [32, 10])];
      return tf.grads(loss)(params);
    });
  });

  it('batch normalization inside a small CNN (gradients) matches cpu', async () => {
    await expectSame('functional CNN', 'batch norm CNN grads', cmp.cnnGrads(tf, 7));
  });

  it('dropout on native drops the requested fraction and scales the rest', async () => {
    await tf.setBackend('tensorflow');
    const kept = tf.tidy(() => tf.dropout(tf.ones([200_000]), 0.3, undefined, 1).dataSync() as Float32Array);
    const zeros = kept.filter((v) => v === 0).length / kept.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.01);
    expect(kept.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
  });

  it('Adam steps on a variable match cpu', async () => {
    await expectSame('adam', 'adam', () => {
      const target = tf.tensor1d(rand(50, 70));
      const v = tf.variable(tf.tensor1d(rand(50, 71)));
      const opt = tf.train.adam(0.05);
      for (let i = 0; i < 20; i++) opt.minimize(() => tf.sum(tf.square(tf.sub(v, target))) as tfType.Scalar);
      const out = v.clone();
      opt.dispose();
      v.dispose();
      return [out];
    });
  });

  it('trains the MNIST CNN like cpu (same weights and batches, 3 Adam steps)', async () => {
    // Small: the pure-JS cpu reference runs this CNN at a few samples per second.
    const x = () => tf.tensor4d(rand(4 * 28 * 28, 80).map((v) => (v + 1) / 2), [4, 28, 28, 1]);
    const y = () => tf.tensor1d([0, 1, 2, 3]);
    await expectSameTraining('MNIST CNN training', () => buildMnistCnn(tf, { learningRate: 0.001 }), x, y, 3);
  });

  it('trains the tick LSTM and GRU like cpu', async () => {
    for (const cell of ['lstm', 'gru']) {
      const x = () => tf.tensor3d(rand(8 * 12 * 11, 90), [8, 12, 11]);
      const y = () => tf.tensor2d(rand(8, 91), [8, 1]);
      const build = () => buildModel(tf, 'tick-rnn', [12, 11], { units: 16, cell, learningRate: 0.01 });
      await expectSameTraining(`tick ${cell} training`, build, x, y, 5);
    }
  });

  it('trains the tiny batch-norm CNN like cpu', async () => {
    const { x, y } = cmp.tinyData(tf);
    await expectSameTraining('tiny CNN training', () => cmp.tinyCnn(tf), () => x.clone(), () => y.clone(), 6);
    tf.dispose([x, y]);
  });

  it('step (the ReLU gradient, replaced by relu(sign(x)) for speed) matches cpu, NaN and infinities included', async () => {
    expect(replacedNativeKernels.get('Step')).toBeDefined();
    const values = [-2, -0, 0, 1e-30, 0.5, 3, NaN, Infinity, -Infinity];
    for (const alpha of [0, 0.2]) {
      const want = await cmp.on(tf, 'cpu', () => [tf.step(tf.tensor1d(values), alpha)]);
      const got = await cmp.on(tf, 'tensorflow', () => [tf.step(tf.tensor1d(values), alpha)]);
      expect(Array.from(got[0])).toEqual(Array.from(want[0]));
    }
  });

  it('rounds int32 tensors correctly: TensorFlow 2.21 returns zeros, the patched kernel the identity', async () => {
    await tf.setBackend('tensorflow');
    const ints = tf.tensor1d([-3, 0, 7, 123456], 'int32');
    const original = replacedNativeKernels.get('Round');
    expect(original).toBeDefined();
    const raw = tf.engine().runKernel('Identity', { x: ints }) as tfType.Tensor;
    // The unpatched TensorFlow kernel, called directly: the bug the patch works around.
    const broken = original!.kernelFunc({ inputs: { x: raw }, backend: tf.backend(), attrs: {} }) as tfType.TensorInfo;
    expect(Array.from(tf.engine().makeTensorFromTensorInfo(broken).dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(tf.round(ints).dataSync())).toEqual([-3, 0, 7, 123456]);
    expect(Array.from(tf.round(tf.tensor1d([1.4, 1.6, -2.7])).dataSync())).toEqual([1, 2, -3]);
  });
});
