import { runPipeline } from './shared/pipeline';
import type { PipelineInput, PipelineResult } from './shared/types';
import { stageActivities } from './shared/proxies';

/** Household power: UCI minute readings → hourly features → LightGBM on the CPU queue → `power-consumption-model` if RMSE is low enough. */
export async function powerTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  return runPipeline('power', input, (valid) => {
    const { prepare, cpuTrain, evaluate } = stageActivities('power', valid);
    return {
      prepare: prepare.preparePower,
      train: cpuTrain.trainPowerModel,
      evaluate: evaluate.evaluatePowerModel,
    };
  });
}
