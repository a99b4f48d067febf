/**
 * Training speed of a model on the loaded tfjs backend, on random data: one warm-up batch, then `repeats` timed epochs
 * of `model.fit` (no shuffling). Used by `durable-ml gpu-check`; bench/cnn measures the same way across backends.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './backend';

export interface ThroughputResult {
  samples: number;
  batchSize: number;
  warmupBatchSeconds: number;
  /** Samples per second of each timed epoch. */
  samplesPerSec: number[];
}

export async function measureTrainingThroughput(
  tf: Tf,
  model: tfType.LayersModel,
  inputShape: readonly number[],
  opts: { samples: number; batchSize: number; repeats: number; classes?: number },
): Promise<ThroughputResult> {
  const x = tf.randomUniform([opts.samples, ...inputShape], 0, 1, 'float32', 7);
  const y = opts.classes
    ? tf.tensor1d(Array.from({ length: opts.samples }, (_, i) => i % opts.classes!))
    : tf.randomNormal([opts.samples, 1], 0, 1, 'float32', 8);
  try {
    const warm = Math.min(opts.batchSize, opts.samples);
    const t0 = performance.now();
    const [wx, wy] = [tf.slice(x, 0, warm), tf.slice(y, 0, warm)];
    await model.trainOnBatch(wx, wy);
    tf.dispose([wx, wy]);
    const warmupBatchSeconds = (performance.now() - t0) / 1000;
    const samplesPerSec: number[] = [];
    for (let r = 0; r < opts.repeats; r++) {
      const t = performance.now();
      await model.fit(x, y, { batchSize: opts.batchSize, epochs: 1, shuffle: false, verbose: 0 });
      samplesPerSec.push(opts.samples / ((performance.now() - t) / 1000));
    }
    return { samples: opts.samples, batchSize: opts.batchSize, warmupBatchSeconds, samplesPerSec };
  } finally {
    tf.dispose([x, y]);
  }
}
