/** Household power → hourly features → LightGBM: everything about the pipeline in one place (workflow: src/workflows/power.ts). */
import { int, learningRate, seed, type ParamsOf } from './params';
import type { PipelineCatalogEntry } from './types';

const shape = {
  numBoostRound: int(1, 100_000),
  learningRate,
  // LightGBM needs at least two leaves; 131072 is its upper limit.
  numLeaves: int(2, 131_072),
  earlyStoppingRounds: int(0, 100_000),
  bucketMinutes: int(1, 1440),
  horizonSteps: int(1, 10_000),
  historyDays: int(0, 36_500),
  numThreads: int(0, 1024),
  seed,
};
export type PowerParams = ParamsOf<typeof shape>;

export const power = {
  name: 'power',
  workflowType: 'powerTraining',
  experiment: 'durable-ml-power',
  policy: {
    modelName: 'power-consumption-model',
    formerModelNames: [],
    gate: [{ metric: 'test_rmse', op: '<', threshold: 0.75 }],
    championMetric: 'test_rmse',
    higherIsBetter: false,
    // Two days of hourly rows: every hour of the daily cycle measured twice.
    minTestSize: 48,
    testUnit: 'rows',
  },
  // Ahead of the image trainings (3), behind tick (1): the daily forecast should not wait behind a long CNN backlog.
  priority: 2,
  queues: { prepare: 'cpu', train: 'cpu', evaluate: 'cpu' },
  params: {
    shape,
    defaults: { numBoostRound: 200, learningRate: 0.05, numLeaves: 31, earlyStoppingRounds: 20, bucketMinutes: 60, horizonSteps: 1, historyDays: 0, numThreads: 0, seed: 42 } satisfies PowerParams,
  },
  mainJob: { size: 'small', params: { numBoostRound: 300 } },
} as const satisfies PipelineCatalogEntry<typeof shape>;
