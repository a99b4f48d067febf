import { runPipeline } from './shared/pipeline';
import { stageActivities } from './shared/proxies';
import type { PipelineInput, PipelineResult } from './shared/types';

/** Trade ticks: clean → bars → features → LSTM/GRU on the GPU queue → backtest → `tick-model` if Sharpe and drawdown pass. */
export async function tickTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  const { prepare, gpuTrain, evaluate } = stageActivities('tick', input);
  return runPipeline('tick', input, {
    prepare: prepare.prepareTicks,
    train: gpuTrain.trainTickModel,
    evaluate: evaluate.evaluateTickModel,
  });
}
