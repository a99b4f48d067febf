/**
 * SIGTERM to a GPU worker process in the middle of training: the worker stops polling, asks the in-flight
 * training to stop, which checkpoints at the batch it reached, exits cleanly, and another worker resumes the
 * training from that checkpoint without waiting for a heartbeat timeout.
 * The worker also serves Prometheus metrics on the configured address.
 */
import axios from 'axios';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { MlflowClient } from '../../src/mlflow';
import { eventually, pipelineClient, startWorkers, testConfig } from '../helpers/stack';
import { freePort, startWorkerProcess, workerEnv } from '../helpers/worker-process';

it('a SIGTERMed worker exits cleanly and training resumes elsewhere from its checkpoint', async () => {
  const config = testConfig();
  const metricsBind = `127.0.0.1:${await freePort()}`;
  const mlflow = new MlflowClient(config.mlflow);
  const cpu = await startWorkers(config, ['cpu']);
  const client = await pipelineClient(config);
  let gpu = startWorkerProcess('gpu', { ...workerEnv(config), DML_METRICS_BIND: metricsBind });
  try {
    const metrics = await eventually(async () => (await axios.get<string>(`http://${metricsBind}/metrics`)).data, 30_000);
    expect(metrics).toMatch(/^temporal_/m);

    const epochs = 8;
    const handle = await client.start('mnist', {
      requestId: `sigterm-${config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic' }, params: { epochs } },
    });
    const runId = await eventually(async () => (await client.progress(handle.workflowId)).mlflowRunId);
    await eventually(async () => (await mlflow.getMetricHistory(runId, 'val_accuracy')).length >= 2, 120_000, 100);
    const stoppingAt = Date.now();
    gpu.child.kill('SIGTERM');
    expect(await gpu.exited).toBe(0);
    // The worker neither hangs nor trains on: it exits within seconds.
    expect(Date.now() - stoppingAt).toBeLessThan(10_000);
    expect(gpu.output()).toContain('"role":"gpu"');
    expect(gpu.output()).toContain('training stopped with a checkpoint');

    gpu = startWorkerProcess('gpu', workerEnv(config));
    const result = await handle.result();
    expect(result.metrics.test_accuracy).toBeGreaterThan(0.5);
    const run = await mlflow.getRun(runId);
    expect(run.data.tags?.some((t) => t.key.startsWith('resumed_from_epoch_attempt_'))).toBe(true);
    expect(run.data.tags?.some((t) => t.key.startsWith('resumed_from_batch_attempt_'))).toBe(true);
    const steps = (await mlflow.getMetricHistory(runId, 'val_accuracy')).map((p) => p.step).sort((a, b) => a - b);
    expect(steps).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    const experiment = await mlflow.getExperimentByName(EXPERIMENT_OF.mnist);
    expect(await mlflow.searchRuns([experiment!.experiment_id], `tags.${RUN_TAGS.workflowId} = '${handle.workflowId}'`)).toHaveLength(1);
  } finally {
    gpu.child.kill('SIGKILL');
    await cpu.stop();
    await client.close();
  }
}, 300_000);
