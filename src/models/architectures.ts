/**
 * Model definitions. These are the foundation's deliberately small models (dense nets for images, a small
 * recurrent net for ticks) so every pipeline trains for real on tiny data in seconds on the wasm backend.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './backend';
import type { HyperParams } from '../workflows/shared/types';

export type Architecture = 'mnist-mlp' | 'cifar10-mlp' | 'tick-rnn';

export type TaskKind = 'classification' | 'regression';

export const TASK_OF: Record<Architecture, TaskKind> = {
  'mnist-mlp': 'classification',
  'cifar10-mlp': 'classification',
  'tick-rnn': 'regression',
};

export function buildModel(tf: Tf, architecture: Architecture, inputShape: number[], params: HyperParams): tfType.LayersModel {
  const learningRate = Number(params.learningRate);
  switch (architecture) {
    case 'mnist-mlp':
    case 'cifar10-mlp': {
      const model = tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape }),
          tf.layers.dense({ units: Number(params.hiddenUnits), activation: 'relu' }),
          tf.layers.dropout({ rate: 0.2 }),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(learningRate), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    }
    case 'tick-rnn': {
      const cell = params.cell === 'gru' ? tf.layers.gru : tf.layers.lstm;
      const model = tf.sequential({
        layers: [cell({ units: Number(params.units), inputShape }), tf.layers.dense({ units: 1 })],
      });
      model.compile({ optimizer: tf.train.adam(learningRate), loss: 'meanSquaredError' });
      return model;
    }
  }
}
