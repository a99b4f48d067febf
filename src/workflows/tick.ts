import { runPipeline } from './shared/pipeline';
import type { PipelineInput, PipelineResult } from './shared/types';
import { stageActivities } from './shared/proxies';

/** Trade ticks: clean → bars → features → LSTM/GRU on the GPU queue → backtest → `tick-model` if Sharpe and drawdown pass. */
export async function tickTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  return runPipeline('tick', input, (valid) => {
    const { prepare, gpuTrain, evaluate } = stageActivities('tick', valid);
    return {
      prepare: prepare.prepareTicks,
      train: gpuTrain.trainTickModel,
      evaluate: evaluate.evaluateTickModel,
    };
  });
}
