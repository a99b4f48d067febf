/**
 * Cancelling a workflow (UI, CLI or client) stops its training promptly and cleanly: the training thread is
 * stopped through the activity's heartbeat-delivered cancellation, the workflow ends as cancelled, and the
 * MLflow run is marked KILLED with nothing registered.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { eventually, withPipelineStack } from '../helpers/stack';

it('a cancelled workflow stops training within seconds and closes its MLflow run as KILLED', () =>
  withPipelineStack(async ({ config, client, mlflow }) => {
    const handle = await client.start('mnist', {
      requestId: `cancel-${config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic' }, params: { epochs: 30 } },
    });
    await eventually(async () => ((await client.progress(handle.workflowId)).training?.epoch ?? 0) >= 1, 120_000, 200);
    const runId = (await client.progress(handle.workflowId)).mlflowRunId!;
    const cancelledAt = Date.now();
    await handle.cancel();
    const err = await handle.result().then(
      () => undefined,
      (e) => e,
    );
    expect(Date.now() - cancelledAt).toBeLessThan(15_000);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

    const run = await mlflow.getRun(runId);
    expect(run.info.status).toBe('KILLED');
    // Training really stopped: no further epochs are logged.
    const epochsAtEnd = (await mlflow.getMetricHistory(runId, 'val_accuracy')).length;
    await new Promise((r) => setTimeout(r, 4000));
    expect((await mlflow.getMetricHistory(runId, 'val_accuracy')).length).toBe(epochsAtEnd);
    expect(epochsAtEnd).toBeLessThan(30);
    expect(await mlflow.searchModelVersions(`name = '${MODEL_POLICIES.mnist.modelName}' and run_id = '${runId}'`)).toEqual([]);
  }), 240_000);
