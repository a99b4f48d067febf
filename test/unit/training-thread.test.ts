/**
 * The training thread on real prepared arrays (tfjs wasm, or whichever backend loads): reproducible metrics for a
 * seed, resume after a stop at the batch where it stopped with identical results, fallback past a corrupt
 * checkpoint, time-based checkpoints, and a named, non-retryable divergence.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeArraysAtomically } from '../../src/data/arrays';
import { createRng } from '../../src/data/random';
import { runInThread } from '../../src/models/training/run-in-thread';
import type { EpochRecord, ThreadMessage, TrainJob } from '../../src/models/training/protocol';

let root: string;
let preparedDir: string;

/** A small MNIST-shaped set whose label depends on the image, so training has something to learn. */
async function prepare(dir: string) {
  const rng = createRng(3);
  const arrays = Object.fromEntries(
    (['train', 'val'] as const).flatMap((split) => {
      const n = split === 'train' ? 320 : 64;
      const x = new Float32Array(n * 28 * 28);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = rng.int(10);
        for (let p = 0; p < 28 * 28; p++) x[i * 784 + p] = rng.next() * 0.3 + (p % 10 === y[i] ? 0.7 : 0);
      }
      return [
        [`x_${split}`, { shape: [n, 28, 28, 1], data: x }],
        [`y_${split}`, { shape: [n], data: y }],
      ];
    }),
  );
  await writeArraysAtomically(dir, arrays);
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'dml-training-thread-'));
  preparedDir = path.join(root, 'prepared');
  await prepare(preparedDir);
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

let runs = 0;
function job(params: Record<string, number | string>, checkpointDir = path.join(root, `ckpt-${++runs}`), checkpointEveryMs = 60_000): TrainJob {
  return {
    mode: 'train',
    architecture: 'mnist-mlp', // has a dropout layer: its masks must be seeded too
    preparedDir,
    params: { epochs: 2, batchSize: 32, learningRate: 0.001, hiddenUnits: 16, seed: 42, ...params },
    checkpointDir,
    checkpointEveryMs,
    outputDir: path.join(root, `model-${runs}`),
  };
}

async function train(j: TrainJob, onMessage: (m: ThreadMessage, abort: () => void) => void = () => undefined) {
  const controller = new AbortController();
  const messages: ThreadMessage[] = [];
  const result = await runInThread(j, (m) => {
    messages.push(m);
    onMessage(m, () => controller.abort(new Error('stop requested by the test')));
  }, controller.signal).then(
    () => undefined,
    (err: Error) => err,
  );
  const history = messages.flatMap((m) => (m.type === 'epoch' ? [m.record] : []));
  return { error: result, messages, history };
}

const metricsOf = (history: EpochRecord[]) => history.map((r) => r.metrics);

/**
 * A resumed training matches the uninterrupted one to float32 rounding, not bit for bit: tfjs's Adam keeps its
 * bias corrections as running products (beta^t), and restoring the optimizer recomputes them as powers.
 */
function expectSameHistory(actual: EpochRecord[] | undefined, expected: EpochRecord[]) {
  expect(actual?.map((r) => Object.keys(r.metrics).sort())).toEqual(expected.map((r) => Object.keys(r.metrics).sort()));
  actual!.forEach((r, i) => {
    for (const [key, value] of Object.entries(expected[i].metrics)) expect(r.metrics[key]).toBeCloseTo(value, 5);
  });
}

describe('seeded training', () => {
  it('gives identical epoch-1 losses for the same seed and different ones for another seed', async () => {
    const a = await train(job({ epochs: 1 }));
    const b = await train(job({ epochs: 1 }));
    const c = await train(job({ epochs: 1, seed: 7 }));
    for (const r of [a, b, c]) expect(r.error).toBeUndefined();
    expect(a.history[0].metrics.train_loss).toBeGreaterThan(0);
    expect(metricsOf(b.history)).toEqual(metricsOf(a.history));
    expect(c.history[0].metrics.train_loss).not.toBe(a.history[0].metrics.train_loss);
    expect(Object.keys(a.history[0].metrics).sort()).toEqual(['train_accuracy', 'train_loss', 'val_accuracy', 'val_loss']);
  }, 120_000);
});

