/**
 * Faults of the surrounding servers and storage, against the real servers: an MLflow outage during
 * evaluate/register, a Temporal dev-server restart mid-training (SQLite state kept), and an unusable data root.
 * These stop and start the test stack's servers, so they need the stack from scripts/test.sh (DML_STATE_DIR, ports).
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppConfig } from '../../src/config';
import { MlflowClient } from '../../src/mlflow';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { eventually, testConfig, withPipelineStack } from '../helpers/stack';
import { stackService } from '../helpers/stack-control';

async function versionsOfRun(mlflow: MlflowClient, pipeline: 'power' | 'mnist', runId: string) {
  return mlflow.searchModelVersions(`name = '${MODEL_POLICIES[pipeline].modelName}' and run_id = '${runId}'`);
}

describe('faults', () => {
  it('MLflow down during evaluate/register: activities retry, and after it returns exactly one version exists', () =>
    withPipelineStack(async ({ config, client, mlflow }) => {
      try {
        const handle = await client.start('mnist', {
          requestId: `mlflow-outage-${config.taskQueues.cpu}`,
          input: { source: { kind: 'synthetic' }, params: { epochs: 3, model: 'mlp' }, gate: { test_accuracy: 0 } },
        });
        await eventually(async () => ['evaluate', 'register'].includes((await client.progress(handle.workflowId)).stage), 120_000, 50);
        await stackService('stop', 'mlflow');
        // Let at least one attempt fail against the stopped server.
        await eventually(async () => {
          const pending = (await handle.describe()).raw.pendingActivities ?? [];
          return pending.some((a) => (a.attempt ?? 0) >= 2);
        }, 60_000);
        await stackService('start', 'mlflow');
        const result = await handle.result();
        expect(result.registration.registered).toBe(true);
        expect((await versionsOfRun(mlflow, 'mnist', result.mlflowRunId)).map((v) => v.version)).toEqual([result.registration.version]);
        expect((await mlflow.getRun(result.mlflowRunId)).info.status).toBe('FINISHED');
      } finally {
        await stackService('start', 'mlflow');
      }
    }), 300_000);

  it('Temporal dev server restarted mid-training: the workflow completes from its persisted state', () =>
    withPipelineStack(async ({ config, client }) => {
      try {
        const handle = await client.start('mnist', {
          requestId: `temporal-restart-${config.taskQueues.cpu}`,
          input: { source: { kind: 'synthetic', size: 'small' }, params: { epochs: 6, model: 'mlp' } },
        });
        await eventually(async () => (await client.progress(handle.workflowId)).stage === 'train', 120_000, 100);
        await stackService('stop', 'temporal');
        await new Promise((r) => setTimeout(r, 3000));
        await stackService('start', 'temporal');
        const result = await handle.result();
        expect(result.metrics.test_accuracy).toBeGreaterThan(0.5);
        expect(result.registration.modelUri).toContain(result.mlflowRunId);
      } finally {
        await stackService('start', 'temporal');
      }
    }), 300_000);

  it('an unusable data root fails clearly, without retries, and registers nothing', async () => {
    const base = testConfig();
    // A file where the data root folder should be: nothing can be written under it.
    const dataRoot = path.join(base.dataRoot, 'not-a-folder');
    fs.writeFileSync(dataRoot, 'x');
    const config: AppConfig = { ...base, dataRoot };
    await withPipelineStack(async ({ client, mlflow }) => {
      const handle = await client.start('power', { requestId: `bad-root-${config.taskQueues.cpu}`, input: { source: { kind: 'synthetic' } } });
      const err = await handle.result().then(
        () => undefined,
        (e) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const failure = (err as WorkflowFailedError).cause?.cause as ApplicationFailure;
      expect(failure.type).toBe('StorageError');
      expect(failure.message).toContain(dataRoot);
      const runId = (await client.progress(handle.workflowId)).mlflowRunId!;
      expect((await mlflow.getRun(runId)).info.status).toBe('FAILED');
      expect(await versionsOfRun(mlflow, 'power', runId)).toEqual([]);
    }, config);
  });
});
