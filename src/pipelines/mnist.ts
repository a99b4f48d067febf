/** MNIST digits: everything about the pipeline in one place (workflow: src/workflows/mnist.ts). */
import { visionParams, type ParamsOf } from './params';
import type { PipelineCatalogEntry } from './types';

const shape = visionParams;
export type MnistParams = ParamsOf<typeof shape>;

export const mnist = {
  name: 'mnist',
  workflowType: 'mnistTraining',
  experiment: 'durable-ml-mnist',
  policy: {
    modelName: 'mnist-cnn-model',
    formerModelNames: ['mnist-cnn'],
    gate: [{ metric: 'test_accuracy', op: '>=', threshold: 0.95 }],
    championMetric: 'test_accuracy',
    higherIsBetter: true,
    // 200 images: the accuracy's standard error near 0.95 is about 0.015.
    minTestSize: 200,
    testUnit: 'images',
  },
  priority: 3,
  queues: { prepare: 'cpu', train: 'gpu', evaluate: 'cpu' },
  params: {
    shape,
    defaults: { model: 'cnn', epochs: 5, batchSize: 64, learningRate: 0.001, validationFraction: 0.1, seed: 42, hiddenUnits: 64 } satisfies MnistParams,
  },
  // Enough epochs for the CNN to pass its gate on the small synthetic set.
  mainJob: { size: 'small', params: { epochs: 8 } },
} as const satisfies PipelineCatalogEntry<typeof shape>;
