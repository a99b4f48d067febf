/**
 * A training retried on another machine resumes from the checkpoint the killed machine published to MLflow's artifact
 * store. GPU worker A runs with a data root of its own: it finds neither the prepared arrays nor (later) anything of
 * the retry's, so it fetches the arrays the CPU worker published and publishes each checkpoint. A is SIGKILLed after
 * an epoch is published; GPU worker B, started only then, has no checkpoint of the run on its disk: it fetches the
 * published one and resumes there. B has a data root of its own too: the model it trains reaches the CPU worker's
 * evaluate and register stages through the run's `model` artifact, published once. Every epoch is logged once, in one
 * MLflow run, and the completed run's published checkpoints are deleted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkpointDirOf, modelDirOf, preparedDir } from '../../src/data/layout';
import { MlflowClient } from '../../src/mlflow';
import { readPointer } from '../../src/activities/remote-copy';
import { CHECKPOINTS_ARTIFACT_PATH } from '../../src/activities/shared-run-files';
import { createActivities } from '../../src/activities';
import { depsFor, eventually, pipelineClient, startWorkers, testConfig } from '../helpers/stack';
import { startWorkerProcess, workerEnv } from '../helpers/worker-process';

const epochsOf = (checkpoint: string) => Number(/^ckpt-e(\d+)-b\d+$/.exec(checkpoint)![1]);

it('a retry on a worker with another data root resumes from the published checkpoint; the model reaches evaluate and register on a third root', async () => {
  const config = testConfig();
  const env = { ...workerEnv(config), DML_CHECKPOINT_EVERY_SEC: '1' };
  const rootA = fs.mkdtempSync(path.join(os.tmpdir(), 'dml-gpu-a-'));
  const rootB = fs.mkdtempSync(path.join(os.tmpdir(), 'dml-gpu-b-'));
  const mlflow = new MlflowClient(config.mlflow);
  const cpu = await startWorkers(config, ['cpu']);
  const client = await pipelineClient(config);
  const gpuA = startWorkerProcess('gpu', { ...env, DML_DATA_ROOT: rootA });
  let gpuB: ReturnType<typeof startWorkerProcess> | undefined;
  try {
    const epochs = 5;
    const handle = await client.start('mnist', {
      requestId: `elsewhere-${config.taskQueues.cpu}`,
      // Gate relaxed: registration must happen whatever the tiny CNN's accuracy.
      input: { source: { kind: 'synthetic', size: 'small' }, params: { epochs }, gate: { test_accuracy: 0.5 } },
    });
    const runId = await eventually(async () => (await client.progress(handle.workflowId)).mlflowRunId);
    // A freshly started MLflow server can stall for a while; the pipeline's activities retry, so does this read.
    const run = await eventually(() => mlflow.getRun(runId).catch(() => undefined), 180_000, 1_000);
    // Kill A once a checkpoint after at least one whole epoch has reached the store.
    const published = await eventually(async () => {
      const pointer = await readPointer({ mlflow, artifactUri: run.info.artifact_uri, prefix: CHECKPOINTS_ARTIFACT_PATH });
      return pointer && epochsOf(pointer.version) >= 1 && pointer.version;
    }, 180_000, 100);
    gpuA.child.kill('SIGKILL');
    await gpuA.exited;
    // A trained from arrays it fetched into its own root; B's disk holds nothing of the run's training.
    const preparedA = fs.readdirSync(path.join(rootA, preparedDir('mnist')));
    expect(preparedA).toHaveLength(1);
    expect(fs.existsSync(path.join(rootA, preparedDir('mnist'), preparedA[0], 'meta.json'))).toBe(true);
    expect(fs.existsSync(checkpointDirOf(config.dataRoot, run.info.run_id))).toBe(false);
    gpuB = startWorkerProcess('gpu', { ...env, DML_DATA_ROOT: rootB });

    const result = await handle.result();
    expect(result.metrics.test_accuracy).toBeGreaterThan(0.5);
    // Trained on B's disk only; the CPU worker fetched the published model into its own root, then registered it.
    const cpuModel = modelDirOf(config.dataRoot, run.info.run_id);
    expect(fs.existsSync(path.join(modelDirOf(rootB, run.info.run_id), 'MLmodel'))).toBe(true);
    expect(fs.readFileSync(path.join(cpuModel, 'model.json'))).toEqual(fs.readFileSync(path.join(modelDirOf(rootB, run.info.run_id), 'model.json')));
    expect(result.registration.registered).toBe(true);
    const version = await mlflow.getModelVersion(result.registration.modelName, result.registration.version!);
    expect(version.source).toBe(`${run.info.artifact_uri}/model`);
    const registered = (await mlflow.listArtifacts(run.info.run_id, 'model')).map((f) => path.basename(f.path)).sort();
    expect(registered).toEqual(fs.readdirSync(modelDirOf(rootB, run.info.run_id)).sort());
    // Resume needs no checkpoint once the model is complete: the run's published checkpoints are gone.
    expect(await mlflow.listArtifacts(run.info.run_id, CHECKPOINTS_ARTIFACT_PATH)).toEqual([]);

    const tags = Object.fromEntries((await mlflow.getRun(run.info.run_id)).data.tags?.map((t) => [t.key, t.value]) ?? []);
    const fetched = tags.checkpoint_fetched_attempt_2;
    expect(fetched).toMatch(/^ckpt-e\d{6}-b\d{6}$/);
    // The retry resumed where the fetched checkpoint left off: after the epoch(s) published before the kill.
    expect(epochsOf(fetched)).toBeGreaterThanOrEqual(epochsOf(published));
    expect(Number(tags.resumed_from_epoch_attempt_2)).toBe(epochsOf(fetched));
    expect(Number(tags.resumed_from_epoch_attempt_2)).toBeGreaterThan(0);
    const steps = (await mlflow.getMetricHistory(run.info.run_id, 'val_accuracy')).map((p) => p.step).sort((a, b) => a - b);
    expect(steps).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
  } finally {
    gpuA.child.kill('SIGKILL');
    gpuB?.child.kill('SIGKILL');
    await cpu.stop();
    await client.close();
    for (const root of [rootA, rootB]) fs.rmSync(root, { recursive: true, force: true });
  }
}, 400_000);

it('a power run whose training has another data root than its prepare and evaluate stages completes and registers', async () => {
  const config = testConfig();
  const rootB = fs.mkdtempSync(path.join(os.tmpdir(), 'dml-cpu-b-'));
  const mlflow = new MlflowClient(config.mlflow);
  // One CPU worker whose training activity is a second machine's: same activities, another data root.
  const machineA = createActivities(depsFor(config));
  const machineB = createActivities({ ...depsFor(config), dataRoot: rootB });
  const workers = await startWorkers(config, ['cpu', 'gpu'], { ...machineA, trainPowerModel: machineB.trainPowerModel });
  const client = await pipelineClient(config);
  try {
    const handle = await client.start('power', {
      requestId: `elsewhere-power-${config.taskQueues.cpu}`,
      // Gate relaxed: registration must happen whatever the tiny model's RMSE.
      input: { source: { kind: 'synthetic' }, params: { numBoostRound: 20 }, gate: { test_rmse: 1e9 } },
    });
    const result = await handle.result();
    expect(result.registration.registered).toBe(true);
    const runId = result.mlflowRunId;
    // B fetched the arrays A prepared; A fetched the model B trained (byte for byte) and registered B's upload.
    const fetchedB = fs.readdirSync(path.join(rootB, preparedDir('power')));
    expect(fetchedB).toHaveLength(1);
    expect(fs.existsSync(path.join(config.dataRoot, preparedDir('power'), fetchedB[0], 'meta.json'))).toBe(true);
    const modelA = modelDirOf(config.dataRoot, runId);
    const modelB = modelDirOf(rootB, runId);
    expect(fs.readdirSync(modelA).sort()).toEqual(fs.readdirSync(modelB).sort());
    for (const file of fs.readdirSync(modelB)) expect(fs.readFileSync(path.join(modelA, file))).toEqual(fs.readFileSync(path.join(modelB, file)));
    const version = await mlflow.getModelVersion(result.registration.modelName, result.registration.version!);
    expect(version.source).toBe(`${(await mlflow.getRun(runId)).info.artifact_uri}/model`);
  } finally {
    await workers.stop();
    await client.close();
    fs.rmSync(rootB, { recursive: true, force: true });
  }
}, 300_000);
