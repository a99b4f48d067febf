/**
 * Model definitions, picked by pipeline and the `model` hyper-parameter: the CNNs for the image pipelines
 * (src/models/cnn.ts), small dense nets as a fast alternative (`model=mlp`, e.g. for quick checks on a CPU),
 * and the LSTM/GRU for ticks.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './backend';
import type { HyperParams } from '../workflows/shared/types';
import { buildCifar10Cnn, buildMnistCnn } from './cnn';
import { kernelInitializers } from './initializers';

export type Architecture = 'mnist-cnn' | 'mnist-mlp' | 'cifar10-cnn' | 'cifar10-mlp' | 'tick-rnn';

export type TaskKind = 'classification' | 'regression';

export const TASK_OF: Record<Architecture, TaskKind> = {
  'mnist-cnn': 'classification',
  'mnist-mlp': 'classification',
  'cifar10-cnn': 'classification',
  'cifar10-mlp': 'classification',
  'tick-rnn': 'regression',
};

export type ModelFamily = 'mnist' | 'cifar10' | 'tick';

/** The architecture a training uses: the family's, with `model` (cnn | mlp) choosing for the image pipelines. */
export function architectureFor(family: ModelFamily, params: HyperParams): Architecture {
  if (family === 'tick') return 'tick-rnn';
  const model = params.model ?? 'cnn';
  if (model !== 'cnn' && model !== 'mlp') throw new TypeError(`parameter 'model' must be 'cnn' or 'mlp', got '${model}'`);
  return `${family}-${model}`;
}

export function buildModel(tf: Tf, architecture: Architecture, inputShape: number[], params: HyperParams): tfType.LayersModel {
  const learningRate = Number(params.learningRate);
  // Same seed, same starting weights (dropout and shuffling are seeded by the training loop).
  const seed = params.seed === undefined ? undefined : Number(params.seed);
  const init = kernelInitializers(tf, seed);
  switch (architecture) {
    case 'mnist-cnn':
      return buildMnistCnn(tf, { learningRate, seed });
    case 'cifar10-cnn':
      return buildCifar10Cnn(tf, { learningRate, seed });
    case 'mnist-mlp':
    case 'cifar10-mlp': {
      const model = tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape }),
          tf.layers.dense({ units: Number(params.hiddenUnits), activation: 'relu', kernelInitializer: init() }),
          tf.layers.dropout({ rate: 0.2 }),
          tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init() }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(learningRate), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    }
    case 'tick-rnn': {
      const cell = params.cell === 'gru' ? tf.layers.gru : tf.layers.lstm;
      const model = tf.sequential({
        layers: [
          cell({ units: Number(params.units), inputShape, kernelInitializer: init(), recurrentInitializer: init('orthogonal') }),
          tf.layers.dense({ units: 1, kernelInitializer: init() }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError' });
      return model;
    }
  }
}
