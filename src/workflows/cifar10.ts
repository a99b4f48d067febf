import { cifar10 } from '../pipelines/cifar10';
import { runPipeline } from './shared/pipeline';
import type { PipelineInput, PipelineResult } from './shared/types';
import { stageActivities } from './shared/proxies';

/**
 * CIFAR-10: binary batches → CNN → test accuracy → gate → registered model.
 * Everything else about this pipeline (queues, priority, parameters and defaults, gate, model name, experiment)
 * is its catalog entry: {@link cifar10} in src/pipelines/cifar10.ts.
 */
export async function cifar10Training(input: PipelineInput = {}): Promise<PipelineResult> {
  return runPipeline(cifar10.name, input, (valid) => {
    const { prepare, train, evaluate } = stageActivities(cifar10, valid);
    return {
      prepare: prepare.prepareCifar10,
      train: train.trainCifar10Model,
      evaluate: evaluate.evaluateClassifier,
    };
  });
}
