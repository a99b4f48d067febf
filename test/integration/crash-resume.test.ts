/**
 * The GPU worker process is SIGKILLed in the middle of an epoch, and the newest checkpoint is then corrupted (as
 * a crash mid-write on storage without ordering guarantees could). Temporal notices the missing heartbeats,
 * retries the activity on a freshly started worker process, which skips the corrupt checkpoint with a warning
 * (MLflow tag) and resumes from the one before it, taken mid-epoch on time (every second here): the full epoch
 * count is reached, each epoch is logged once, and there is one MLflow run.
 */
import path from 'node:path';
import fs from 'node:fs';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { checkpointDirOf } from '../../src/data/layout';
import { MlflowClient } from '../../src/mlflow';
import { eventually, pipelineClient, startWorkers, testConfig } from '../helpers/stack';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

it('training resumes from its newest intact checkpoint, mid-epoch, after the worker process is killed', async () => {
  const config = testConfig();
  const env = { ...workerEnv(config), DML_CHECKPOINT_EVERY_SEC: '1' };
  const mlflow = new MlflowClient(config.mlflow);
  const cpu = await startWorkers(config, ['cpu']);
  const client = await pipelineClient(config);
  let gpu = startWorkerProcess('gpu', env);
  try {
    const epochs = 6;
    // The small set (5,400 training images) makes an epoch last several checkpoint intervals even on native
    // TensorFlow; on the tiny default an epoch can end before a mid-epoch checkpoint is due.
    const handle = await client.start('mnist', {
      requestId: `crash-${config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic', size: 'small' }, params: { epochs } },
    });
    // As long as the next wait: on a loaded machine (the full suite) a workflow task can take over 5 s and a query fail meanwhile.
    const runId = await eventually(async () => (await client.progress(handle.workflowId)).mlflowRunId, 120_000);
    // Kill once at least two epochs are checkpointed and logged, while later epochs are still to come.
    const loggedBeforeKill = await eventually(async () => {
      const points = await mlflow.getMetricHistory(runId, 'val_accuracy');
      return points.length >= 2 && points.length;
    }, 120_000, 100);
    // ...and once a mid-epoch checkpoint of a later epoch is on disk (ckpt-e<epochs done>-b<batches done>).
    const checkpoints = () => fs.readdirSync(checkpointDirOf(config.dataRoot, runId)).filter((n) => n.startsWith('ckpt-')).sort();
    await eventually(async () => {
      const names = checkpoints();
      return names.length === 2 && !names[1].endsWith('-b000000');
    }, 120_000, 50);
    gpu.child.kill('SIGKILL');
    expect(loggedBeforeKill).toBeLessThan(epochs);
    await gpu.exited;
    const [previous, newest] = checkpoints().slice(-2); // a kill between a rename and the pruning leaves three
    const weights = path.join(checkpointDirOf(config.dataRoot, runId), newest, 'weights.bin');
    fs.truncateSync(weights, fs.statSync(weights).size - 1);
    gpu = startWorkerProcess('gpu', env);

    const result = await handle.result();
    expect(result.metrics.test_accuracy).toBeGreaterThan(0.5);

    const run = await mlflow.getRun(runId);
    const resumedTag = run.data.tags?.find((t) => t.key.startsWith('resumed_from_epoch_attempt_'));
    expect(resumedTag).toBeDefined();
    // At most the epoch in flight when the worker died is redone...
    expect(Number(resumedTag!.value)).toBeGreaterThanOrEqual(loggedBeforeKill);
    // ...and of it, only what followed the newest intact checkpoint: the corrupt one is skipped with a warning.
    const tag = (key: string) => run.data.tags?.find((t) => t.key === key)?.value;
    expect(tag('checkpoint_skipped_attempt_2')).toMatch(new RegExp(`^${newest}: weights\\.bin does not match its hash`));
    const resumedAt = `ckpt-e${tag('resumed_from_epoch_attempt_2')!.padStart(6, '0')}-b${tag('resumed_from_batch_attempt_2')!.padStart(6, '0')}`;
    expect(resumedAt).toBe(previous);
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
