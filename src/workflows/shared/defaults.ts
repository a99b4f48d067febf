/**
 * Default hyper-parameters per pipeline; workflow input overrides them key by key (unknown keys are rejected).
 * Image pipelines: `model` is 'cnn' (the seed's MNIST CNN, a VGG-style CIFAR-10 CNN) or 'mlp' (a small dense net,
 * much faster on CPU backends; `hiddenUnits` sizes it). CIFAR-10's CNN needs on the order of 100+ epochs with
 * augmentation to reach 0.85 test accuracy on the real data set: a GPU worker's job.
 */
import type { HyperParams, PipelineName } from './types';

export const DEFAULT_PARAMS: Record<PipelineName, HyperParams> = {
  mnist: { model: 'cnn', epochs: 5, batchSize: 64, learningRate: 0.001, hiddenUnits: 64, validationFraction: 0.1, seed: 42 },
  cifar10: { model: 'cnn', epochs: 5, batchSize: 64, learningRate: 0.001, hiddenUnits: 128, validationFraction: 0.1, augment: true, seed: 42 },
  tick: { epochs: 5, batchSize: 64, learningRate: 0.001, cell: 'lstm', units: 16, sequenceLength: 30, barIntervalSec: 60, costBps: 1, maxDirtyFraction: 0.05, seed: 42 },
  power: { numBoostRound: 200, learningRate: 0.05, numLeaves: 31, earlyStoppingRounds: 20, bucketMinutes: 60, horizonSteps: 1, historyDays: 0, numThreads: 0, seed: 42 },
};

/** String parameters that only take a few values. */
const CHOICES: Record<string, string[]> = { model: ['cnn', 'mlp'], cell: ['lstm', 'gru'] };

/** Merges overrides into defaults, keeping each default's type; a typo or a wrong type is an input error. */
export function resolveParams(pipeline: PipelineName, overrides: HyperParams = {}): HyperParams {
  const defaults = DEFAULT_PARAMS[pipeline];
  const out: HyperParams = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in defaults)) {
      throw new TypeError(`unknown parameter '${key}' for pipeline ${pipeline}; known: ${Object.keys(defaults).join(', ')}`);
    }
    const expected = typeof defaults[key];
    if (typeof value !== expected) {
      throw new TypeError(`parameter '${key}' of pipeline ${pipeline} must be a ${expected}, got ${typeof value} ${JSON.stringify(value)}`);
    }
    if (CHOICES[key] && !CHOICES[key].includes(String(value))) {
      throw new TypeError(`parameter '${key}' of pipeline ${pipeline} must be one of ${CHOICES[key].join(', ')}, got '${value}'`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Workflow input is references and hyper-parameters: a few KiB. Anything near Temporal's payload limits
 * (2 MB per payload) would fail every workflow task later, so it is refused up front.
 */
export const MAX_INPUT_BYTES = 64 * 1024;

export function assertInputSize(input: unknown): void {
  const bytes = JSON.stringify(input ?? {}).length;
  if (bytes > MAX_INPUT_BYTES) {
    throw new TypeError(`workflow input is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES}: pass data by reference (a path under the data root), not inline`);
  }
}
