import { runPipeline } from './shared/pipeline';
import { stageActivities } from './shared/proxies';
import type { PipelineInput, PipelineResult } from './shared/types';

/** CIFAR-10: binary batches → CNN on the GPU queue → test accuracy → `cifar10-cnn` if accuracy ≥ 0.85. */
export async function cifar10Training(input: PipelineInput = {}): Promise<PipelineResult> {
  const { prepare, gpuTrain, evaluate } = stageActivities('cifar10', input);
  return runPipeline('cifar10', input, {
    prepare: prepare.prepareCifar10,
    train: gpuTrain.trainCifar10Model,
    evaluate: evaluate.evaluateClassifier,
  });
}
