/**
 * The workflow template's own logic in seconds, with stub activities on a local Temporal dev server (the project's
 * `.venv/bin/temporal`, started by the test): no MLflow, no training. The real-server suite (test/integration) still
 * runs every stage for real; these pin what the workflow itself decides.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import { PROJECT_ROOT } from '../../src/config';
import type { Activities } from '../../src/activities';
import { promotionActivities } from '../../src/activities/promotion';
import type { StartTrackingRequest } from '../../src/activities/tracking';
import { CATALOG } from '../../src/pipelines';
import { evaluateGate, MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { DATASET, MLFLOW_RUN_ID, MODEL_VERSION, PARTITION, PIPELINE } from '../../src/workflows/shared/search-attributes';
import { progressQuery } from '../../src/workflows/shared/pipeline';
import type { PipelineInput, PipelineResult, RegistrationRequest, StageRequest } from '../../src/workflows/shared/types';
import { ensureWorkflowBundle, installQuietRuntime } from '../helpers/stack';

type Finish = Parameters<Activities['finishTrackingRun']>[0];

/** Stub activities recording what the workflow asked of them; each test adjusts the stage it is about. */
function stubs(metrics: Record<string, number>) {
  const calls = { started: [] as StartTrackingRequest[], finished: [] as Finish[], registered: [] as RegistrationRequest[] };
  const run = (runId: string) => ({ runId, experimentId: '1', artifactUri: `mlflow-artifacts:/1/${runId}/artifacts`, runUrl: `http://mlflow/#/runs/${runId}` });
  const prepared = { dir: 'prepared/x', dataset: 'synthetic-tiny', counts: { n_test: 500 }, reused: false };
  const trained = { dir: 'models/x', format: 'lightgbm' as const, backend: 'stub', epochs: 1, metrics: {} };
  const activities = {
    async startTrackingRun(req: StartTrackingRequest) {
      calls.started.push(req);
      return run(`run-${req.workflowRunId.slice(0, 8)}`);
    },
    async finishTrackingRun(req: Finish) {
      calls.finished.push(req);
    },
    async findFinishedPartition() {
      return undefined;
    },
    // The data sensor of a scheduled run over files: the partition's input is all there.
    async checkPartitionData() {
      return { missing: [], expected: 1 };
    },
    // The real gate, without the MLflow upload: what registration decides from the metrics.
    async registerModel(req: RegistrationRequest) {
      calls.registered.push(req);
      const policy = MODEL_POLICIES[req.pipeline];
      const decision = evaluateGate(policy.gate, req.metrics);
      return decision.passed
        ? { modelName: policy.modelName, modelUri: 'm', registered: true, version: '7', champion: true, reason: decision.reason }
        : { modelName: policy.modelName, modelUri: 'm', registered: false, champion: false, reason: decision.reason };
    },
    // Promotion goes through the real champion workflow; only its MLflow step is stubbed.
    ...promotionActivities(),
    promoteChampion: async () => ({ champion: true, note: 'now champion' }),
    preparePower: async (_req: StageRequest) => prepared,
    trainPowerModel: async (_req: StageRequest) => trained,
    evaluatePowerModel: async (_req: StageRequest) => ({ metrics, artifacts: [] }),
  };
  return { calls, activities };
}

