/** Trade ticks → bars → LSTM/GRU → backtest: everything about the pipeline in one place (workflow: src/workflows/tick.ts). */
import { z } from 'zod';
import { batchSize, epochs, int, learningRate, seed, type ParamsOf } from './params';
import type { PipelineCatalogEntry } from './types';

const shape = {
  epochs,
  batchSize,
  learningRate,
  cell: z.enum(['lstm', 'gru']),
  units: int(1, 4096),
  sequenceLength: int(2, 10_000),
  barIntervalSec: int(1, 86_400),
  costBps: z.number().min(0).max(10_000),
  maxDirtyFraction: z.number().min(0).max(0.5),
  seed,
};
export type TickParams = ParamsOf<typeof shape>;

export const tick = {
  name: 'tick',
  workflowType: 'tickTraining',
  experiment: 'durable-ml-tick',
  policy: {
    modelName: 'tick-model',
    formerModelNames: [],
    gate: [
      { metric: 'backtest_sharpe', op: '>=', threshold: 1.5 },
      { metric: 'backtest_max_drawdown', op: '<=', threshold: 0.2 },
    ],
    championMetric: 'backtest_sharpe',
    higherIsBetter: true,
    // An annualised Sharpe from a few dozen bars is noise (a tick model once "passed" with Sharpe 56.7 on 25 test
    // sequences); 100 sequences is about two hours of 1-minute bars per symbol.
    minTestSize: 100,
    testUnit: 'sequences',
  },
  // Tick models feed the trading day: their tasks jump the queues.
  priority: 1,
  queues: { prepare: 'cpu', train: 'gpu', evaluate: 'cpu' },
  params: {
    shape,
    defaults: { epochs: 5, batchSize: 64, learningRate: 0.001, cell: 'lstm', units: 16, sequenceLength: 30, barIntervalSec: 60, costBps: 1, maxDirtyFraction: 0.05, seed: 42 } satisfies TickParams,
  },
  // Random-walk ticks hold nothing to learn, so the demo plants 1-minute momentum (lag-1 autocorrelation 0.3,
  // src/data/ticks/generate.ts): the LSTM can find it and pass the Sharpe/drawdown gate after costs, honestly.
  mainJob: { size: 'tiny', params: { epochs: 10, learningRate: 0.003 }, momentum: 0.3 },
} as const satisfies PipelineCatalogEntry<typeof shape>;