describe('checkpoints and resume', () => {
  let reference: EpochRecord[];
  beforeAll(async () => {
    reference = (await train(job({ epochs: 3 }))).history;
    expect(reference).toHaveLength(3);
  }, 120_000);

  it('a stop checkpoints mid-run and the resumed training ends with the uninterrupted metrics', async () => {
    const dir = path.join(root, 'stop-resume');
    const first = await train(job({ epochs: 3 }, dir), (m, abort) => m.type === 'epoch' && m.record.epoch === 1 && abort());
    expect(first.error?.message).toBe('stop requested by the test');
    const stopped = first.messages.find((m) => m.type === 'stopped');
    expect(stopped).toBeDefined();
    const second = await train(job({ epochs: 3 }, dir));
    expect(second.error).toBeUndefined();
    const resumed = second.messages.find((m) => m.type === 'resumed');
    expect(resumed).toMatchObject({ type: 'resumed' });
    if (stopped?.type === 'stopped' && resumed?.type === 'resumed') {
      expect([resumed.fromEpoch, resumed.fromBatch]).toEqual([stopped.epochsDone, stopped.batchesDone]);
    }
    const trained = second.messages.find((m) => m.type === 'trained');
    expectSameHistory(trained?.type === 'trained' ? trained.history : undefined, reference);
  }, 120_000);

  it('checkpoints between epochs on time, and falls back past a corrupt newest checkpoint with a warning', async () => {
    const dir = path.join(root, 'timed');
    // Every batch is due for a checkpoint (interval 0); stop during epoch 2.
    const first = await train(job({ epochs: 3 }, dir, 0), (m, abort) => m.type === 'batch' && m.epoch === 2 && abort());
    const midEpoch = first.messages.filter((m) => m.type === 'checkpoint' && m.batchesDone > 0);
    expect(midEpoch.length).toBeGreaterThan(0);
    const names = (await fs.readdir(dir)).filter((n) => n.startsWith('ckpt-')).sort();
    expect(names).toHaveLength(2); // the newest and the one before it
    // Corrupt the newest: its weights are cut short.
    const newest = path.join(dir, names[1]);
    const weights = await fs.readFile(path.join(newest, 'weights.bin'));
    await fs.writeFile(path.join(newest, 'weights.bin'), weights.subarray(0, weights.length / 2));
    // A save that crashed before its rename leaves a temporary folder: ignored and removed.
    await fs.mkdir(path.join(dir, '.tmp-999-dead'));
    await fs.writeFile(path.join(dir, '.tmp-999-dead', 'model.json'), '{');

    const second = await train(job({ epochs: 3 }, dir, 0));
    expect(second.error).toBeUndefined();
    const skipped = second.messages.find((m) => m.type === 'checkpoint-skipped');
    expect(skipped).toMatchObject({ checkpoint: names[1], reason: expect.stringMatching(/weights\.bin/) });
    expect(second.messages.find((m) => m.type === 'resumed')).toMatchObject({ checkpoint: names[0] });
    expect(await fs.readdir(dir)).not.toContain('.tmp-999-dead');
    const trained = second.messages.find((m) => m.type === 'trained');
    expectSameHistory(trained?.type === 'trained' ? trained.history : undefined, reference);
  }, 120_000);

  it('starts afresh (never fails) when no checkpoint is readable', async () => {
    const dir = path.join(root, 'all-broken');
    await fs.mkdir(path.join(dir, 'ckpt-e000001-b000000'), { recursive: true });
    await fs.writeFile(path.join(dir, 'ckpt-e000001-b000000', 'state.json'), '{"version":1');
    const r = await train(job({ epochs: 1 }, dir));
    expect(r.error).toBeUndefined();
    expect(r.messages.filter((m) => m.type === 'checkpoint-skipped')).toHaveLength(1);
    expect(r.messages.some((m) => m.type === 'resumed')).toBe(false);
    expect(metricsOf(r.history)).toEqual(metricsOf(reference.slice(0, 1)));
  }, 120_000);
});

it('a NaN or infinite loss stops training at once with a named TrainingDiverged error', async () => {
  // The tick model's squared error overflows within a few batches at this rate (the classifiers' clipped
  // cross-entropy saturates instead).
  const tickDir = path.join(root, 'prepared-tick');
  const rng = createRng(5);
  const series = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  await writeArraysAtomically(tickDir, {
    x_train: { shape: [320, 5, 3], data: series(320 * 15) },
    y_train: { shape: [320], data: series(320) },
    x_val: { shape: [64, 5, 3], data: series(64 * 15) },
    y_val: { shape: [64], data: series(64) },
  });
  const r = await train({ ...job({ epochs: 3, learningRate: 1e20, units: 4 }), architecture: 'tick-rnn', preparedDir: tickDir });
  expect(r.error?.name).toBe('TrainingDiverged');
  expect(r.error?.message).toMatch(/^training diverged at epoch 1 \(batch \d+ of 10\): loss is (NaN|-?Infinity)$/);
  expect(r.history).toEqual([]);
  expect(r.messages.some((m) => m.type === 'checkpoint')).toBe(false);
}, 120_000);
