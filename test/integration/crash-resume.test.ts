/**
 * The GPU worker process is SIGKILLed in the middle of an epoch. Temporal notices the missing heartbeats,
 * retries the activity on a freshly started worker process, and training resumes from the newest checkpoint,
 * taken mid-epoch on time (every second here): the full epoch count is reached, each epoch is logged once, and
 * there is one MLflow run.
 */
import fs from 'node:fs';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { checkpointDirOf } from '../../src/activities/train-tfjs';
import { MlflowClient } from '../../src/mlflow';
import { PipelineResult } from '../../src/client';
import { eventually, pipelineClient, startWorkers, testConfig } from '../helpers/stack';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

it('training resumes from its checkpoint after the worker process is killed', async () => {
  const config = testConfig();
  const env = { ...workerEnv(config), DML_CHECKPOINT_EVERY_SEC: '1' };
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
    // ...and once a mid-epoch checkpoint of a later epoch is on disk (ckpt-e<epochs done>-b<batches done>).
    const midEpoch = await eventually(async () => {
      const names = fs.readdirSync(checkpointDirOf(config.dataRoot, runId)).filter((n) => n.startsWith('ckpt-')).sort();
      const newest = names[names.length - 1];
      return newest && !newest.endsWith('-b000000') && newest;
    }, 120_000, 50);
    gpu.child.kill('SIGKILL');
    expect(loggedBeforeKill).toBeLessThan(epochs);
    await gpu.exited;
    gpu = startWorkerProcess('gpu', env);

    const result = (await handle.result()) as PipelineResult;
    expect(result.metrics.test_accuracy).toBeGreaterThan(0.5);

    const run = await mlflow.getRun(runId);
    const resumedTag = run.data.tags?.find((t) => t.key.startsWith('resumed_from_epoch_attempt_'));
    expect(resumedTag).toBeDefined();
    // At most the epoch in flight when the worker died is redone...
    expect(Number(resumedTag!.value)).toBeGreaterThanOrEqual(loggedBeforeKill);
    // ...and of it, only what followed the newest checkpoint: training resumed at or after the mid-epoch one.
    const resumedBatch = run.data.tags?.find((t) => t.key === resumedTag!.key.replace('epoch', 'batch'));
    const resumedAt = `ckpt-e${resumedTag!.value.padStart(6, '0')}-b${resumedBatch!.value.padStart(6, '0')}`;
    expect(resumedAt >= midEpoch).toBe(true);
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
