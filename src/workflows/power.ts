import { power } from '../pipelines/power';
import { runPipeline } from './shared/pipeline';
import type { PipelineInput, PipelineResult } from './shared/types';
import { stageActivities } from './shared/proxies';

/**
 * Household power: UCI minute readings → hourly features → LightGBM → RMSE → gate → registered model.
 * Everything else about this pipeline (queues, priority, parameters and defaults, gate, model name, experiment)
 * is its catalog entry: {@link power} in src/pipelines/power.ts.
 */
export async function powerTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  return runPipeline(power.name, input, (valid) => {
    const { prepare, train, evaluate } = stageActivities(power, valid);
    return {
      prepare: prepare.preparePower,
      train: train.trainPowerModel,
      evaluate: evaluate.evaluatePowerModel,
    };
  });
}
