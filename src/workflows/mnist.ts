import { mnist } from '../pipelines/mnist';
import { runPipeline } from './shared/pipeline';
import type { PipelineInput, PipelineResult } from './shared/types';
import { stageActivities } from './shared/proxies';

/**
 * MNIST digits: IDX files → CNN → test accuracy → gate → registered model.
 * Everything else about this pipeline (queues, priority, parameters and defaults, gate, model name, experiment)
 * is its catalog entry: {@link mnist} in src/pipelines/mnist.ts.
 */
export async function mnistTraining(input: PipelineInput = {}): Promise<PipelineResult> {
  return runPipeline(mnist.name, input, (valid) => {
    const { prepare, train, evaluate } = stageActivities(mnist, valid);
    return {
      prepare: prepare.prepareMnist,
      train: train.trainMnistModel,
      evaluate: evaluate.evaluateClassifier,
    };
  });
}
