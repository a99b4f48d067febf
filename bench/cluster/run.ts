/**
 * Scale-out evidence on the real cluster (scripts/cluster.sh: PostgreSQL-backed temporal-server, MLflow on
 * PostgreSQL, worker processes). Not part of CI. Expects `scripts/cluster.sh start postgres|temporal|mlflow`;
 * starts and kills the workers itself through cluster.sh.
 *
 *   node build/bench/cluster/run.js [--power 10] [--tick 1] [--backfill-days 3] [--throughput-runs 4] [--out DIR]
 *
 * 1. Throughput: the same batch of power runs with 1, then 2 CPU worker processes.
 * 2. Mixed load with 2 CPU + 2 GPU-queue workers: power and tick runs on tiny data plus a schedule backfill, while
 *    one CPU worker and one GPU worker are SIGKILLed (and started again) and the Temporal server is restarted.
 * Reports every run's outcome, duplicate MLflow runs (per workflow) and model versions (per MLflow run), whether
 * the champion is the best power version, wall time and runs per minute. Writes bench/results/cluster.{json,md}.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowHandle } from '@temporalio/client';
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

const POWER = Number(option('power', '10'));
const TICK = Number(option('tick', '1'));
const BACKFILL_DAYS = Number(option('backfill-days', '3'));
const THROUGHPUT_RUNS = Number(option('throughput-runs', '4'));
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

  await sleep(15_000);
  await cluster('kill-worker', 'cpu', '1');
  note('worker-cpu-1 SIGKILLed');
  await sleep(10_000);
  await cluster('kill-worker', 'gpu', '1');
  note('worker-gpu-1 SIGKILLed');
  await cluster('start-worker', 'cpu', '1');
  await cluster('start-worker', 'gpu', '1');
  note('killed workers started again');
  await sleep(10_000);
  await cluster('restart-temporal');
  note('temporal-server restarted');

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

  // Duplicates: MLflow runs per workflow, model versions per MLflow run.
  let duplicateRuns = 0;
  let duplicateVersions = 0;
  const results: PipelineResult[] = [];
  for (const h of all) {
    const r = (await h.result().catch(() => undefined)) as PipelineResult | undefined;
    if (!r) continue;
    results.push(r);
    const experiment = await mlflow.getExperimentByName(EXPERIMENT_OF[r.pipeline]);
    const runs = await mlflow.searchRuns([experiment!.experiment_id], `tags.${RUN_TAGS.workflowId} = '${h.workflowId}'`);
    if (runs.length > 1) duplicateRuns += runs.length - 1;
    const versions = await mlflow.searchModelVersions(`run_id = '${r.mlflowRunId}'`, 10);
    if (versions.length > 1) duplicateVersions += versions.length - 1;
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
    'Events: ' + events.map((e) => `${e.at} s ${e.what}`).join('; '),
    '',
  ].join('\n');
  writeResults('cluster', result, md, OUT_DIR);
  await pc.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
