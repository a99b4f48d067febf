/**
 * Scale-out evidence on the real cluster (scripts/cluster.sh: PostgreSQL-backed temporal-server, MLflow on
 * PostgreSQL, worker processes). Not part of CI. Expects `scripts/cluster.sh start postgres|temporal|mlflow`;
 * starts and kills the workers itself through cluster.sh.
 *
 *   node build/bench/cluster/run.js [--power 84] [--tick 6] [--backfill-days 10] [--throughput-runs 8] [--out DIR]
 *                                   [--restart-temporal yes|no]
 *
 * 1. Throughput: the same batch of power runs with 1, then 2 CPU worker processes.
 * 2. Mixed load with 2 CPU + 2 GPU-queue workers (100 runs by default): power and tick runs on tiny data plus a
 *    schedule backfill, while a CPU worker and a GPU worker each caught running an activity are SIGKILLed (and
 *    started again) and the Temporal server is restarted.
 * Reports every run's outcome, "no activity lost" from every history (bench/cluster/activity-audit.ts), each
 * stage's MLflow side effects counted per run, whether the champion is the best power version, wall time and runs
 * per minute. Writes bench/results/cluster.{json,md}.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { PipelineClient, PipelineName, PipelineResult } from '../../src/client';
import { loadConfig, PROJECT_ROOT } from '../../src/config';
import { MlflowClient } from '../../src/mlflow';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { CHAMPION_ALIAS } from '../../src/activities/registry';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { loadScheduleConfig } from '../../src/schedules/config';
import { applySchedules, backfillSchedule } from '../../src/schedules/apply';
import { machineInfo } from '../machine';
import { writeResults } from '../write-results';
import { stringOption as option } from '../cli-options';
import { auditActivities } from './activity-audit';
import { CHECKPOINTS_ARTIFACT_PATH } from '../../src/activities/shared-run-files';
import { MODEL_ARTIFACT_PATH } from '../../src/activities/model-folder';
import { championWorkflowId } from '../../src/workflows/shared/promotion';

const POWER = Number(option('power', '84'));
const TICK = Number(option('tick', '6'));
const BACKFILL_DAYS = Number(option('backfill-days', '10'));
const THROUGHPUT_RUNS = Number(option('throughput-runs', '8'));
/** 'no' to try the bench on a stack whose Temporal server cluster.sh does not run (a dev server). */
const RESTART_TEMPORAL = option('restart-temporal', 'yes') === 'yes';
const OUT_DIR = option('out', path.join(PROJECT_ROOT, 'bench', 'results'));
const SCHEDULE_ID = 'bench-cluster-power';
/** Few rounds at a high learning rate: cheap runs that still pass the registration gate (as in bench/backfill). */
const POWER_INPUT = (rounds: number) => ({ source: { kind: 'synthetic' as const, size: 'tiny' as const }, params: { numBoostRound: rounds, learningRate: 0.3 } });
const TICK_INPUT = { source: { kind: 'synthetic' as const, size: 'tiny' as const }, params: { epochs: 2 } };

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cluster = (...args: string[]) => exec('bash', [path.join(PROJECT_ROOT, 'scripts', 'cluster.sh'), ...args], { env: process.env, timeout: 300_000 });
const stamp = Date.now().toString(36);
const events: { at: number; what: string }[] = [];
let t0 = Date.now();
const note = (what: string) => {
  events.push({ at: Math.round((Date.now() - t0) / 100) / 10, what });
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
};

const PIDS_DIR = path.join(process.env.CLUSTER_STATE ?? path.join(PROJECT_ROOT, '.local', 'cluster'), 'pids');

/**
 * The index of the `role` worker process caught running one of the runs' activities (`ofRole` tells which activity
 * types run on that queue), so the SIGKILL interrupts real work; index 1 when none is caught within `withinMs`.
 */
