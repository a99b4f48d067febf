import { runPipeline } from './shared/pipeline';
import type { PipelineInput, PipelineResult } from './shared/types';
import { stageActivities } from './shared/proxies';

/** CIFAR-10: binary batches → CNN on the GPU queue → test accuracy → `cifar10-cnn` if accuracy ≥ 0.85. */
export async function cifar10Training(input: PipelineInput = {}): Promise<PipelineResult> {
  return runPipeline('cifar10', input, (valid) => {
    const { prepare, gpuTrain, evaluate } = stageActivities('cifar10', valid);
    return {
      prepare: prepare.prepareCifar10,
      train: gpuTrain.trainCifar10Model,
      evaluate: evaluate.evaluateClassifier,
    };
  });
}