describe('pipeline workflow template (stub activities, local dev server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: string;

  beforeAll(async () => {
    installQuietRuntime();
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: path.join(PROJECT_ROOT, '.venv', 'bin', 'temporal') },
        searchAttributes: [PIPELINE, DATASET, MLFLOW_RUN_ID, MODEL_VERSION, PARTITION],
      },
    });
    bundle = await ensureWorkflowBundle();
  });
  afterAll(() => env?.teardown());

  /** Runs `fn` with a worker on a fresh queue (CPU and GPU stages both on it) hosting the workflows and `activities`. */
  async function withWorker<T>(activities: object, fn: (queue: string, input: PipelineInput) => Promise<T>): Promise<T> {
    const queue = `wf-test-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: queue, workflowBundle: { codePath: bundle }, activities });
    return worker.runUntil(fn(queue, { taskQueues: { cpu: queue, gpu: queue } }));
  }

  const start = (queue: string, input: PipelineInput) =>
    env.client.workflow.start(CATALOG.power.workflowType, { taskQueue: queue, workflowId: `power-${randomUUID()}`, args: [input] });

  it('a passing run registers, closes the MLflow run FINISHED, and sets the search attributes and progress', async () => {
    const { calls, activities } = stubs({ test_rmse: 0.3 });
    await withWorker(activities, async (queue, input) => {
      const handle = await start(queue, input);
      const result = (await handle.result()) as PipelineResult;
      expect(result.registration).toMatchObject({ registered: true, version: '7', modelName: 'power-consumption-model' });
      // With the ids that let it delete an MLflow run created twice for this execution.
      expect(calls.finished).toEqual([{ runId: result.mlflowRunId, status: 'FINISHED', registered: true, experimentId: expect.any(String), workflowRunId: expect.any(String) }]);
      const attrs = (await handle.describe()).typedSearchAttributes;
      expect([attrs.get(PIPELINE), attrs.get(MLFLOW_RUN_ID), attrs.get(DATASET), attrs.get(MODEL_VERSION)]).toEqual(['power', result.mlflowRunId, 'synthetic-tiny', '7']);
      expect(await handle.query(progressQuery)).toMatchObject({ stage: 'done', mlflowRunId: result.mlflowRunId, prepared: { dataset: 'synthetic-tiny' } });
      // Defaults applied at the boundary reach MLflow as the run's params.
      expect(calls.started[0].params).toEqual(CATALOG.power.params.defaults);
    });
  });

  it('a failed gate registers nothing: no model version attribute, the run closed FINISHED with registered false', async () => {
    const { calls, activities } = stubs({ test_rmse: 5 });
    await withWorker(activities, async (queue, input) => {
      const handle = await start(queue, input);
      const result = (await handle.result()) as PipelineResult;
      expect(result.registration).toMatchObject({ registered: false, champion: false, reason: 'gate failed: test_rmse=5 not < 0.75' });
      expect(result.registration.version).toBeUndefined();
      expect((await handle.describe()).typedSearchAttributes.get(MODEL_VERSION)).toBeUndefined();
      expect(calls.finished).toEqual([{ runId: result.mlflowRunId, status: 'FINISHED', registered: false, experimentId: expect.any(String), workflowRunId: expect.any(String) }]);
    });
  });

  it('a stage failure closes the MLflow run FAILED, registers nothing, and fails the workflow with the cause', async () => {
    const { calls, activities } = stubs({ test_rmse: 0.3 });
    activities.trainPowerModel = async () => {
      throw ApplicationFailure.create({ type: 'DataError', message: 'raw/power/a.txt line 7: bad date', nonRetryable: true });
    };
    await withWorker(activities, async (queue, input) => {
      const handle = await start(queue, input);
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(calls.finished).toEqual([{ runId: calls.finished[0].runId, status: 'FAILED', experimentId: expect.any(String), workflowRunId: expect.any(String) }]);
      expect(calls.registered).toEqual([]);
      expect(await handle.query(progressQuery)).toMatchObject({ stage: 'failed', error: 'raw/power/a.txt line 7: bad date' });
    });
  });

  it('cancellation during training closes the MLflow run KILLED after the training stopped', async () => {
    const { calls, activities } = stubs({ test_rmse: 0.3 });
    let trainingStopped = false;
    activities.trainPowerModel = async () => {
      try {
        for (;;) {
          Context.current().heartbeat();
          await Context.current().sleep(100);
        }
      } finally {
        trainingStopped = true;
      }
    };
    await withWorker(activities, async (queue, input) => {
      const handle = await start(queue, input);
      for (let i = 0; i < 100 && (await handle.query(progressQuery)).stage !== 'train'; i++) await new Promise((r) => setTimeout(r, 100));
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(trainingStopped).toBe(true);
      expect(calls.finished.map((f) => f.status)).toEqual(['KILLED']);
      expect(calls.registered).toEqual([]);
    });
  });

  it('a scheduled run trains the partition of its scheduled time: the UTC date for power', async () => {
    const { calls, activities } = stubs({ test_rmse: 0.3 });
    await withWorker(activities, async (queue, input) => {
      const scheduleId = `power-test-${randomUUID().slice(0, 8)}`;
      const schedule = await env.client.schedule.create({
        scheduleId,
        spec: { cronExpressions: ['0 1 * * *'] },
        action: { type: 'startWorkflow', workflowType: CATALOG.power.workflowType, taskQueue: queue, args: [input] },
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
        state: { paused: true },
      });
      try {
        const from = new Date('2026-11-23T01:00:00Z');
        await schedule.backfill([{ start: from, end: new Date(from.getTime() + 1000), overlap: ScheduleOverlapPolicy.ALLOW_ALL }]);
        let runId: string | undefined;
        for (let i = 0; i < 100 && !runId; i++) {
          runId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
          if (!runId) await new Promise((r) => setTimeout(r, 100));
        }
        const handle = env.client.workflow.getHandle(runId!);
        const result = (await handle.result()) as PipelineResult;
        expect(result.partition).toBe('2026-11-23');
        expect(calls.started[0].tags).toEqual({ partition: '2026-11-23' });
        expect((await handle.describe()).typedSearchAttributes.get(PARTITION)).toBe('power:2026-11-23');
      } finally {
        await schedule.delete();
      }
    });
  });
});
