/**
 * Every workflow type runs end to end on the real Temporal dev server with real workers (both queues),
 * tracks exactly one MLflow run with params, per-epoch metrics and artifacts, and returns references only.
 */
import { PipelineName } from '../../src/client';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { usePipelineStack } from '../helpers/stack';

describe('the four pipelines end to end', () => {
  const stack = usePipelineStack();

  const cases: { pipeline: PipelineName; params: Record<string, number | string>; metric: string; perEpoch: string; plots: string[] }[] = [
    { pipeline: 'mnist', params: { epochs: 3 }, metric: 'test_accuracy', perEpoch: 'val_accuracy', plots: ['confusion_matrix', 'learning_curve'] },
    { pipeline: 'cifar10', params: { epochs: 2 }, metric: 'test_accuracy', perEpoch: 'val_accuracy', plots: ['confusion_matrix', 'learning_curve'] },
    { pipeline: 'tick', params: { epochs: 2 }, metric: 'backtest_sharpe', perEpoch: 'val_loss', plots: ['equity_curve', 'learning_curve'] },
    { pipeline: 'power', params: { numBoostRound: 60 }, metric: 'test_rmse', perEpoch: 'val_rmse', plots: ['feature_importance', 'learning_curve', 'prediction_vs_actual'] },
  ];

  it.each(cases)('$pipeline completes, tracked in one MLflow run', async ({ pipeline, params, metric, perEpoch, plots }) => {
    const handle = await stack.client.start(pipeline, { requestId: `e2e-${stack.config.taskQueues.cpu}`, input: { source: { kind: 'synthetic' }, params } });
    const result = await handle.result();

    expect(result.pipeline).toBe(pipeline);
    expect(Number.isFinite(result.metrics[metric])).toBe(true);
    expect(result.registration.modelUri).toBe(`mlflow-artifacts:/${(await stack.mlflow.getRun(result.mlflowRunId)).info.experiment_id}/${result.mlflowRunId}/artifacts/model`);
    // The progress query shows the last training progress the activity reported.
    const progress = await stack.client.progress(handle.workflowId);
    expect(progress.stage).toBe('done');
    if (pipeline !== 'power') expect(progress.training).toMatchObject({ epoch: params.epochs, totalEpochs: params.epochs });
    else expect(progress.training?.epoch).toBeGreaterThan(0);
    // References only: the whole result is a few hundred bytes.
    expect(JSON.stringify(result).length).toBeLessThan(4096);

    const experiment = await stack.mlflow.getExperimentByName(EXPERIMENT_OF[pipeline]);
    const runs = await stack.mlflow.searchRuns([experiment!.experiment_id], `tags.${RUN_TAGS.workflowId} = '${handle.workflowId}'`);
    expect(runs.map((r) => r.info.run_id)).toEqual([result.mlflowRunId]);
    const run = runs[0];
    expect(run.info.status).toBe('FINISHED');
    const params_ = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
    expect(params_).toMatchObject({ dataset: expect.stringContaining('synthetic'), seed: '42' });
    if (pipeline === 'mnist' || pipeline === 'cifar10') expect(params_).toMatchObject({ model: 'cnn', tfjs_backend: result.backend });
    // Training runs on native TensorFlow by default, and says so.
    if (pipeline !== 'power') expect(params_).toMatchObject({ tfjs_backend: 'tensorflow', tensorflow_version: '2.21.0', tfjs_threads: expect.stringMatching(/^\d+$/) });
    expect(run.data.metrics?.map((m) => m.key)).toEqual(expect.arrayContaining([metric]));
    const history = await stack.mlflow.getMetricHistory(result.mlflowRunId, perEpoch);
    expect(history.length).toBeGreaterThanOrEqual(2);
    const pngs = (await stack.mlflow.listArtifacts(result.mlflowRunId, 'plots')).map((f) => f.path).sort();
    expect(pngs).toEqual(plots.map((p) => `plots/${p}.png`));
    const png = await stack.mlflow.downloadArtifact(run.info.artifact_uri, pngs[0]);
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const model = await stack.mlflow.listArtifacts(result.mlflowRunId, 'model');
    expect(model.map((f) => f.path)).toEqual(expect.arrayContaining(['model/MLmodel']));
    const mlmodel = (await stack.mlflow.downloadArtifact(run.info.artifact_uri, 'model/MLmodel')).toString();
    expect(mlmodel).toContain(`run_id: ${result.mlflowRunId}`);

    // Search attributes let users filter by pipeline and MLflow run in the Temporal UI.
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get({ name: 'DmlPipeline', type: 'KEYWORD' } as never)).toBe(pipeline);
    expect(description.typedSearchAttributes.get({ name: 'DmlMlflowRunId', type: 'KEYWORD' } as never)).toBe(result.mlflowRunId);
  });

  it('the image classifiers really learn (accuracy well above chance on the synthetic digits)', async () => {
    const result = await stack.client.execute('mnist', { requestId: `learn-${stack.config.taskQueues.cpu}`, input: { source: { kind: 'synthetic' }, params: { epochs: 5 } } });
    expect(result.metrics.test_accuracy).toBeGreaterThan(0.8);
    expect(result.backend).toBe('tensorflow');
  });

  it('falls back to wasm when DML_TFJS_BACKEND=wasm, and says so in MLflow', async () => {
    // Training threads read the environment when they start, so this run's thread loads wasm.
    process.env.DML_TFJS_BACKEND = 'wasm';
    try {
      const result = await stack.client.execute('mnist', {
        requestId: `wasm-${stack.config.taskQueues.cpu}`,
        input: { source: { kind: 'synthetic', size: 'tiny' }, params: { model: 'mlp', epochs: 2 } },
      });
      expect(result.backend).toBe('wasm');
      const run = await stack.mlflow.getRun(result.mlflowRunId);
      const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
      expect(params).toMatchObject({ tfjs_backend: 'wasm', tensorflow_version: 'none', tfjs_threads: '1' });
      expect(Number.isFinite(result.metrics.test_accuracy)).toBe(true);
    } finally {
      delete process.env.DML_TFJS_BACKEND;
    }
  });
});
