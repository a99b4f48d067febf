/**
 * Champion promotion across worker processes: two CPU worker processes run power pipelines at once; every
 * promotion goes through the model's one champion workflow, so the champion ends on the best version and each
 * registration gets its outcome (none lost), whichever process registered it.
 */
import { Client, Connection } from '@temporalio/client';
import { CHAMPION_ALIAS } from '../../src/activities/registry';
import { MlflowClient } from '../../src/mlflow';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { championWorkflowId } from '../../src/workflows/shared/promotion';
import type { PipelineResult } from '../../src/workflows/shared/types';
import { ensureWorkflowBundle, pipelineClient, testConfig } from '../helpers/stack';
import { startWorkerProcess, workerEnv, WorkerProcess } from '../helpers/worker-process';

const policy = MODEL_POLICIES.power;

it('two CPU worker processes registering power versions at once crown exactly one champion, the best', async () => {
  const config = testConfig();
  await ensureWorkflowBundle(); // the worker processes inherit DML_WORKFLOW_BUNDLE: no webpack per process
  const workers: WorkerProcess[] = [startWorkerProcess('cpu', workerEnv(config)), startWorkerProcess('cpu', workerEnv(config))];
  const client = await pipelineClient(config);
  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  try {
    // Different boosting rounds give different test RMSEs, so there is one best version.
    const rounds = [20, 30, 45, 60];
    const handles = await Promise.all(
      rounds.map((numBoostRound) =>
        client.start('power', { requestId: `champion-procs-${numBoostRound}-${config.taskQueues.cpu}`, input: { source: { kind: 'synthetic' }, params: { numBoostRound } } }),
      ),
    );
    const results = (await Promise.all(handles.map((h) => h.result()))) as PipelineResult[];
    const registered = results.filter((r) => r.registration.registered);
    expect(registered.length).toBeGreaterThanOrEqual(2);

    // Every registration got its outcome from the champion workflow (none lost, none left waiting).
    for (const r of registered) expect(r.registration.reason).toMatch(/(first champion|now champion|champion stays|already champion)/);

    // The champion is the best version among ours and whatever was champion before (ties keep the older one).
    const mlflow = new MlflowClient(config.mlflow);
    const champion = await mlflow.getVersionByAlias(policy.modelName, CHAMPION_ALIAS);
    expect(champion).toBeDefined();
    const championRun = await mlflow.getRun(champion!.run_id!);
    const championRmse = championRun.data.metrics!.find((m) => m.key === policy.championMetric)!.value;
    const bestOfOurs = Math.min(...registered.map((r) => r.metrics[policy.championMetric]));
    expect(championRmse).toBeLessThanOrEqual(bestOfOurs);
    if (championRmse === bestOfOurs && registered.some((r) => r.mlflowRunId === champion!.run_id)) {
      const ours = registered.find((r) => r.mlflowRunId === champion!.run_id)!;
      expect(ours.registration.version).toBe(champion!.version);
    }
    // One workflow handled the promotions one at a time: each promoteChampion activity started after the previous
    // one closed, and both worker processes took part in the pipelines.
    const history = await temporal.workflow.getHandle(championWorkflowId(policy.modelName, config.taskQueues.cpu)).fetchHistory();
    let open = 0;
    let promotions = 0;
    for (const e of history.events ?? []) {
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'promoteChampion') {
        expect(open).toBe(0);
        open++;
        promotions++;
      }
      if (e.activityTaskCompletedEventAttributes) open--;
    }
    expect(promotions).toBe(registered.length);
    const identities = new Set<string>();
    for (const h of handles) {
      for (const e of (await h.fetchHistory()).events ?? []) {
        const identity = e.activityTaskStartedEventAttributes?.identity ?? e.workflowTaskStartedEventAttributes?.identity;
        if (identity) identities.add(identity);
      }
    }
    expect(identities.size).toBeGreaterThanOrEqual(2);
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await temporal.workflow.getHandle(championWorkflowId(policy.modelName, config.taskQueues.cpu)).terminate('test done').catch(() => undefined);
    await connection.close();
    await client.close();
  }
}, 300_000);
