import { runPipeline } from './shared/pipeline';
import { stageActivities } from './shared/proxies';
import type { PipelineInput, PipelineResult } from './shared/types';

/** Household power: UCI minute readings → hourly features → LightGBM on the CPU queue → `power-consumption-model` if RMSE is low enough. */
export async function powerTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  const { prepare, cpuTrain, evaluate } = stageActivities('power', input);
  return runPipeline('power', input, {
    prepare: prepare.preparePower,
    train: cpuTrain.trainPowerModel,
    evaluate: evaluate.evaluatePowerModel,
  });
}
