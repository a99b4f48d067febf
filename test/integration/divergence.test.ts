/**
 * A training whose loss becomes NaN or infinite (here: a learning rate so large the tick model's squared error
 * overflows) fails at once with a non-retryable "training diverged at epoch N (batch B)" failure: one attempt,
 * MLflow run FAILED, no model version, and the run's checkpoints and model files removed.
 */
import fs from 'node:fs';
import { checkpointDirOf, modelDirOf } from '../../src/activities/train-tfjs';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { failureOf } from '../helpers/failures';
import { withPipelineStack } from '../helpers/stack';

it('a diverging training fails non-retryably, names the epoch and batch, registers nothing and leaves no files', () =>
  withPipelineStack(async ({ config, client, mlflow }) => {
    const handle = await client.start('tick', {
      requestId: `diverge-${config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic', size: 'tiny' }, params: { epochs: 3, learningRate: 1e20 } },
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
  }), 240_000);
