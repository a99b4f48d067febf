/**
 * The GPU worker process is SIGKILLed in the middle of training. Temporal notices the missing heartbeats,
 * retries the activity on a freshly started worker process, and training resumes from the last epoch
 * checkpoint: the full epoch count is reached, each epoch is logged once, and there is one MLflow run.
 */
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { MlflowClient } from '../../src/mlflow';
import { PipelineResult } from '../../src/client';
import { eventually, pipelineClient, startWorkers, testConfig } from '../helpers/stack';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

it('training resumes from its checkpoint after the worker process is killed', async () => {
  const config = testConfig();
  const env = workerEnv(config);
  const mlflow = new MlflowClient(config.mlflow);
  const cpu = await startWorkers(config, ['cpu']);
  const client = await pipelineClient(config);
  let gpu = startWorkerProcess('gpu', env);
  try {
    const epochs = 8;
    const handle = await client.start('mnist', {
      requestId: `crash-${config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic' }, params: { epochs } },
    });
    const runId = await eventually(async () => (await client.progress(handle.workflowId)).mlflowRunId);
    // Kill once at least two epochs are checkpointed and logged, while later epochs are still to come.
    const loggedBeforeKill = await eventually(async () => {
      const points = await mlflow.getMetricHistory(runId, 'val_accuracy');
      return points.length >= 2 && points.length;
    }, 120_000, 100);
    gpu.child.kill('SIGKILL');
    expect(loggedBeforeKill).toBeLessThan(epochs);
    await gpu.exited;
    gpu = startWorkerProcess('gpu', env);

    const result = (await handle.result()) as PipelineResult;
    expect(result.metrics.test_accuracy).toBeGreaterThan(0.5);

    const run = await mlflow.getRun(runId);
    const resumedTag = run.data.tags?.find((t) => t.key.startsWith('resumed_from_epoch_attempt_'));
    expect(resumedTag).toBeDefined();
    // At most the epoch in flight when the worker died is redone.
    expect(Number(resumedTag!.value)).toBeGreaterThanOrEqual(loggedBeforeKill);
    const steps = (await mlflow.getMetricHistory(runId, 'val_accuracy')).map((p) => p.step).sort((a, b) => a - b);
    expect(steps).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));

    const experiment = await mlflow.getExperimentByName(EXPERIMENT_OF.mnist);
    const runs = await mlflow.searchRuns([experiment!.experiment_id], `tags.${RUN_TAGS.workflowId} = '${handle.workflowId}'`);
    expect(runs).toHaveLength(1);

    const trainEvents = ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt === 2,
    );
    expect(trainEvents).toHaveLength(1);
  } finally {
    gpu.child.kill('SIGKILL');
    await cpu.stop();
    await client.close();
  }
}, 300_000);
