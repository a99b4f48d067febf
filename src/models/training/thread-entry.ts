/**
 * Entry point of a training worker thread. tfjs (wasm or cpu backends especially) computes synchronously,
 * so training here keeps the activity's event loop free to heartbeat and to hear cancellation.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { describeBackend, loadTfBackend, Tf } from '../backend';
import { buildModel, TASK_OF } from '../architectures';
import { loadModelFiles, saveModelFiles } from '../fs-io';
import { augmentImages } from '../augment';
import { readArray } from '../../data/arrays';
import type { EpochRecord, PredictJob, ThreadJob, ThreadMessage, TrainJob } from './protocol';

const post = (m: ThreadMessage) => parentPort!.postMessage(m);

async function main(job: ThreadJob): Promise<void> {
  const loaded = await loadTfBackend();
  post({ type: 'backend', backend: loaded.backend, description: describeBackend(loaded), tensorflowVersion: loaded.tensorflowVersion, threads: loaded.threads });
  if (job.mode === 'train') await train(loaded.tf, job);
  else await predict(loaded.tf, job);
}

async function tensorOf(tf: Tf, dir: string, name: string) {
  const { shape, data } = await readArray(dir, name);
  return tf.tensor(data, shape);
}

async function readCheckpointState(dir: string): Promise<{ epoch: number; history: EpochRecord[] } | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

async function train(tf: Tf, job: TrainJob): Promise<void> {
  const xTrain = await tensorOf(tf, job.preparedDir, 'x_train');
  const yTrain = await tensorOf(tf, job.preparedDir, 'y_train');
  const xVal = await tensorOf(tf, job.preparedDir, 'x_val');
  const yVal = await tensorOf(tf, job.preparedDir, 'y_val');
  const totalEpochs = Number(job.params.epochs);
  const seed = Number(job.params.seed ?? 0);

  const state = await readCheckpointState(job.checkpointDir);
  let history: EpochRecord[] = state?.history ?? [];
  let model;
  if (state) {
    // The checkpoint holds the training config and optimizer state, so loading compiles the model as it was.
    model = await loadModelFiles(tf, path.join(job.checkpointDir, 'model'));
    if (!model.optimizer) {
      model.compile({
        optimizer: tf.train.adam(Number(job.params.learningRate)),
        loss: TASK_OF[job.architecture] === 'classification' ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
        metrics: TASK_OF[job.architecture] === 'classification' ? ['accuracy'] : [],
      });
    }
    post({ type: 'resumed', fromEpoch: state.epoch, history });
  } else {
    model = buildModel(tf, job.architecture, xTrain.shape.slice(1), job.params);
  }

  // Augmentation draws a fresh (seeded) variant of the training images each epoch.
  const base = job.params.augment === true ? await readArray(job.preparedDir, 'x_train') : undefined;

  for (let epoch = (state?.epoch ?? 0) + 1; epoch <= totalEpochs; epoch++) {
    const xEpoch = base
      ? tf.tensor(augmentImages(base.data, base.shape as [number, number, number, number], seed * 1000 + epoch), base.shape)
      : xTrain;
    const fit = await model.fit(xEpoch, yTrain, {
      epochs: 1,
      batchSize: Number(job.params.batchSize),
      validationData: [xVal, yVal],
      shuffle: true,
      verbose: 0,
      // Shuffling differs per epoch but is reproducible for a seed.
      ...({ seed: seed + epoch } as object),
    });
    if (xEpoch !== xTrain) xEpoch.dispose();
    const metrics: Record<string, number> = {};
    for (const [key, values] of Object.entries(fit.history)) {
      metrics[renameMetric(key)] = Number((values as number[])[0]);
    }
    const record = { epoch, metrics, time: Date.now() };
    history = [...history, record];
    await saveModelFiles(tf, model, path.join(job.checkpointDir, 'model'), true);
    await fs.writeFile(path.join(job.checkpointDir, 'state.json'), JSON.stringify({ epoch, history }));
    post({ type: 'epoch', record, checkpointDir: job.checkpointDir, totalEpochs });
  }
  await saveModelFiles(tf, model, job.outputDir, false);
  post({ type: 'trained', epochs: totalEpochs, history });
}

/** tfjs names: loss, acc, val_loss, val_acc → MLflow names train_loss, train_accuracy, val_loss, val_accuracy. */
function renameMetric(key: string): string {
  const base = key.replace(/^val_/, '').replace(/^acc$/, 'accuracy');
  return `${key.startsWith('val_') ? 'val' : 'train'}_${base}`;
}

async function predict(tf: Tf, job: PredictJob): Promise<void> {
  const model = await loadModelFiles(tf, job.modelDir);
  const x = await tensorOf(tf, job.preparedDir, job.input);
  const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
  const data = (await y.data()) as Float32Array;
  await fs.writeFile(job.outputFile, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  post({ type: 'predicted', shape: y.shape, outputFile: job.outputFile });
}

main(workerData as ThreadJob).catch((err: Error) => {
  post({ type: 'error', name: err.name, message: err.message, stack: err.stack });
});
