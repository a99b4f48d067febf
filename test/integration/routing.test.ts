/**
 * Activities land on the queue of their stage: with only the CPU worker running, an MNIST run prepares its
 * data and then waits at `train` (a GPU-queue activity) until a GPU worker starts; then it completes.
 */
import { eventually, pipelineClient, startWorkers, testConfig } from '../helpers/stack';

it('training waits for a GPU worker and completes once one polls the gpu queue', async () => {
  const config = testConfig();
  const cpu = await startWorkers(config, ['cpu']);
  const client = await pipelineClient(config);
  try {
    const handle = await client.start('mnist', { requestId: `routing-${config.taskQueues.cpu}`, input: { source: { kind: 'synthetic' }, params: { epochs: 1 } } });
    const pending = await eventually(async () => {
      const d = await handle.describe();
      const activities = d.raw.pendingActivities ?? [];
      return activities.find((a) => a.activityType?.name === 'trainMnistModel');
    });
    expect((await client.progress(handle.workflowId)).stage).toBe('train');
    expect(pending.attempt).toBe(1);
    // Nothing has picked it up: no worker polls the gpu queue yet.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await client.progress(handle.workflowId)).stage).toBe('train');

    const gpu = await startWorkers(config, ['gpu']);
    try {
      const result = await handle.result();
      expect(result.metrics.test_accuracy).toBeGreaterThan(0);
    } finally {
      await gpu.stop();
    }
    // The train activity ran on the gpu queue, the others on cpu: read it from the history.
    // The MLflow run's start and finish are local activities: they ran in the workflow's own (cpu) worker and
    // are recorded as local-activity markers, not scheduled on a queue.
    const queues: Record<string, string> = {};
    let localActivities = 0;
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) queues[scheduled.activityType!.name!] = scheduled.taskQueue!.name!;
      if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity') localActivities++;
    }
    expect(queues).toEqual({
      prepareMnist: config.taskQueues.cpu,
      trainMnistModel: config.taskQueues.gpu,
      evaluateClassifier: config.taskQueues.cpu,
      registerModel: config.taskQueues.cpu,
    });
    expect(localActivities).toBe(2);
  } finally {
    await cpu.stop();
    await client.close();
  }
});
