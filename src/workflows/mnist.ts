import { runPipeline } from './shared/pipeline';
import type { PipelineInput, PipelineResult } from './shared/types';
import { stageActivities } from './shared/proxies';

/** MNIST digits: IDX files → CNN on the GPU queue → test accuracy → `mnist-cnn` if accuracy ≥ 0.95. */
export async function mnistTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  return runPipeline('mnist', input, (valid) => {
    const { prepare, gpuTrain, evaluate } = stageActivities('mnist', valid);
    return {
      prepare: prepare.prepareMnist,
      train: gpuTrain.trainMnistModel,
      evaluate: evaluate.evaluateClassifier,
    };
  });
}
