import { tick } from '../pipelines/tick';
import { runPipeline } from './shared/pipeline';
import type { PipelineInput, PipelineResult } from './shared/types';
import { stageActivities } from './shared/proxies';

/**
 * Trade ticks: clean → bars → features → LSTM/GRU → backtest → gate (Sharpe, drawdown) → registered model.
 * Everything else about this pipeline (queues, priority, parameters and defaults, gate, model name, experiment)
 * is its catalog entry: {@link tick} in src/pipelines/tick.ts.
 */
export async function tickTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  return runPipeline(tick.name, input, (valid) => {
    const { prepare, train, evaluate } = stageActivities(tick, valid);
    return {
      prepare: prepare.prepareTicks,
      train: train.trainTickModel,
      evaluate: evaluate.evaluateTickModel,
    };
  });
}