async function busyWorker(role: 'cpu' | 'gpu', handles: WorkflowHandle[], ofRole: (activityType: string) => boolean, withinMs = 30_000): Promise<{ index: number; caught: string }> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    for (const h of handles) {
      const pending = (await h.describe().catch(() => undefined))?.raw.pendingActivities ?? [];
      for (const a of pending) {
        const type = a.activityType?.name ?? '?';
        // The SDK's default identity is `<pid>@<host>`; cluster.sh keeps each worker's pid in pids/worker-<role>-<n>.pid.
        const pid = /^(\d+)@/.exec(a.lastWorkerIdentity ?? '')?.[1];
        if (!pid || !ofRole(type) || a.state !== temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) continue;
        for (const index of [1, 2]) {
          const file = path.join(PIDS_DIR, `worker-${role}-${index}.pid`);
          if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() === pid) return { index, caught: `running ${type} of ${h.workflowId}` };
        }
      }
    }
    await sleep(300);
  }
  return { index: 1, caught: 'no activity caught in flight' };
}

async function settle(handles: WorkflowHandle[]): Promise<{ completed: number; failed: string[] }> {
  const outcomes = await Promise.allSettled(handles.map((h) => h.result()));
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${handles[i].workflowId}: ${String(o.reason)}`] : []));
  return { completed: outcomes.length - failed.length, failed };
}

async function throughput(pc: PipelineClient, cpuWorkers: number): Promise<{ cpuWorkers: number; runs: number; wallSec: number; runsPerMin: number }> {
  await cluster('stop', 'workers');
  await exec('bash', ['-c', `DML_CPU_WORKERS=${cpuWorkers} DML_GPU_WORKERS=0 bash scripts/cluster.sh start workers`], { cwd: PROJECT_ROOT });
  await sleep(20_000); // worker start-up (workflow bundle, TensorFlow) is not part of the throughput
  const start = Date.now();
  const handles = await Promise.all(
    Array.from({ length: THROUGHPUT_RUNS }, (_, i) => pc.start('power', { requestId: `bench-tp${cpuWorkers}-${i}-${stamp}`, input: POWER_INPUT(10 + i) })),
  );
  const { completed } = await settle(handles);
  const wallSec = (Date.now() - start) / 1000;
  return { cpuWorkers, runs: completed, wallSec, runsPerMin: (completed / wallSec) * 60 };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const pc = await PipelineClient.connect(config);
  const mlflow = new MlflowClient(config.mlflow);

  const throughputRows = [await throughput(pc, 1), await throughput(pc, 2)];
  console.log('throughput', throughputRows);

  await cluster('stop', 'workers');
  await exec('bash', ['-c', 'DML_CPU_WORKERS=2 DML_GPU_WORKERS=2 bash scripts/cluster.sh start workers'], { cwd: PROJECT_ROOT });
  await sleep(20_000);
  t0 = Date.now();
  const started: { pipeline: PipelineName; handle: WorkflowHandle }[] = [];
  const start = async (pipeline: PipelineName, i: number) => {
    const input = pipeline === 'power' ? POWER_INPUT(10 + (i % 20)) : TICK_INPUT;
    started.push({ pipeline, handle: await pc.start(pipeline, { requestId: `bench-mixed-${pipeline}-${i}-${stamp}`, input }) });
  };
  for (let i = 0; i < TICK; i++) await start('tick', i);
  for (let i = 0; i < POWER; i++) await start('power', i);
  note(`${started.length} runs started`);

  // The real power-daily schedule under a bench id, paused: only the backfill runs it.
  const powerDaily = loadScheduleConfig(`${PROJECT_ROOT}/config/schedules.json`).schedules.find((s) => s.id === 'power-daily')!;
  const entry = { ...powerDaily, id: SCHEDULE_ID, paused: true, overlap: 'ALLOW_ALL' as const, input: { ...powerDaily.input, ...POWER_INPUT(15) } };
  await applySchedules(pc.client, { schedules: [entry] }, config.taskQueues);
  const from = new Date(Date.UTC(2026, 1, 1));
  await backfillSchedule(pc.client, { scheduleId: SCHEDULE_ID, from, to: new Date(from.getTime() + BACKFILL_DAYS * 86_400_000), overlap: 'ALLOW_ALL' });
  note(`backfill of ${BACKFILL_DAYS} days requested`);

  await sleep(10_000);
  const handlesOf = (pipeline: PipelineName) => started.filter((s) => s.pipeline === pipeline).map((s) => s.handle);
  const cpuVictim = await busyWorker('cpu', handlesOf('power'), () => true);
  await cluster('kill-worker', 'cpu', String(cpuVictim.index));
  note(`worker-cpu-${cpuVictim.index} SIGKILLed (${cpuVictim.caught})`);
  const gpuVictim = await busyWorker('gpu', handlesOf('tick'), (type) => type === 'trainTickModel', 120_000);
  await cluster('kill-worker', 'gpu', String(gpuVictim.index));
  note(`worker-gpu-${gpuVictim.index} SIGKILLed (${gpuVictim.caught})`);
  await cluster('start-worker', 'cpu', String(cpuVictim.index));
  await cluster('start-worker', 'gpu', String(gpuVictim.index));
  note('killed workers started again');
  await sleep(10_000);
  if (RESTART_TEMPORAL) {
    await cluster('restart-temporal');
    note('temporal-server restarted');
  }

  const backfilled: WorkflowHandle[] = [];
  for (let tries = 0; backfilled.length < BACKFILL_DAYS && tries < 120; tries++) {
    backfilled.length = 0;
    for await (const wf of pc.client.workflow.list({ query: `TemporalScheduledById = '${SCHEDULE_ID}'` })) backfilled.push(pc.client.workflow.getHandle(wf.workflowId, wf.runId));
    if (backfilled.length < BACKFILL_DAYS) await sleep(1000);
  }
  const all = [...started.map((s) => s.handle), ...backfilled];
  const { completed, failed } = await settle(all);
  const wallSec = (Date.now() - t0) / 1000;
  note(`${completed}/${all.length} completed`);

  // No activity lost: every activity scheduled by the runs, and by the champion workflows they signalled, completed.
  const championRuns: WorkflowHandle[] = [];
  for (const pipeline of ['power', 'tick'] as const) {
    const query = `WorkflowId = '${championWorkflowId(MODEL_POLICIES[pipeline].modelName, config.taskQueues.cpu)}'`;
    for await (const wf of pc.client.workflow.list({ query })) championRuns.push(pc.client.workflow.getHandle(wf.workflowId, wf.runId));
  }
  const activities = { workflows: 0, scheduled: 0, completed: 0, retried: 0, extraAttempts: 0, lost: [] as string[] };
  for (const h of [...all, ...championRuns]) {
    const audit = auditActivities((await h.fetchHistory()).events ?? []);
    activities.workflows++;
    activities.scheduled += audit.scheduled;
    activities.completed += audit.completed;
    activities.retried += audit.retried;
    activities.extraAttempts += audit.extraAttempts;
    activities.lost.push(...audit.lost.map((l) => `${h.workflowId}: ${l}`));
  }
  note(`activities: ${activities.completed}/${activities.scheduled} completed, ${activities.retried} retried, ${activities.lost.length} lost`);

  // Each stage's MLflow side effects, once per run: one MLflow run per workflow (tracking), each training step logged
  // once (train), one test-metric point (evaluate), the model artifact present and the checkpoints deleted (train),
  // at most one model version per MLflow run (register). A backfilled day skipped as already trained is not a run.
  let duplicateRuns = 0;
  let duplicateVersions = 0;
  const once = { runsChecked: 0, duplicateTrainingSteps: [] as string[], evaluationLoggedTwice: [] as string[], modelArtifactMissing: [] as string[], checkpointsLeft: [] as string[] };
  const results: PipelineResult[] = [];
  for (const h of all) {
    const r = (await h.result().catch(() => undefined)) as PipelineResult | undefined;
    if (!r) continue;
    results.push(r);
    if (r.skipped) continue;
    once.runsChecked++;
    const experiment = await mlflow.getExperimentByName(EXPERIMENT_OF[r.pipeline]);
    const runs = await mlflow.searchRuns([experiment!.experiment_id], `tags.${RUN_TAGS.workflowId} = '${h.workflowId}'`);
    if (runs.length > 1) duplicateRuns += runs.length - 1;
    const versions = await mlflow.searchModelVersions(`run_id = '${r.mlflowRunId}'`, 10);
    if (versions.length > 1) duplicateVersions += versions.length - 1;
    const steps = (await mlflow.getMetricHistory(r.mlflowRunId, r.pipeline === 'tick' ? 'val_loss' : 'val_rmse')).map((m) => m.step);
    if (steps.length === 0 || new Set(steps).size !== steps.length) once.duplicateTrainingSteps.push(`${h.workflowId}: steps ${steps.join(',')}`);
    const evaluated = await mlflow.getMetricHistory(r.mlflowRunId, 'test_rmse');
    if (evaluated.length !== 1) once.evaluationLoggedTwice.push(`${h.workflowId}: ${evaluated.length} test_rmse points`);
    const model = await mlflow.listArtifacts(r.mlflowRunId, MODEL_ARTIFACT_PATH);
    if (!model.some((f) => path.basename(f.path) === 'MLmodel')) once.modelArtifactMissing.push(h.workflowId);
    if ((await mlflow.listArtifacts(r.mlflowRunId, CHECKPOINTS_ARTIFACT_PATH)).length > 0) once.checkpointsLeft.push(h.workflowId);
  }
  const policy = MODEL_POLICIES.power;
  const champion = await mlflow.getVersionByAlias(policy.modelName, CHAMPION_ALIAS);
  const allVersions = await mlflow.searchModelVersions(`name = '${policy.modelName}'`, 1000);
  let bestRmse = Infinity;
  for (const v of allVersions) {
    const run = await mlflow.getRun(v.run_id!);
    bestRmse = Math.min(bestRmse, run.data.metrics?.find((m) => m.key === policy.championMetric)?.value ?? Infinity);
  }
  const championRmse = champion ? (await mlflow.getRun(champion.run_id!)).data.metrics?.find((m) => m.key === policy.championMetric)?.value : undefined;

  const result = {
    machine: machineInfo(),
    note: 'shared 2-core machine with other engineers working: timings are noisy',
    throughput: throughputRows,
    mixed: {
      runs: all.length,
      power: POWER,
      tick: TICK,
      backfillDays: BACKFILL_DAYS,
      completed,
      failed,
      wallSec,
      runsPerMin: (completed / wallSec) * 60,
      duplicateMlflowRuns: duplicateRuns,
      duplicateModelVersions: duplicateVersions,
      activities,
      sideEffectsOnce: once,
      registered: results.filter((r) => r.registration.registered).length,
      champion: { version: champion?.version, rmse: championRmse, bestRmseOfAllVersions: bestRmse, onBest: championRmse === bestRmse },
      events,
    },
  };
  const md = [
    '# Cluster scale-out (scripts/cluster.sh, temporal-server 1.32.2 on PostgreSQL 15, MLflow on PostgreSQL)',
    '',
    `Machine: ${JSON.stringify(result.machine)}. ${result.note}.`,
    '',
    '| CPU workers | power runs | wall (s) | runs/min |',
    '|---|---|---|---|',
    ...throughputRows.map((t) => `| ${t.cpuWorkers} | ${t.runs} | ${t.wallSec.toFixed(1)} | ${t.runsPerMin.toFixed(1)} |`),
    '',
    `Mixed (2 CPU + 2 GPU-queue workers): ${all.length} runs (${POWER} power, ${TICK} tick, ${BACKFILL_DAYS} backfilled power days),`,
    `SIGKILL of one worker of each kind and a temporal-server restart during the run.`,
    '',
    '| completed | failed | wall (s) | runs/min | duplicate MLflow runs | duplicate versions | champion on best |',
    '|---|---|---|---|---|---|---|',
    `| ${completed}/${all.length} | ${failed.length} | ${wallSec.toFixed(1)} | ${result.mixed.runsPerMin.toFixed(1)} | ${duplicateRuns} | ${duplicateVersions} | ${result.mixed.champion.onBest} (v${champion?.version}, rmse ${championRmse}) |`,
    '',
    `No activity lost: ${activities.workflows} histories (the runs and the champion workflows' runs), ${activities.completed}/${activities.scheduled}`,
    `scheduled activities completed, ${activities.retried} completed after retries (${activities.extraAttempts} extra attempts), ${activities.lost.length} lost` +
      (activities.lost.length ? `: ${activities.lost.join('; ')}` : '.'),
    '',
    `MLflow side effects once per run (${once.runsChecked} runs that trained): training steps logged twice in ${once.duplicateTrainingSteps.length},`,
    `evaluation metrics logged more than once in ${once.evaluationLoggedTwice.length}, model artifact missing in ${once.modelArtifactMissing.length},`,
    `published checkpoints left in ${once.checkpointsLeft.length}.`,
    '',
    'Events: ' + events.map((e) => `${e.at} s ${e.what}`).join('; '),
    '',
  ].join('\n');
  writeResults('cluster', result, md, OUT_DIR);
  // The bench started the workers: it stops them (the servers stay up for a look at the runs).
  await cluster('stop', 'workers');
  await pc.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
