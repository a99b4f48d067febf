/**
 * Duplicates are refused at every level: a repeated start request reuses its workflow; an activity retried
 * after it already created the MLflow run or the model version finds what its first attempt made.
 */
import { ApplicationFailure } from '@temporalio/common';
import { AppConfig } from '../../src/config';
import { createActivities } from '../../src/activities';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { MlflowClient } from '../../src/mlflow';
import { depsFor, pipelineClient, startWorkers, testConfig } from '../helpers/stack';

async function runsOfWorkflow(mlflow: MlflowClient, pipeline: 'mnist' | 'power', workflowId: string) {
  const experiment = await mlflow.getExperimentByName(EXPERIMENT_OF[pipeline]);
  return mlflow.searchRuns([experiment!.experiment_id], `tags.${RUN_TAGS.workflowId} = '${workflowId}'`);
}

/** Wraps an activity so its first attempt does the real work, then fails as if the worker died right after. */
function failOnceAfter<T extends (...args: never[]) => Promise<unknown>>(fn: T, calls: { count: number }): T {
  return (async (...args: never[]) => {
    const result = await fn(...args);
    calls.count++;
    if (calls.count === 1) throw ApplicationFailure.retryable('injected failure after the side effect', 'InjectedFault');
    return result;
  }) as T;
}

describe('no duplicates', () => {
  let config: AppConfig;
  beforeAll(() => {
    config = testConfig();
  });

  it('a second start with the same request id returns the same execution, running or closed', async () => {
    const client = await pipelineClient(config);
    const workers = await startWorkers(config, ['cpu', 'gpu']);
    try {
      const opts = { requestId: `dup-${config.taskQueues.cpu}`, input: { source: { kind: 'synthetic' as const }, params: { numBoostRound: 20 } } };
      const first = await client.start('power', opts);
      const second = await client.start('power', opts);
      const [d1, d2] = await Promise.all([first.describe(), second.describe()]);
      expect(d2.runId).toBe(d1.runId);
      await first.result();
      const third = await client.start('power', opts);
      expect((await third.describe()).runId).toBe(d1.runId);
      const listed = [];
      for await (const wf of client.client.workflow.list({ query: `WorkflowId = '${first.workflowId}'` })) listed.push(wf);
      expect(listed).toHaveLength(1);
      expect(await runsOfWorkflow(new MlflowClient(config.mlflow), 'power', first.workflowId)).toHaveLength(1);
    } finally {
      await workers.stop();
      await client.close();
    }
  });

  it('retries after failures injected after run creation, evaluation and registration leave one run, one version, one metric point', async () => {
    const deps = depsFor(config);
    const real = createActivities(deps);
    const runCalls = { count: 0 };
    const registerCalls = { count: 0 };
    const evaluateCalls = { count: 0 };
    const activities = {
      ...real,
      startTrackingRun: failOnceAfter(real.startTrackingRun, runCalls),
      evaluatePowerModel: failOnceAfter(real.evaluatePowerModel, evaluateCalls),
      registerModel: failOnceAfter(real.registerModel, registerCalls),
    };
    const workers = await startWorkers(config, ['cpu', 'gpu'], activities);
    const client = await pipelineClient(config);
    try {
      // Gate threshold relaxed so the model is registered whatever the tiny model's RMSE.
      const handle = await client.start('power', {
        requestId: `retry-${config.taskQueues.cpu}`,
        input: { source: { kind: 'synthetic' }, params: { numBoostRound: 20 }, gate: { test_rmse: 1e9 } },
      });
      const result = await handle.result();
      expect(runCalls.count).toBe(2);
      expect(registerCalls.count).toBe(2);
      expect(evaluateCalls.count).toBe(2);
      expect(result.registration.registered).toBe(true);

      const runs = await runsOfWorkflow(deps.mlflow, 'power', handle.workflowId);
      expect(runs.map((r) => r.info.run_id)).toEqual([result.mlflowRunId]);
      const versions = await deps.mlflow.searchModelVersions(`name = '${MODEL_POLICIES.power.modelName}' and run_id = '${result.mlflowRunId}'`);
      expect(versions.map((v) => v.version)).toEqual([result.registration.version]);
      // The retried evaluation logged the same rows (same scheduled-time timestamp): one point per test metric.
      expect(await deps.mlflow.getMetricHistory(result.mlflowRunId, 'test_rmse')).toHaveLength(1);
    } finally {
      await workers.stop();
      await client.close();
    }
  });

  it('an MLflow run created twice for one execution (the local activity raced itself) is deleted when the run closes', async () => {
    const deps = depsFor(config);
    const real = createActivities(deps);
    let orphan: string | undefined;
    const activities = {
      ...real,
      // What a second worker running the same local activity at the same time leaves: another run with the same tags.
      startTrackingRun: async (req: Parameters<typeof real.startTrackingRun>[0]) => {
        const run = await real.startTrackingRun(req);
        orphan ??= (await deps.mlflow.createRun(run.experimentId, req.workflowId, { [RUN_TAGS.workflowId]: req.workflowId, [RUN_TAGS.workflowRunId]: req.workflowRunId })).info.run_id;
        return run;
      },
    };
    const workers = await startWorkers(config, ['cpu', 'gpu'], activities);
    const client = await pipelineClient(config);
    try {
      const handle = await client.start('power', { input: { source: { kind: 'synthetic' }, params: { numBoostRound: 10 } } });
      const result = await handle.result();
      expect(orphan).toBeDefined();
      expect((await runsOfWorkflow(deps.mlflow, 'power', handle.workflowId)).map((r) => r.info.run_id)).toEqual([result.mlflowRunId]);
      expect((await deps.mlflow.getRun(orphan!)).info.lifecycle_stage).toBe('deleted');
      expect((await deps.mlflow.getRun(result.mlflowRunId)).info.status).toBe('FINISHED');
    } finally {
      await workers.stop();
      await client.close();
    }
  });
});
