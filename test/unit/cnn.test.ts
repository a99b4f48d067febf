/** The image CNNs of src/models/cnn.ts: shapes, parameter counts, and a training step on the wasm backend. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildCifar10Cnn, buildMnistCnn, CIFAR10_INPUT_SHAPE, MNIST_INPUT_SHAPE } from '../../src/models/cnn';
import { registerMissingWasmKernels } from '../../src/models/wasm-kernels';

const count = (m: tf.LayersModel, which: 'trainable' | 'all') =>
  (which === 'trainable' ? m.trainableWeights : m.weights).reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1), 0);

/** A batch of `n` random images with labels 0..9 (as floats, as the pipelines feed them). */
function batch(n: number, shape: readonly number[]): { x: tf.Tensor; y: tf.Tensor1D } {
  return { x: tf.randomUniform([n, ...shape], 0, 1, 'float32', 42), y: tf.tensor1d(Array.from({ length: n }, (_, i) => i % 10)) };
}

beforeAll(async () => {
  registerMissingWasmKernels(tf);
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('MNIST CNN', () => {
  it('is the seed architecture: conv32 → pool → conv64 → pool → dense64 → dense10, 121,930 parameters', () => {
    const m = buildMnistCnn(tf, { learningRate: 1e-3 });
    expect(m.inputs[0].shape).toEqual([null, ...MNIST_INPUT_SHAPE]);
    expect(m.outputs[0].shape).toEqual([null, 10]);
    expect(m.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    // conv 3·3·1·32+32, conv 3·3·32·64+64, dense (5·5·64)·64+64, dense 64·10+10
    expect(m.countParams()).toBe(320 + 18496 + 102464 + 650);
    expect(count(m, 'trainable')).toBe(121930);
    expect(m.loss).toBe('sparseCategoricalCrossentropy');
    m.dispose();
  });

  it('adds dropout only when asked and validates params', () => {
    const m = buildMnistCnn(tf, { learningRate: 1e-3, dropout: 0.25 });
    expect(m.layers.map((l) => l.getClassName())).toContain('Dropout');
    m.dispose();
    expect(() => buildMnistCnn(tf, { learningRate: 0 })).toThrow(/learningRate/);
    expect(() => buildMnistCnn(tf, { learningRate: 1e-3, dropout: 1 })).toThrow(/dropout/);
  });

  it('trains one step on wasm: finite loss, outputs are probabilities, no leaked tensors', async () => {
    const m = buildMnistCnn(tf, { learningRate: 1e-3 });
    const { x, y } = batch(16, MNIST_INPUT_SHAPE);
    const before = m.getWeights()[0].dataSync().slice();
    const [loss, acc] = (await m.trainOnBatch(x, y)) as number[];
    expect(Number.isFinite(loss)).toBe(true);
    expect(acc).toBeGreaterThanOrEqual(0);
    const after = m.getWeights()[0].dataSync();
    expect(after.some((v, i) => v !== before[i])).toBe(true); // the first conv's filter moved
    const tensors = tf.memory().numTensors;
    await m.trainOnBatch(x, y);
    expect(tf.memory().numTensors).toBe(tensors);
    const p = tf.tidy(() => (m.predict(x) as tf.Tensor).sum(1));
    p.dataSync().forEach((s) => expect(s).toBeCloseTo(1, 4));
    tf.dispose([x, y, p]);
    m.dispose();
  });
});

describe('CIFAR-10 CNN', () => {
  it('is a 3-block VGG with batch norm and dropout, 552,874 parameters', () => {
    const m = buildCifar10Cnn(tf, { learningRate: 1e-3 });
    expect(m.inputs[0].shape).toEqual([null, ...CIFAR10_INPUT_SHAPE]);
    expect(m.outputs[0].shape).toEqual([null, 10]);
    const kinds = m.layers.map((l) => l.getClassName());
    expect(kinds.filter((k) => k === 'Conv2D')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'BatchNormalization')).toHaveLength(7);
    expect(kinds.filter((k) => k === 'MaxPooling2D')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'Dropout')).toHaveLength(4);
    const rates = m.layers.filter((l) => l.getClassName() === 'Dropout').map((l) => (l.getConfig() as { rate: number }).rate);
    expect(rates.map((r) => Math.round(r * 10) / 10)).toEqual([0.2, 0.3, 0.4, 0.5]);
    // convs: 896 + 9248 + 18496 + 36928 + 73856 + 147584; dense 2048·128+128, 128·10+10; BN 4 per channel
    const convs = 896 + 9248 + 18496 + 36928 + 73856 + 147584;
    const bnChannels = 32 + 32 + 64 + 64 + 128 + 128 + 128;
    expect(m.countParams()).toBe(convs + 262272 + 1290 + 4 * bnChannels);
    expect(count(m, 'trainable')).toBe(convs + 262272 + 1290 + 2 * bnChannels);
    m.dispose();
  });

  it('trains one step on wasm (batch norm in training mode, dropout active)', async () => {
    const m = buildCifar10Cnn(tf, { learningRate: 1e-3, dropout: 0.1 });
    const { x, y } = batch(8, CIFAR10_INPUT_SHAPE);
    const firstConv = () => m.layers[0].getWeights()[0].dataSync().slice();
    const movingMean = () => m.layers[1].getWeights()[2].dataSync().slice();
    const [w0, mm0] = [firstConv(), movingMean()];
    const [loss] = (await m.trainOnBatch(x, y)) as number[];
    expect(Number.isFinite(loss)).toBe(true);
    expect(firstConv().some((v, i) => v !== w0[i])).toBe(true);
    expect(movingMean().some((v, i) => v !== mm0[i])).toBe(true); // BN statistics updated
    tf.dispose([x, y]);
    m.dispose();
  });
});
