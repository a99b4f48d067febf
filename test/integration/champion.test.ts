/**
 * Champion promotion against the real MLflow server when registrations run at once (as in a backfill): the
 * champion ends on the best version, not on whichever registration moved the alias last.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { CHAMPION_ALIAS } from '../../src/activities/registry';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { resolveParams } from '../../src/workflows/shared/defaults';
import type { Registration, RegistrationRequest, TrackingRun } from '../../src/workflows/shared/types';
import { depsFor, testConfig } from '../helpers/stack';

describe('champion promotion', () => {
  const config = testConfig();
  const deps = depsFor(config);
  const activities = createActivities(deps);
  const env = new MockActivityEnvironment();
  const policy = MODEL_POLICIES.power;

  it('concurrent registrations crown the best version', async () => {
    const modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'champion-'));
    await fs.writeFile(path.join(modelDir, 'model.txt'), 'tree\n');
    // Below the current champion's RMSE (earlier runs of this test included), so each beats it on its own.
    const current = await deps.mlflow.getVersionByAlias(policy.modelName, CHAMPION_ALIAS);
    const currentRun = current?.run_id ? await deps.mlflow.getRun(current.run_id) : undefined;
    const best = currentRun?.data.metrics?.find((m) => m.key === policy.championMetric)?.value ?? 1;
    const rmses = [0.3, 0.1, 0.2, 0.4].map((f) => f * best);
    const runs: TrackingRun[] = [];
    for (const [i, rmse] of rmses.entries()) {
      const run: TrackingRun = await env.run(activities.startTrackingRun, { pipeline: 'power' as const, workflowId: `champion-race-${i}`, workflowRunId: `${Date.now()}-${i}`, params: resolveParams('power') });
      await deps.mlflow.logMetrics(run.runId, { [policy.championMetric]: rmse });
      runs.push(run);
    }
    const request = (run: TrackingRun, rmse: number): RegistrationRequest => ({
      pipeline: 'power',
      run,
      model: { dir: modelDir, format: 'lightgbm', backend: 'lightgbm-test', epochs: 1, metrics: {} },
      metrics: { [policy.championMetric]: rmse },
    });
    const results = await Promise.all(runs.map((run, i) => env.run(activities.registerModel, request(run, rmses[i])) as Promise<Registration>));
    expect(results.every((r) => r.registered)).toBe(true);
    const champion = await deps.mlflow.getVersionByAlias(policy.modelName, CHAMPION_ALIAS);
    expect(champion?.run_id).toBe(runs[1].runId);
  });
});
