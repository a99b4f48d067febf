/**
 * A training whose loss becomes NaN or infinite (here: a learning rate so large the tick model's squared error
 * overflows) fails at once with a non-retryable "training diverged at epoch N (batch B)" failure: one attempt,
 * MLflow run FAILED, no model version, and the run's checkpoints and model files removed.
 * The input schema refuses such a learning rate at the workflow boundary, so the fault is injected behind it: the
 * training activity gets the overflowing rate, everything else runs as deployed.
 */
import fs from 'node:fs';
import { createActivities } from '../../src/activities';
import { checkpointDirOf, modelDirOf } from '../../src/data/layout';
import { MlflowClient } from '../../src/mlflow';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { failureOf } from '../helpers/failures';
import { depsFor, pipelineClient, startWorkers, testConfig } from '../helpers/stack';

it('a diverging training fails non-retryably, names the epoch and batch, registers nothing and leaves no files', async () => {
  const config = testConfig();
  const base = createActivities(depsFor(config));
  const activities: typeof base = { ...base, trainTickModel: (req) => base.trainTickModel({ ...req, params: { ...req.params, learningRate: 1e20 } }) };
  const workers = await startWorkers(config, ['cpu', 'gpu'], activities);
  const client = await pipelineClient(config);
  const mlflow = new MlflowClient(config.mlflow);
  try {
    const handle = await client.start('tick', {
      requestId: `diverge-${config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic', size: 'tiny' }, params: { epochs: 3 } },
    });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('TrainingDiverged');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^training diverged at epoch 1 \(batch \d+ of \d+\): loss is (NaN|-?Infinity)$/);

    const started = ((await handle.fetchHistory()).events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    const trainAttempts = started.filter((e) => (e.activityTaskStartedEventAttributes!.attempt ?? 1) > 1);
    expect(trainAttempts).toEqual([]);

    const runId = (await client.progress(handle.workflowId)).mlflowRunId!;
    expect((await mlflow.getRun(runId)).info.status).toBe('FAILED');
    expect(await mlflow.searchModelVersions(`name = '${MODEL_POLICIES.tick.modelName}' and run_id = '${runId}'`)).toEqual([]);
    expect(fs.existsSync(checkpointDirOf(config.dataRoot, runId))).toBe(false);
    expect(fs.existsSync(modelDirOf(config.dataRoot, runId))).toBe(false);
  } finally {
    await workers.stop();
    await client.close();
  }
}, 240_000);
