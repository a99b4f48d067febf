/** CIFAR-10 images: everything about the pipeline in one place (workflow: src/workflows/cifar10.ts). */
import { z } from 'zod';
import { visionParams, type ParamsOf } from './params';
import type { PipelineCatalogEntry } from './types';

const shape = { ...visionParams, augment: z.boolean() };
export type Cifar10Params = ParamsOf<typeof shape>;

export const cifar10 = {
  name: 'cifar10',
  workflowType: 'cifar10Training',
  experiment: 'durable-ml-cifar10',
  policy: {
    modelName: 'cifar10-cnn-model',
    formerModelNames: ['cifar10-cnn'],
    gate: [{ metric: 'test_accuracy', op: '>=', threshold: 0.85 }],
    championMetric: 'test_accuracy',
    higherIsBetter: true,
    minTestSize: 200,
    testUnit: 'images',
  },
  priority: 3,
  queues: { prepare: 'cpu', train: 'gpu', evaluate: 'cpu' },
  params: {
    shape,
    // The VGG-style CNN needs on the order of 100+ epochs with augmentation to reach 0.85 on the real data: a GPU worker's job.
    defaults: { model: 'cnn', epochs: 5, batchSize: 64, learningRate: 0.001, validationFraction: 0.1, seed: 42, hiddenUnits: 128, augment: true } satisfies Cifar10Params,
  },
  // The CNN trains at ~100 samples/s on a 2-core CPU (bench/cnn): the main job shows the plumbing, and the gate says no.
  mainJob: { size: 'tiny', params: { epochs: 3 } },
} as const satisfies PipelineCatalogEntry<typeof shape>;
