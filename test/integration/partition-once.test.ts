/**
 * A partition trains once per schedule: backfilling a date that already succeeded starts a second execution
 * (same workflow id) that hands back the first one's result, reported as skipped, and trains nothing: one MLflow
 * run, one model version. `force: true` in the schedule's input trains again.
 */
import { Client, Connection } from '@temporalio/client';
import { AppConfig } from '../../src/config';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { filterValue } from '../../src/mlflow';
import { MlflowClient } from '../../src/mlflow';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { applySchedules, backfillSchedule } from '../../src/schedules/apply';
import { parseScheduleConfig } from '../../src/schedules/config';
import { progressQuery } from '../../src/workflows/shared/pipeline';
import type { PipelineWorkflow } from '../../src/client';
import { eventually, RunningWorkers, startWorkers, testConfig } from '../helpers/stack';
import { activitiesIn } from '../helpers/history';

const DAY = { from: new Date('2026-02-10T00:00:00Z'), to: new Date('2026-02-11T00:00:00Z') };

describe('a partition trains once', () => {
  let config: AppConfig;
  let client: Client;
  let workers: RunningWorkers;
  let mlflow: MlflowClient;
  const created: string[] = [];

  beforeAll(async () => {
    config = testConfig();
    client = new Client({ connection: await Connection.connect({ address: config.temporal.address }) });
    workers = await startWorkers(config, ['cpu', 'gpu']);
    mlflow = new MlflowClient(config.mlflow);
  });
  afterAll(async () => {
    for (const id of created) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await workers?.stop();
    await client?.connection.close();
  });

  async function powerSchedule(name: string, input: object = {}): Promise<string> {
    const id = `power-${name}-${config.taskQueues.cpu}`;
    const entry = { id, pipeline: 'power', cron: ['0 1 * * *'], timeZone: 'UTC', paused: true, input: { source: { kind: 'synthetic' }, params: { numBoostRound: 10 }, gate: { test_rmse: 1e9 }, ...input } };
    await applySchedules(client, parseScheduleConfig({ schedules: [entry] }), config.taskQueues);
    created.push(id);
    return id;
  }

  /** Backfills the one day and waits until `count` executions of the schedule have completed; oldest first. */
  async function backfillAndWait(scheduleId: string, count: number) {
    await backfillSchedule(client, { scheduleId, ...DAY, overlap: 'BUFFER_ALL' });
    const executions = await eventually(
      async () => {
        const found: Array<{ workflowId: string; runId: string; startTime: Date }> = [];
        for await (const wf of client.workflow.list({ query: `TemporalScheduledById = '${scheduleId}' AND ExecutionStatus = 'Completed'` })) found.push(wf);
        return found.length >= count && found;
      },
      120_000,
      500,
    );
    executions.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    return Promise.all(
      executions.map(async (e) => {
        const handle = client.workflow.getHandle<PipelineWorkflow>(e.workflowId, e.runId);
        return { ...e, handle, result: await handle.result() };
      }),
    );
  }

  async function mlflowRunsOf(workflowId: string) {
    const experiment = await mlflow.getExperimentByName(EXPERIMENT_OF.power);
    return mlflow.searchRuns([experiment!.experiment_id], `tags.${RUN_TAGS.workflowId} = ${filterValue(workflowId)}`);
  }

  async function versionsOf(runIds: string[]) {
    const all = await Promise.all(runIds.map((r) => mlflow.searchModelVersions(`name = ${filterValue(MODEL_POLICIES.power.modelName)} and run_id = ${filterValue(r)}`)));
    return all.flat();
  }

  it('backfilling a date that already succeeded returns that result, skipped: one execution trains, one MLflow run, one model version', async () => {
    const id = await powerSchedule('once');
    const [first] = await backfillAndWait(id, 1);
    expect(first.result.partition).toBe('2026-02-10');
    expect(first.result.skipped).toBeUndefined();
    expect(first.result.registration.registered).toBe(true);

    const [, second] = await backfillAndWait(id, 2);
    expect(second.workflowId).toBe(first.workflowId); // the schedule's id for that scheduled time
    expect(second.runId).not.toBe(first.runId);
    expect(second.result.skipped).toEqual({
      reason: `partition 2026-02-10 already trained by ${first.workflowId} (run ${first.runId}); nothing trained (set force: true to train again)`,
      workflowId: first.workflowId,
      runId: first.runId,
    });
    expect(second.result.mlflowRunId).toBe(first.result.mlflowRunId);
    expect(second.result.registration).toEqual(first.result.registration);

    // Visible in the workflow: its progress says skipped, its memo why; it ran no stage activity.
    expect((await second.handle.query(progressQuery)).stage).toBe('skipped');
    expect((await second.handle.describe()).memo?.skipped).toBe(second.result.skipped!.reason);
    const scheduled = activitiesIn((await second.handle.fetchHistory()).events ?? []).map((a) => a.name);
    expect(scheduled).toEqual(['findFinishedPartition']);

    const runs = await mlflowRunsOf(first.workflowId);
    expect(runs.map((r) => r.info.run_id)).toEqual([first.result.mlflowRunId]);
    expect((await versionsOf([first.result.mlflowRunId])).map((v) => v.version)).toEqual([first.result.registration.version]);
  }, 240_000);

  it('force: true in the input trains the partition again', async () => {
    const id = await powerSchedule('forced', { force: true });
    const [first] = await backfillAndWait(id, 1);
    const [, second] = await backfillAndWait(id, 2);
    expect(second.result.skipped).toBeUndefined();
    expect(second.result.mlflowRunId).not.toBe(first.result.mlflowRunId);
    expect((await mlflowRunsOf(first.workflowId)).length).toBe(2);
    expect(await versionsOf([first.result.mlflowRunId, second.result.mlflowRunId])).toHaveLength(2);
  }, 240_000);
});
