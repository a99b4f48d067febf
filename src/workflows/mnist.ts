import { runPipeline } from './shared/pipeline';
import { stageActivities } from './shared/proxies';
import type { PipelineInput, PipelineResult } from './shared/types';

/** MNIST digits: IDX files → CNN on the GPU queue → test accuracy → `mnist-cnn` if accuracy ≥ 0.95. */
export async function mnistTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  const { prepare, gpuTrain, evaluate } = stageActivities('mnist', input);
  return runPipeline('mnist', input, {
    prepare: prepare.prepareMnist,
    train: gpuTrain.trainMnistModel,
    evaluate: evaluate.evaluateClassifier,
  });
}
